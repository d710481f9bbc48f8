"""NASWOT (Mellor et al., ICML 2021, "Neural Architecture Search without Training").

For a batch of N images, each image's binary code is which units of every activation
layer receive a positive input (the ReLU "on/off" pattern; for SiLU and hard-swish the
same sign pattern of their input). ``K_ij`` = number of units where images i and j
agree; the score is ``log |det K|``: high when the untrained net already maps different
images to different linear regions. Invariant to positive rescaling of any layer's
weights and to the labels; grows with the number of units. Cost: one forward pass of the
probe batch plus an N x N log-determinant (~30-200 ms for N = 128).
"""

from __future__ import annotations

import torch
from torch import nn

from nas.zerocost.registry import Probe, register

ACTIVATIONS = (nn.ReLU, nn.SiLU, nn.Hardswish, nn.GELU, nn.ReLU6)


@register("naswot")
def naswot(model: nn.Module, probe: Probe) -> float:
    codes: list[torch.Tensor] = []

    def record(_m: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
        codes.append((inputs[0].detach() > 0).flatten(1).double())

    hooks = [m.register_forward_pre_hook(record) for m in model.modules()
             if isinstance(m, ACTIVATIONS)]
    try:
        model.train()
        with torch.no_grad():
            model(probe.x)
    finally:
        for h in hooks:
            h.remove()
    if not codes:
        return 0.0
    c = torch.cat(codes, 1)
    k = c @ c.T + (1 - c) @ (1 - c).T
    return float(torch.linalg.slogdet(k).logabsdet)
