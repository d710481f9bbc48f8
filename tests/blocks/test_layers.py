"""Shared layers: the dead-tap skipping of DilatedConv2d, activations."""

import itertools

import pytest
import torch
from torch import nn

from nas.analysis.analyze import thop_macs
from nas.blocks.layers import DilatedConv2d, act_layer, conv_bn_act, live_taps


@pytest.mark.parametrize(("k", "d", "s", "size", "expected"), [
    (3, 6, 1, 4, (1, 1)),    # ASPP's rate 6 on a 4 px map: only the centre tap
    (3, 18, 1, 32, (0, 3)),  # rate 18 on 32 px: every tap reaches the image
    (3, 2, 1, 4, (0, 3)),
    (3, 2, 1, 2, (1, 1)),    # dilation 2 on a 2 px map
    (5, 4, 1, 8, (1, 3)),    # the outer pair at +-8 px is dead, +-4 px is not
    (5, 4, 1, 4, (2, 1)),
    (3, 4, 2, 4, (1, 1)),    # stride 2: outputs 0 and 1 read 0 and 2 (+-4 px: padding)
    (3, 1, 1, 1, (1, 1)),    # a 1 px map: a 3x3 conv is its centre tap
    (1, 3, 1, 4, (0, 1)),
])
def test_live_taps(k, d, s, size, expected):
    assert live_taps(k, d, d * (k - 1) // 2, s, size) == expected


CASES = list(itertools.product([1, 6], [1, 2, 3, 4, 8], [3, 5], [2, 4, 6], [1, 2]))


@pytest.mark.parametrize(("groups", "size", "k", "d", "s"), CASES)
def test_dilated_conv_equals_conv(groups, size, k, d, s):
    """Same outputs and gradients as nn.Conv2d (to float rounding: fewer zero terms summed)."""
    torch.manual_seed(0)
    ref = nn.Conv2d(6, 6, k, s, padding=d * (k - 1) // 2, dilation=d, groups=groups)
    new = DilatedConv2d(6, 6, k, s, padding=d * (k - 1) // 2, dilation=d, groups=groups)
    new.load_state_dict(ref.state_dict())
    x = torch.randn(3, 6, size, size).to(memory_format=torch.channels_last)
    xs = [x.clone().requires_grad_() for _ in range(2)]
    ys = [conv(xi) for conv, xi in zip((ref, new), xs, strict=True)]
    gy = torch.randn_like(ys[0])
    for y in ys:
        y.backward(gy)
    assert ys[0].shape == ys[1].shape
    torch.testing.assert_close(ys[1], ys[0], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(xs[1].grad, xs[0].grad, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(new.weight.grad, ref.weight.grad, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(new.bias.grad, ref.bias.grad, rtol=1e-5, atol=1e-5)


def test_dead_taps_are_skipped_not_dropped():
    """The weight keeps its 3x3 shape (params, state dict); its dead taps get zero grads."""
    conv = DilatedConv2d(4, 4, 3, padding=6, dilation=6, groups=4, bias=False)
    assert conv.weight.shape == (4, 1, 3, 3)
    conv(torch.randn(2, 4, 4, 4)).sum().backward()
    g = conv.weight.grad
    assert g[:, :, 1, 1].abs().sum() > 0
    g[:, :, 1, 1] = 0
    assert torch.count_nonzero(g) == 0


def test_thop_counts_dilated_conv_as_a_conv():
    """MACs (budgets, --prescreen-score macs) stay what they were with nn.Conv2d."""
    x = torch.zeros(1, 8, 4, 4)
    for cls in (nn.Conv2d, DilatedConv2d):
        assert thop_macs(cls(8, 8, 3, padding=6, dilation=6, groups=8), x)[0] == 8 * 16 * 9


def test_conv_bn_act_uses_dilated_conv_only_when_dilated():
    assert type(conv_bn_act(4, 4, 3, d=1)[0]) is nn.Conv2d
    assert type(conv_bn_act(4, 4, 3, d=2)[0]) is DilatedConv2d


@pytest.mark.parametrize("name", ["silu", "hswish"])
def test_activations_that_need_their_input_are_not_in_place(name):
    """In place, autograd would clone their input in every training step."""
    assert not act_layer(name).inplace
