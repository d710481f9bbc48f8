"""Static figures of a genome from per-block caches: params, MACs, receptive field.

A network's parameters, receptive field and MACs are sums / compositions over its
blocks, and a block's figures depend only on its token and its input channels (and, for
MACs, its input size). So each distinct (input channels, token) is built once on the
meta device for its params and RF layers, and each (input channels, token, size) once on
zeroed CPU storage for thop's MACs; all cached. Candidates of one search share most of
their blocks, so a params / rf figure soon costs well under a millisecond and MACs a
few; the first sighting of a block costs one small build. The totals equal
``nas.analysis.analyze``'s (``count_params``, ``receptive_field``, ``analyze(...).macs``),
which the tests check. Screening (``nas.search.screen``), the zero-cost baselines
(``nas.zerocost.trivial``) and the fidelity plan (``nas.fidelity.plan``) read them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

from nas.analysis.analyze import Field, rf_of, thop_macs
from nas.blocks import RF, Branches, Head, Span, create, module_rf
from nas.genome import Block, Genome


def _profile(module: nn.Module, x: torch.Tensor) -> tuple[int, tuple[int, ...]]:
    """(thop MACs, output shape) of ``module`` on ``x``, single-threaded."""
    out_shape: list[tuple[int, ...]] = []
    hook = module.register_forward_hook(lambda m, i, o: out_shape.append(tuple(o.shape)))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one tiny image: thread hand-offs cost more than they save
    try:
        macs, _ = thop_macs(module, x)
    finally:
        torch.set_num_threads(threads)
        hook.remove()
    return int(macs), out_shape[0]


def _zeroed(module: nn.Module) -> nn.Module:
    """``module`` built on meta, given zeroed CPU storage: no init cost, no denormals."""
    module = module.to_empty(device="cpu").eval()
    with torch.no_grad():
        for t in (*module.parameters(), *module.buffers()):
            t.zero_()
    return module


@dataclass(frozen=True)
class Part:
    """Size-free figures of one block on ``in_ch`` input channels."""

    params: int
    rf: tuple[Span | Branches, ...]
    out_ch: int


@lru_cache(maxsize=200_000)
def block_part(in_ch: int, token: str) -> Part:
    """Params, RF layers and output channels of block ``token`` (one meta build, cached)."""
    with torch.device("meta"):
        module = create(in_ch, Block.parse(token))
    return Part(sum(p.numel() for p in module.parameters()), tuple(module_rf(module)),
                module.out_channels)


@lru_cache(maxsize=10_000)
def head_params(in_ch: int, token: str) -> int:
    """Params of the head ``token`` on ``in_ch`` input channels (one meta build, cached)."""
    with torch.device("meta"):
        return sum(p.numel() for p in Head(in_ch, Block.parse(token)).parameters())


@lru_cache(maxsize=200_000)
def block_macs(in_ch: int, token: str, size: int) -> tuple[int, int]:
    """(thop MACs, output size px) of block ``token`` on one ``size`` px image (cached)."""
    with torch.device("meta"):
        module = create(in_ch, Block.parse(token))
    macs, shape = _profile(_zeroed(module), torch.zeros(1, in_ch, size, size))
    return macs, shape[-1]


@lru_cache(maxsize=10_000)
def head_macs(in_ch: int, token: str, size: int) -> int:
    """thop MACs of the head ``token`` on one ``size`` px image (cached)."""
    with torch.device("meta"):
        module = Head(in_ch, Block.parse(token))
    return _profile(_zeroed(module), torch.zeros(1, in_ch, size, size))[0]


def _chain(genome: Genome) -> tuple[int, RF]:
    """(params, spatial layers) from cached blocks, chained like ``Net`` chains them."""
    ch, params, layers = genome.head["i"], 0, []
    for block in genome.blocks:
        part = block_part(ch, block.to_string())
        params += part.params
        layers.extend(part.rf)
        ch = part.out_ch
    return params + head_params(ch, genome.head.to_string()), layers


def params_of(genome: Genome) -> int:
    """Exact trainable params of ``genome`` from cached blocks (no build)."""
    return _chain(genome)[0]


def params_rf(genome: Genome, image_size: int) -> tuple[int, int]:
    """(params, rf px on ``image_size`` px images) from cached blocks."""
    params, layers = _chain(genome)
    return params, rf_of(layers, Field(size=image_size)).rf


def macs(genome: Genome, image_size: int) -> int:
    """thop MACs of ``genome`` on one ``image_size`` px image, from cached blocks."""
    ch, size, total = genome.head["i"], image_size, 0
    for block in genome.blocks:
        token = block.to_string()
        m, size = block_macs(ch, token, size)
        total += m
        ch = block_part(ch, token).out_ch
    return total + head_macs(ch, genome.head.to_string(), size)


def figures(genome: Genome, image_size: int) -> tuple[int, int, int]:
    """(params, MACs, rf px) of ``genome`` on ``image_size`` px images."""
    params, rf = params_rf(genome, image_size)
    return params, macs(genome, image_size), rf
