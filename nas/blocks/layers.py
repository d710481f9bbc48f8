"""Small layers shared by the blocks: activations, conv-BN-act, SE, residual wrapper."""

from __future__ import annotations

import torch
from torch import nn

RF = list[tuple[int, int]]  # (effective kernel, stride) per spatial layer


def act_layer(name: str) -> nn.Module:
    """Activation by genome name (``relu``, ``silu`` = Swish, ``hswish``, ``none``)."""
    return {
        "relu": lambda: nn.ReLU(inplace=True),
        "silu": lambda: nn.SiLU(inplace=True),
        "hswish": lambda: nn.Hardswish(inplace=True),
        "none": nn.Identity,
    }[name]()


def conv_rf(conv: nn.Conv2d | nn.MaxPool2d) -> tuple[int, int]:
    """(effective kernel d*(k-1)+1, stride) of one conv or pool layer."""
    k, d, s = (conv.kernel_size, conv.dilation, conv.stride)
    k, d, s = (v[0] if isinstance(v, tuple) else v for v in (k, d, s))
    return d * (k - 1) + 1, s


class Seq(nn.Sequential):
    """A sequential block whose receptive field is that of its layers in order."""

    out_channels: int

    def rf_layers(self) -> RF:
        return seq_rf(self)


def module_rf(m: nn.Module) -> RF:
    """Spatial layers of ``m``: its own ``rf_layers()`` if it has one, else its children's."""
    if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
        return [conv_rf(m)]
    if hasattr(m, "rf_layers"):
        return m.rf_layers()
    return seq_rf(m)


def seq_rf(modules: nn.Module) -> RF:
    return [layer for m in modules.children() for layer in module_rf(m)]


def conv_bn_act(in_ch: int, out_ch: int, k: int = 3, s: int = 1, d: int = 1, groups: int = 1,
                bias: bool = False, norm: bool = True, act: str = "relu") -> list[nn.Module]:
    """Conv with 'same' padding (d*(k-1)//2) so stride alone sets the output size."""
    layers: list[nn.Module] = [
        nn.Conv2d(in_ch, out_ch, k, s, padding=d * (k - 1) // 2, dilation=d, groups=groups,
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
