"""Grad-norm (Abdelfattah et al., ICLR 2021, "Zero-Cost Proxies for Lightweight NAS").

``sum_l ||dL/dW_l||_2`` over conv and linear weights, for the cross-entropy of one batch
at initialisation (train mode, BN with batch statistics). Depends on the data, the
labels and the initialisation; invariant to permutations of the batch. Larger nets have
more terms, so it correlates with size. Cost: one forward and backward of the probe
batch (128 images: ~50-300 ms on this CPU).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn

from nas.zerocost.registry import Probe, register
from nas.zerocost.weights import scored_weights


@register("grad_norm")
def grad_norm(model: nn.Module, probe: Probe) -> float:
    model.train()
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(probe.x), probe.y).backward()
    return float(sum(float(w.grad.norm()) for w in scored_weights(model) if w.grad is not None))
