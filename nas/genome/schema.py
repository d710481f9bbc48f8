"""The vocabulary of genome strings: which ops exist and which options each takes.

A block token is ``<op>_<key><value>_<key><value>...`` in the style of timm's
``arch_def`` strings, e.g. ``ds_k3_c64_d2_b1``. Every option has a default; the
canonical form writes only the options that differ from it, in schema order, so that
one architecture has exactly one string (and therefore one ``arch_id``).

This module is pure Python on purpose: the genome must be usable (parsed, hashed,
stored in a study) without importing torch or Optuna.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACTIVATIONS = ("relu", "silu", "hswish", "none")
# Widest layer a genome may ask for (channels, classes, hidden units): 2**16 is far past any
# CNN's (ResNet-50's widest is 2,048) and keeps every tensor size of a build within int64.
MAX_WIDTH = 65_536


@dataclass(frozen=True)
class Option:
    """One ``<key><value>`` option of a block token.

    kind is one of ``int``, ``float``, ``bool``, ``act`` (a name in ACTIVATIONS) or
    ``ints`` (a ``-``-separated list of positive ints, e.g. ASPP rates ``d6-12-18``).
    """

    key: str
    kind: str
    default: Any
    doc: str
    low: float = 0  # smallest allowed value (for numbers and list items)
    high: float | None = None  # largest allowed value, None = unbounded


def _k(default: int = 3) -> Option:
    return Option("k", "int", default, "kernel size (pixels)", low=1, high=15)


_C = Option("c", "int", None, "output channels (required)", low=1, high=MAX_WIDTH)
_S = Option("s", "int", 1, "stride (1 keeps resolution, 2 halves it)", low=1, high=4)
_D = Option("d", "int", 1, "dilation (effective kernel d*(k-1)+1)", low=1, high=64)
_B = Option("b", "bool", False, "conv biases (seeds that keep biases before BN set b1)")
_A = Option("a", "act", "relu", "activation: relu, silu (swish), hswish or none")
_SE = Option("se", "float", 0.0, "squeeze-excitation ratio, 0 = no SE", low=0, high=1)
_R = Option("r", "bool", False, "residual: identity, or 1x1 conv+BN projection on shape change")


@dataclass(frozen=True)
class OpSchema:
    """The options an op accepts and a one-line description for ``--help`` and docs."""

    name: str
    doc: str
    options: tuple[Option, ...]

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


OPS: dict[str, OpSchema] = {
    s.name: s
    for s in (
        OpSchema(
            "cv",
            "conv-BN-act (plain, strided or dilated convolution)",
            (_k(), _C, _S, _D, _B,
             Option("n", "int", 1, "1 = BatchNorm after the conv, 0 = none", high=1),
             _A, _SE, _R),
        ),
        OpSchema(
            "ds",
            "depthwise-separable conv: depthwise kxk (stride, dilation) then pointwise 1x1",
            (_k(), _C, _S, _D, _B,
             Option("n", "int", 1, "BN placement: 0 none, 1 after pointwise, 2 after both",
                    high=2),
             _A, _SE, _R),
        ),
        OpSchema(
            "ir",
            "inverted residual / MBConv: 1x1 expand, depthwise kxk, SE, 1x1 project",
            (_k(), _C, _S, _D,
             Option("e", "int", 4, "expansion ratio of the hidden width", low=1, high=12),
             _A, _SE, _R),
        ),
        OpSchema(
            "rb",
            "residual basic block: two kxk convs (or separable convs) and a shortcut",
            (_k(), _C, _S, _D, _B,
             Option("x", "bool", False, "use depthwise-separable convs inside"),
             _A, _SE),
        ),
        OpSchema(
            "aspp",
            "atrous spatial pyramid pooling: 1x1 branch + parallel dilated 3x3 branches",
            (_C,
             Option("d", "ints", (6, 12, 18), "dilation rates of the 3x3 branches", low=1,
                    high=64),
             Option("x", "bool", True, "depthwise-separable dilated branches"),
             _A),
        ),
        OpSchema("mp", "max-pool downsampling", (_k(2), Option("s", "int", 2, "stride", low=1,
                                                                  high=4))),
        OpSchema("dp", "dropout", (Option("p", "float", 0.1, "drop probability", high=0.9),)),
    )
}

HEAD = OpSchema(
    "head",
    "global average pooling, dropout, optional hidden linear layer, linear classifier",
    (
        Option("c", "int", 10, "number of classes", low=2, high=MAX_WIDTH),
        Option("h", "int", 0, "hidden units of an extra linear layer, 0 = none", high=MAX_WIDTH),
        Option("p", "float", 0.0, "dropout before the classifier", high=0.9),
        Option("i", "int", 3, "input image channels", low=1, high=MAX_WIDTH),
    ),
)
