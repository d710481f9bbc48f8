"""Registry of block constructors, keyed by the op names of ``nas.genome.OPS``.

Convention (one for every block, as in timm's builders): ``ctor(in_ch, block) ->
nn.Module`` where the module has an ``out_channels`` attribute and an ``rf_layers()``
method giving the (effective kernel, stride) of each spatial layer along its longest
path, which ``nas.analysis`` composes into a receptive field without running the model.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from nas.genome import OPS, Block

BlockCtor = Callable[[int, Block], nn.Module]
_REGISTRY: dict[str, BlockCtor] = {}


def register(op: str) -> Callable[[BlockCtor], BlockCtor]:
    """Decorator: make ``ctor`` the builder of genome op ``op`` (which must be in OPS)."""
    if op not in OPS:
        raise KeyError(f"op {op!r} is not in nas.genome.OPS; add its schema there first")

    def deco(ctor: BlockCtor) -> BlockCtor:
        _REGISTRY[op] = ctor
        return ctor

    return deco


def create(in_ch: int, block: Block) -> nn.Module:
    """Instantiate ``block`` for an input of ``in_ch`` channels."""
    return _REGISTRY[block.op](in_ch, block)


def registered() -> tuple[str, ...]:
    return tuple(_REGISTRY)
