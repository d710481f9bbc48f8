"""Block registry and the blocks themselves (importing this registers every op)."""

from nas.blocks import ops as _ops  # noqa: F401  (registers the blocks)
from nas.blocks.layers import RF, Branches, DilatedConv2d, Span, module_rf
from nas.blocks.ops import Head
from nas.blocks.registry import create, register, registered

__all__ = ["RF", "Branches", "DilatedConv2d", "Head", "Span", "create", "module_rf", "register",
           "registered"]
