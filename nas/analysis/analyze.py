"""Parameters, MACs, receptive field and output shapes of a genome, without training.

Screening a candidate against a budget needs only ``count_params`` and
``receptive_field``: the model is built on the meta device (no weights allocated) and
the receptive field is composed analytically, a few milliseconds in all. ``analyze``
adds MACs (counted by thop on a throwaway CPU copy, since thop leaves buffers behind in
the modules it profiles) and per-block output shapes.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from nas.blocks import RF
from nas.builder import Net, build
from nas.genome import Genome


@dataclass(frozen=True)
class LayerInfo:
    """One block of the built net; ``rf`` is the receptive field (px) after this block."""

    stage: int
    index: int
    block: str
    out_shape: tuple[int, ...]
    params: int
    macs: int
    rf: int


@dataclass(frozen=True)
class Analysis:
    """Static figures of a genome at ``input_size`` x ``input_size`` pixels.

    params counts every trainable number (== sum(p.numel()) of the built model); macs
    is multiply-accumulates for one image as thop counts them; rf is the theoretical
    receptive field (px) of the conv stack, SE's global pooling not counted.
    """

    genome: str
    arch_id: str
    params: int
    macs: int
    rf: int
    input_size: int
    layers: tuple[LayerInfo, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _as_genome(genome: Genome | str) -> Genome:
    return Genome.from_string(genome) if isinstance(genome, str) else genome


def rf_of(layers: RF, start: tuple[int, int] = (1, 1)) -> tuple[int, int]:
    """Compose (rf, jump): r += (k_eff - 1) * jump, then jump *= stride, per layer."""
    r, j = start
    for k, s in layers:
        r += (k - 1) * j
        j *= s
    return r, j


def receptive_field(genome: Genome | str | Net) -> int:
    """Theoretical receptive field (px) along the longest path of the conv stack."""
    net = genome if isinstance(genome, Net) else build(_as_genome(genome), "meta")
    return rf_of(net.rf_layers())[0]


def count_params(genome: Genome | str) -> int:
    """Exact trainable parameter count, from a weight-free (meta device) build."""
    return sum(p.numel() for p in build(_as_genome(genome), "meta").parameters())


def analyze(genome: Genome | str, input_size: int = 32) -> Analysis:
    """Everything ``nas show`` prints, for one image of ``input_size`` px square."""
    g = _as_genome(genome)
    net = build(g).eval()  # throwaway copy: thop leaves buffers in it
    shapes: dict[nn.Module, tuple[int, ...]] = {}
    hooks = [
        blk.register_forward_hook(lambda m, i, o: shapes.__setitem__(m, tuple(o.shape[1:])))
        for stage in net.stages for blk in stage
    ]
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # thop uses deprecated distutils version checks
        from thop import profile

        macs, _, info = profile(
            net, inputs=(torch.zeros(1, g.head["i"], input_size, input_size),),
            verbose=False, ret_layer_info=True,
        )
    for h in hooks:
        h.remove()

    layers, state = [], (1, 1)
    for si, (stage, specs) in enumerate(zip(net.stages, g.stages, strict=True)):
        for bi, (blk, spec) in enumerate(zip(stage, specs, strict=True)):
            state = rf_of(blk.rf_layers() if hasattr(blk, "rf_layers") else [], state)
            layers.append(LayerInfo(
                stage=si + 1, index=bi + 1, block=spec.to_string(), out_shape=shapes[blk],
                params=sum(p.numel() for p in blk.parameters()),
                macs=int(info["stages"][2][str(si)][2][str(bi)][0]),
                rf=state[0],
            ))
    return Analysis(
        genome=g.to_string(), arch_id=g.arch_id,
        params=sum(p.numel() for p in net.parameters()), macs=int(macs),
        rf=rf_of(net.rf_layers())[0], input_size=input_size, layers=tuple(layers),
    )
