"""Small layers shared by the blocks: activations, conv-BN-act, SE, residual wrapper."""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn


def act_layer(name: str) -> nn.Module:
    """Activation by genome name (``relu``, ``silu`` = Swish, ``hswish``, ``none``).

    Only ReLU runs in place: its backward needs its output, while SiLU's and hard-swish's
    need their input, which autograd then copies before an in-place op overwrites it (a
    clone per activation: 9% of one sampled SiLU net's step in torch.profiler, for the
    same results; results/bench.md)."""
    return {
        "relu": lambda: nn.ReLU(inplace=True),
        "silu": nn.SiLU,
        "hswish": nn.Hardswish,
        "none": nn.Identity,
    }[name]()


class Span(NamedTuple):
    """One conv or pool layer along one axis: kernel taps, stride, dilation, padding (px),
    ceil_mode. Enough to compose its receptive field on a map of any size."""

    k: int
    s: int = 1
    d: int = 1
    p: int = 0
    ceil: bool = False

    def out_size(self, size: int) -> int:
        """Output px on a ``size`` px map (PyTorch's rule, ceil_mode included)."""
        n = size + 2 * self.p - self.d * (self.k - 1) - 1
        out = (-(-n // self.s) if self.ceil else n // self.s) + 1
        if self.ceil and (out - 1) * self.s >= size + self.p:
            out -= 1  # the last window must start inside the input or its left padding
        return out

    def reach(self, size: int | None) -> int:
        """Input px between its first and last tap that can read the map, inclusive:
        ``d (k - 1) + 1`` unless the map is so small (``size`` px) that outer taps only
        ever read padding (a dilation-18 ASPP branch on a 4 px map reaches 1 px).
        ``size=None``: an unbounded map, every tap counts (the textbook figure)."""
        if size is None:
            return self.d * (self.k - 1) + 1
        lead, trail = dead_taps(self.k, self.d, self.p, self.s, size, self.out_size(size))
        return self.d * max(self.k - 1 - lead - trail, 0) + 1


class Branches(NamedTuple):
    """Parallel paths on one input whose outputs are combined (ASPP): the receptive field
    is that of the path that reaches furthest."""

    paths: tuple[tuple[Span | Branches, ...], ...]


RF = list[Span | Branches]  # the spatial layers of a block, in order


def span_of(m: nn.Conv2d | nn.MaxPool2d) -> Span:
    """The geometry of one conv or pool layer (first axis: every layer here is square)."""
    def first(v: int | tuple[int, ...]) -> int:
        return v[0] if isinstance(v, tuple) else v

    return Span(first(m.kernel_size), first(m.stride), first(m.dilation), first(m.padding),
                bool(getattr(m, "ceil_mode", False)))


class Seq(nn.Sequential):
    """A sequential block whose receptive field is that of its layers in order."""

    out_channels: int

    def rf_layers(self) -> RF:
        return seq_rf(self)


def module_rf(m: nn.Module) -> RF:
    """Spatial layers of ``m``: its own ``rf_layers()`` if it has one, else its children's."""
    if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
        return [span_of(m)]
    if hasattr(m, "rf_layers"):
        return m.rf_layers()
    return seq_rf(m)


def seq_rf(modules: nn.Module) -> RF:
    return [layer for m in modules.children() for layer in module_rf(m)]


def dead_taps(k: int, d: int, p: int, s: int, size: int, n_out: int) -> tuple[int, int]:
    """(leading, trailing) taps of a k-tap kernel along one axis of ``size`` px that only
    ever read the padding, for ``n_out`` outputs.

    Tap j reads input ``y*s + j*d - p`` for outputs y in [0, n_out): it is dead when that
    is < 0 for every output (leading taps) or >= size for every output (trailing taps)."""
    lead = sum(1 for j in range(k) if (n_out - 1) * s + j * d - p < 0)
    trail = sum(1 for j in range(k) if j * d - p >= size)
    return lead, trail


def live_taps(k: int, d: int, p: int, s: int, size: int) -> tuple[int, int]:
    """(first tap, taps kept) of a conv along one axis of ``size`` px, dropping the same
    number of dead taps (``dead_taps``) from both ends.

    Dropping n taps from each end and n*d px of padding from each side leaves the output
    size and every output value unchanged."""
    lead, trail = dead_taps(k, d, p, s, size, Span(k, s, d, p).out_size(size))
    n = min(lead, trail, p // d)
    return n, k - 2 * n


class DilatedConv2d(nn.Conv2d):
    """``nn.Conv2d`` that skips the kernel taps a large dilation puts wholly in the padding.

    A 3x3 conv with dilation 6 on a 4 px map (ASPP's rates on the last stage's maps) only
    ever multiplies its off-centre taps by zeros, yet oneDNN's dilated depthwise kernels
    run 5-15x slower than undilated ones (results/bench.md). Convolving with the live taps
    alone gives the same outputs and gradients (the dead taps' gradient is zero either
    way), the same weight shape, params, MACs as counted by thop and state dict; only the
    work shrinks."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        (kh, kw), (dh, dw), (ph, pw) = self.kernel_size, self.dilation, self.padding
        (sh, sw), (h, w) = self.stride, x.shape[-2:]
        (i, nh), (j, nw) = live_taps(kh, dh, ph, sh, h), live_taps(kw, dw, pw, sw, w)
        if (nh, nw) == (kh, kw):
            return super().forward(x)
        weight = self.weight[:, :, i:i + nh, j:j + nw]
        return F.conv2d(x, weight, self.bias, self.stride, (ph - i * dh, pw - j * dw),
                        self.dilation, self.groups)


def conv_bn_act(in_ch: int, out_ch: int, k: int = 3, s: int = 1, d: int = 1, groups: int = 1,
                bias: bool = False, norm: bool = True, act: str = "relu") -> list[nn.Module]:
    """Conv with 'same' padding (d*(k-1)//2) so stride alone sets the output size."""
    conv = DilatedConv2d if d > 1 else nn.Conv2d
    layers: list[nn.Module] = [
        conv(in_ch, out_ch, k, s, padding=d * (k - 1) // 2, dilation=d, groups=groups,
             bias=bias)
    ]
    if norm:
        layers.append(nn.BatchNorm2d(out_ch))
    if act != "none":
        layers.append(act_layer(act))
    return layers


class SqueezeExcite(nn.Module):
    """Channel attention (Hu et al. 2018): GAP -> 1x1 reduce -> act -> 1x1 expand -> sigmoid.

    Note it is global: every output pixel then depends on the whole input, which the
    conv-stack receptive field in ``nas.analysis`` deliberately does not count.
    """

    def __init__(self, ch: int, hidden: int, act: str = "relu") -> None:
        super().__init__()
        self.reduce = nn.Conv2d(ch, hidden, 1)
        self.act = act_layer("relu" if act == "none" else act)
        self.expand = nn.Conv2d(hidden, ch, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = x.mean((2, 3), keepdim=True)
        return x * torch.sigmoid(self.expand(self.act(self.reduce(w))))

    def rf_layers(self) -> RF:
        return []


def se_hidden(ch: int, ratio: float) -> int:
    """SE bottleneck width: ratio of ``ch`` channels, at least 1."""
    return max(1, round(ch * ratio))


class Residual(nn.Module):
    """``body(x) + shortcut(x)``; shortcut is identity, or 1x1 conv + BN on shape change."""

    def __init__(self, body: nn.Module, in_ch: int, out_ch: int, stride: int,
                 post_act: str = "none") -> None:
        super().__init__()
        self.body = body
        self.out_channels = out_ch
        self.shortcut: nn.Module = nn.Identity()
        if in_ch != out_ch or stride != 1:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_ch, out_ch, 1, stride, bias=False), nn.BatchNorm2d(out_ch)
            )
        self.act = act_layer(post_act) if post_act != "none" else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.body(x) + self.shortcut(x))

    def rf_layers(self) -> RF:
        return module_rf(self.body)
