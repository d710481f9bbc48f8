"""The trivial baselines every zero-cost proxy must beat: size and shape of the network.

``params`` and ``macs`` (thop's count on one image at the probe's resolution), ``rf``
(receptive field in pixels, SE's global pooling not counted) and ``depth`` (compute
blocks in the genome: cv, ds, ir, aspp count 1, a residual basic block 2). Each is a pure
function of the genome: invariant to the data and the initialisation. Cost: < 5 ms from
the block caches of ``nas.analysis.static``.
"""

from __future__ import annotations

from torch import nn

from nas.analysis.static import figures
from nas.zerocost.registry import Probe, register

DEPTH = {"cv": 1, "ds": 1, "ir": 1, "aspp": 1, "rb": 2}


def _figures(probe: Probe) -> tuple[int, int, int]:
    """(params, MACs, rf px) of the probe's genome at the probe's resolution."""
    return figures(probe.genome, int(probe.x.shape[-1]))


@register("params")
def params(model: nn.Module, probe: Probe) -> float:
    return float(sum(p.numel() for p in model.parameters()))


@register("macs")
def macs(model: nn.Module, probe: Probe) -> float:
    return float(_figures(probe)[1])


@register("rf")
def rf(model: nn.Module, probe: Probe) -> float:
    return float(_figures(probe)[2])


@register("depth")
def depth(model: nn.Module, probe: Probe) -> float:
    return float(sum(DEPTH.get(b.op, 0) for b in probe.genome.blocks))
