"""Block registry and the blocks themselves (importing this registers every op)."""

from nas.blocks import ops as _ops  # noqa: F401  (registers the blocks)
from nas.blocks.layers import RF, DilatedConv2d, module_rf
from nas.blocks.ops import Head
from nas.blocks.registry import create, register, registered

__all__ = ["RF", "DilatedConv2d", "Head", "create", "module_rf", "register", "registered"]
