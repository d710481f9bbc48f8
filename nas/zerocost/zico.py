"""ZiCo (Li et al., ICLR 2023, "ZiCo: Zero-shot NAS via Inverse Coefficient of Variation
on Gradients").

The probe batch is split into ``CHUNKS`` equal mini-batches; each gives one gradient of
the cross-entropy for every conv/linear weight. Per layer,
``log( sum_w mean|g_w| / std(g_w) )`` over weights with a non-zero std, summed over
layers: high when gradients are large and consistent across samples (the paper's
argument for fast convergence and good generalisation). The official implementation uses
two mini-batches; four of 32 images give a less noisy std for the same 128 images.
Invariant to the order of the chunks; depends on data, labels and initialisation.
Cost: four forward and backward passes of 32 images (~50-300 ms on this CPU).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from nas.zerocost.registry import Probe, register
from nas.zerocost.weights import scored_weights

CHUNKS = 4


@register("zico")
def zico(model: nn.Module, probe: Probe) -> float:
    model.train()
    weights = scored_weights(model)
    grads: list[list[torch.Tensor]] = [[] for _ in weights]
    for x, y in zip(probe.x.chunk(CHUNKS), probe.y.chunk(CHUNKS), strict=True):
        model.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        for store, w in zip(grads, weights, strict=True):
            if w.grad is not None:
                store.append(w.grad.detach().flatten().double().clone())
    total = 0.0
    for store in grads:
        if len(store) < 2:
            continue
        g = torch.stack(store)
        std = g.std(0, unbiased=False)
        ok = std > 0
        s = float((g.abs().mean(0)[ok] / std[ok]).sum())
        if s > 0:
            total += math.log(s)
    return total
