"""SynFlow (Tanaka et al., NeurIPS 2020), as a zero-cost proxy (Abdelfattah et al., ICLR 2021).

``R = 1^T (prod_l |W_l|) 1``: the network's output on an all-ones input with every weight
replaced by its absolute value and no normalisation layers; the score is
``sum_theta |theta * dR/dtheta|`` over conv and linear weights, reported as its natural
log (it spans hundreds of orders of magnitude; the log keeps the ranking). Data-free:
it reads only the input shape. Invariant to the sign of every weight and to the data;
scales with depth and width, so it rewards large nets (it is close to a parameter count
weighted by connectivity). BN layers are removed (as in Abdelfattah et al.'s
``bn=False`` copy) and dropout is off; computed in float64 to avoid overflow.
Cost on this CPU: a forward and backward of one image in float64 (~10-100 ms).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from nas.zerocost.registry import Probe, register
from nas.zerocost.weights import scored_weights, strip_batchnorm


@register("synflow")
def synflow(model: nn.Module, probe: Probe) -> float:
    model = strip_batchnorm(model).double().eval()
    with torch.no_grad():
        for p in model.state_dict().values():
            if p.is_floating_point():
                p.abs_()
    x = torch.ones((1, *probe.x.shape[1:]), dtype=torch.float64, device=probe.x.device)
    model.zero_grad(set_to_none=True)
    model(x).sum().backward()
    total = sum(float((w.detach() * w.grad).abs().sum()) for w in scored_weights(model)
                if w.grad is not None)
    return math.log(total) if total > 0 and math.isfinite(total) else -math.inf
