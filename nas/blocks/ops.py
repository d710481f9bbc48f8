"""The blocks the seed READMEs document, one registered constructor per genome op."""

from __future__ import annotations

import torch
from torch import nn

from nas.blocks.layers import (
    RF,
    Branches,
    Residual,
    Seq,
    SqueezeExcite,
    act_layer,
    conv_bn_act,
    module_rf,
    se_hidden,
)
from nas.blocks.registry import register
from nas.genome import Block


def _finish(body: Seq, in_ch: int, out_ch: int, b: Block) -> nn.Module:
    """Add SE to ``body`` and wrap it in a residual if the block asks for them."""
    if b.get("se", 0):
        body.append(SqueezeExcite(out_ch, se_hidden(out_ch, b["se"]), b["a"]))
    body.out_channels = out_ch
    if b.get("r", False):
        return Residual(body, in_ch, out_ch, b["s"])
    return body


@register("cv")
def conv(in_ch: int, b: Block) -> nn.Module:
    body = Seq(*conv_bn_act(in_ch, b["c"], b["k"], b["s"], b["d"], bias=b["b"],
                            norm=b["n"] == 1, act=b["a"]))
    return _finish(body, in_ch, b["c"], b)


def separable(in_ch: int, out_ch: int, k: int, s: int, d: int, bias: bool, norm: int,
              act: str) -> list[nn.Module]:
    """Depthwise kxk (carries stride and dilation) then pointwise 1x1.

    norm=1 puts BN(+act) only after the pointwise conv, as seeds 003 and 004 do; norm=2
    adds BN+act after the depthwise conv too (MobileNet v1).
    """
    dw = conv_bn_act(in_ch, in_ch, k, s, d, groups=in_ch, bias=bias, norm=norm == 2,
                     act=act if norm == 2 else "none")
    pw = conv_bn_act(in_ch, out_ch, 1, bias=bias, norm=norm >= 1, act=act)
    return dw + pw


@register("ds")
def depthwise_separable(in_ch: int, b: Block) -> nn.Module:
    body = Seq(*separable(in_ch, b["c"], b["k"], b["s"], b["d"], b["b"], b["n"], b["a"]))
    return _finish(body, in_ch, b["c"], b)


@register("ir")
def inverted_residual(in_ch: int, b: Block) -> nn.Module:
    """MBConv (Sandler et al. 2018; Tan & Le 2019): SE is sized from the input width."""
    mid = in_ch * b["e"]
    layers = conv_bn_act(in_ch, mid, 1, act=b["a"]) if b["e"] > 1 else []
    layers += conv_bn_act(mid, mid, b["k"], b["s"], b["d"], groups=mid, act=b["a"])
    if b["se"]:
        layers.append(SqueezeExcite(mid, se_hidden(in_ch, b["se"]), b["a"]))
    layers += conv_bn_act(mid, b["c"], 1, act="none")
    body = Seq(*layers)
    body.out_channels = b["c"]
    return Residual(body, in_ch, b["c"], b["s"]) if b["r"] else body


@register("rb")
def residual_basic(in_ch: int, b: Block) -> nn.Module:
    """ResNet basic block (He et al. 2016), optionally separable and with SE (seed 000)."""
    c, k, d, a = b["c"], b["k"], b["d"], b["a"]
    if b["x"]:
        layers = separable(in_ch, c, k, b["s"], d, b["b"], 1, a)
        layers += separable(c, c, k, 1, d, b["b"], 1, "none")
    else:
        layers = conv_bn_act(in_ch, c, k, b["s"], d, bias=b["b"], act=a)
        layers += conv_bn_act(c, c, k, 1, d, bias=b["b"], act="none")
    body = Seq(*layers)
    if b["se"]:
        body.append(SqueezeExcite(c, se_hidden(c, b["se"]), a))
    return Residual(body, in_ch, c, b["s"], post_act=a)


class ASPP(nn.Module):
    """Atrous spatial pyramid pooling (Chen et al. 2017), as in seed 002.

    A 1x1 branch and one 3x3 branch per dilation rate run in parallel on the same input;
    their concatenation is projected back to ``out_ch`` by a 1x1 conv.
    """

    def __init__(self, in_ch: int, out_ch: int, rates: tuple[int, ...], sep: bool,
                 act: str) -> None:
        super().__init__()
        branches = [Seq(*conv_bn_act(in_ch, out_ch, 1, act=act))]
        for r in rates:
            layers = (separable(in_ch, out_ch, 3, 1, r, False, 1, act) if sep
                      else conv_bn_act(in_ch, out_ch, 3, 1, r, act=act))
            branches.append(Seq(*layers))
        self.branches = nn.ModuleList(branches)
        self.project = Seq(*conv_bn_act(out_ch * len(branches), out_ch, 1, act=act))
        self.out_channels = out_ch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(torch.cat([br(x) for br in self.branches], dim=1))

    def rf_layers(self) -> RF:
        """Every branch: which one reaches furthest depends on the map size (a rate wider
        than the map reaches no further than the 1x1 branch), so ``rf_of`` decides."""
        return [Branches(tuple(tuple(module_rf(br)) for br in self.branches))]


@register("aspp")
def aspp(in_ch: int, b: Block) -> nn.Module:
    return ASPP(in_ch, b["c"], b["d"], b["x"], b["a"])


@register("mp")
def max_pool(in_ch: int, b: Block) -> nn.Module:
    # Output ceil(n / stride) like a 'same' conv, so a 1-px map stays 1 px: odd windows
    # pad symmetrically, even windows need ceil_mode for the last partial window.
    k = b["k"]
    body = Seq(nn.MaxPool2d(k, b["s"], padding=(k - 1) // 2, ceil_mode=k % 2 == 0))
    body.out_channels = in_ch
    return body


@register("dp")
def dropout(in_ch: int, b: Block) -> nn.Module:
    body = Seq(nn.Dropout(b["p"]))
    body.out_channels = in_ch
    return body


class Head(nn.Module):
    """Global average pooling, dropout, optional hidden layer, linear classifier."""

    def __init__(self, in_ch: int, b: Block) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        if b["p"] > 0:
            layers.append(nn.Dropout(b["p"]))
        if b["h"]:
            layers += [nn.Linear(in_ch, b["h"]), nn.ReLU(inplace=True)]
            if b["p"] > 0:
                layers.append(nn.Dropout(b["p"]))
            in_ch = b["h"]
        layers.append(nn.Linear(in_ch, b["c"]))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


__all__ = ["ASPP", "Head", "act_layer"]
