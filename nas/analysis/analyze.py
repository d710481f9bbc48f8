"""Parameters, MACs, receptive field and output shapes of a genome, without training.

Everything here builds the model on the meta device: shapes and parameter counts are exact,
no weight or activation is allocated, and any genome takes milliseconds (a real build of
``cv_c1000000`` once took 8.7 GB). ``count_params`` and ``receptive_field`` screen a
candidate against a budget; ``analyze`` adds MACs (thop's hooks read only shapes, so they
run on meta tensors too), per-block output shapes, and refuses networks past the limits of
``nas.analysis.limits`` with one line.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import torch
from torch import nn

from nas.analysis.limits import check_activation, check_params
from nas.blocks import RF, Branches, DilatedConv2d, module_rf
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
    is multiply-accumulates for one image as thop counts them; rf is the receptive field
    (px) of the conv stack on ``input_size`` px images (``rf_of``: taps that only read
    padding do not count), SE's global pooling not counted. ``layers``
    are the blocks; ``head`` is the classifier, so the two together sum to the totals.
    """

    genome: str
    arch_id: str
    params: int
    macs: int
    rf: int
    input_size: int
    layers: tuple[LayerInfo, ...]
    head: LayerInfo

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; its ``layers`` end with the head, so they add up to params and macs."""
        d = asdict(self)
        d["layers"] = [*d["layers"], d.pop("head")]
        return d


def _as_genome(genome: Genome | str) -> Genome:
    return Genome.from_string(genome) if isinstance(genome, str) else genome


class Field(NamedTuple):
    """Receptive-field state after some layers: ``rf`` px of the input seen by one
    position, ``jump`` input px between neighbouring positions, ``size`` px of the map
    (None: unbounded, so every kernel tap counts)."""

    rf: int = 1
    jump: int = 1
    size: int | None = None


def rf_of(layers: RF, start: Field) -> Field:
    """Compose ``rf += (reach - 1) * jump; jump *= stride`` over ``layers``, where reach is
    ``d (k - 1) + 1`` over the taps that can read the map at that depth (``Span.reach``):
    a dilation wider than its map adds nothing, as in ``DilatedConv2d``. Parallel paths
    (``Branches``) take the furthest-reaching one."""
    f = start
    for layer in layers:
        if isinstance(layer, Branches):
            f = max((rf_of(list(path), f) for path in layer.paths), key=lambda g: g.rf)
        else:
            size = None if f.size is None else layer.out_size(f.size)
            f = Field(f.rf + (layer.reach(f.size) - 1) * f.jump, f.jump * layer.s, size)
    return f


def receptive_field(genome: Genome | str | Net, input_size: int | None = 32) -> int:
    """Receptive field (px) along the longest path of the conv stack on ``input_size`` px
    images, counting only kernel taps that can read their map (``rf_of``); None gives the
    textbook figure of an unbounded image."""
    net = genome if isinstance(genome, Net) else build(_as_genome(genome), "meta")
    return rf_of(net.rf_layers(), Field(size=input_size)).rf


def count_params(genome: Genome | str) -> int:
    """Exact trainable parameter count, from a weight-free (meta device) build."""
    return _numel(build(_as_genome(genome), "meta"))


def analyze(genome: Genome | str, input_size: int = 32) -> Analysis:
    """Everything ``nas show`` prints, for one image of ``input_size`` px square.

    Raises ``SizeError`` (one line, exit 2 in the CLI) past MAX_PARAMS parameters or
    MAX_ACTIVATION numbers in the input or any block's output.
    """
    g = _as_genome(genome)
    net = build(g, "meta").eval()
    check_params(g.to_string(), _numel(net))
    check_activation("the input", (g.head["i"], input_size, input_size))
    macs, info, shapes = _profile(net, g.head["i"], input_size)
    layers, state = [], Field(size=input_size)
    for si, (stage, specs) in enumerate(zip(net.stages, g.stages, strict=True)):
        for bi, (blk, spec) in enumerate(zip(stage, specs, strict=True)):
            check_activation(f"the output of {spec.to_string()}", shapes[blk])
            state = rf_of(module_rf(blk), state)
            layers.append(LayerInfo(
                stage=si + 1, index=bi + 1, block=spec.to_string(), out_shape=shapes[blk],
                params=_numel(blk), macs=int(info["stages"][2][str(si)][2][str(bi)][0]),
                rf=state.rf,
            ))
    rf = state.rf
    head = LayerInfo(stage=len(g.stages) + 1, index=1, block=g.head.to_string(),
                     out_shape=(g.head["c"],), params=_numel(net.head),
                     macs=int(info["head"][0]), rf=rf)
    return Analysis(
        genome=g.to_string(), arch_id=g.arch_id, params=_numel(net), macs=int(macs), rf=rf,
        input_size=input_size, layers=tuple(layers), head=head,
    )


def _numel(m: nn.Module) -> int:
    """Trainable numbers in ``m`` (meta tensors count like real ones)."""
    return sum(p.numel() for p in m.parameters())


def _profile(net: Net, in_ch: int, size: int) -> tuple[float, dict, dict[nn.Module, tuple]]:
    """thop's MACs (total and per module) and each block's output shape, on meta tensors."""
    shapes: dict[nn.Module, tuple[int, ...]] = {}
    hooks = [
        blk.register_forward_hook(lambda m, i, o: shapes.__setitem__(m, tuple(o.shape[1:])))
        for stage in net.stages for blk in stage
    ]
    macs, info = thop_macs(net, torch.zeros(1, in_ch, size, size, device="meta"), True)
    for h in hooks:
        h.remove()
    return macs, info, shapes


def thop_macs(module: nn.Module, x: torch.Tensor, layer_info: bool = False) -> tuple[float, dict]:
    """thop's MACs of ``module`` on ``x`` (and, with ``layer_info``, per child module)."""
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # thop uses deprecated distutils version checks
        from thop import profile
        from thop.vision.basic_hooks import count_convNd

        # thop finds its counters by exact type: a DilatedConv2d counts as the conv it is
        out = profile(module, inputs=(x,), verbose=False, ret_layer_info=layer_info,
                      custom_ops={DilatedConv2d: count_convNd})
    return out[0], out[2] if layer_info else {}
