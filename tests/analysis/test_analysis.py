"""Analytic params/RF agree with the built model and with an empirical receptive field."""

import pytest
import torch
from torch import nn

from nas.analysis import analyze, count_params, receptive_field
from nas.builder import build
from tests.genomes import random_genome


@pytest.mark.parametrize("seed", range(40))
def test_random_genome_builds_and_trains(seed):
    g = random_genome(seed)
    net = build(g).train()
    x = torch.randn(2, g.head["i"], 16, 16)
    y = net(x)
    assert y.shape == (2, g.head["c"])
    assert torch.isfinite(y).all()
    y.pow(2).sum().backward()
    missing = [n for n, p in net.named_parameters() if p.grad is None]
    assert not missing


@pytest.mark.parametrize("seed", range(40))
def test_params_match_numel(seed):
    g = random_genome(seed)
    assert count_params(g) == sum(p.numel() for p in build(g).parameters())


@pytest.mark.parametrize("size", [8, 9, 17, 32])
def test_any_input_size_at_least_8(size):
    for seed in range(10):
        g = random_genome(seed)
        assert build(g).eval()(torch.randn(1, g.head["i"], size, size)).shape[0] == 1


def _empirical_rf(net: nn.Module, channels: int, size: int, every_row: bool = False) -> int:
    """Height of the input box whose gradient w.r.t. the centre output pixel is non-zero,
    on a ``size`` px image; ``every_row``: the largest such box over the output pixels of
    the centre column (a tap may read the image from edge pixels only).

    All weights positive, biases zero, BN at identity statistics: no cancellation can
    hide a connection, so the box is exactly the receptive field (where the image is
    wide enough to hold it). Max-pools become average pools (same window; max would
    route the gradient to one pixel only).
    """
    for m in list(net.modules()):
        for child_name, child in list(m.named_children()):
            if isinstance(child, nn.MaxPool2d):
                setattr(m, child_name, nn.AvgPool2d(child.kernel_size, child.stride,
                                                    child.padding, ceil_mode=child.ceil_mode,
                                                    count_include_pad=True))
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.rand_like(p) + 0.1)
        for m in net.modules():
            if isinstance(m, nn.Conv2d) and m.bias is not None:
                m.bias.zero_()
    net.eval()
    x = torch.rand(1, channels, size, size, dtype=torch.float64, requires_grad=True)
    y = net.double().features(x)
    cx, widths = y.shape[-1] // 2, []
    for cy in range(y.shape[-2]) if every_row else [y.shape[-2] // 2]:
        (grad,) = torch.autograd.grad(y[0, :, cy, cx].sum(), x, retain_graph=True)
        nz = grad[0].abs().sum(0).nonzero()
        widths.append(int(nz[:, 0].max() - nz[:, 0].min() + 1))
    return max(widths)


@pytest.mark.parametrize("seed", range(30))
def test_receptive_field_equals_empirical(seed):
    g = random_genome(seed, allow_global=False)
    size = 2 * receptive_field(g, None) + 64  # room for the whole field
    rf = receptive_field(g, size)
    assert _empirical_rf(build(g), g.head["i"], size) == rf


def test_rf_counts_max_pool_windows():
    g = "cv_c4_k3/mp_k2,cv_c4_k3/head"
    assert receptive_field(g) == 3 + 1 + 2 * 2
    assert _empirical_rf(build(g), 3, 64) == receptive_field(g, 64)


def test_dilation_formula():
    # k_eff = d*(k-1)+1: a 3x3 conv at dilation 4 sees 9 px.
    assert receptive_field("cv_c4_d4/head") == 9
    assert receptive_field("cv_c4_s2,cv_c4_d2/head") == 3 + 4 * 2


@pytest.mark.parametrize(("genome", "size", "rf", "textbook"), [
    # 16 -> 8 -> 4 px: the dilation-8 taps sit 8 px off centre on a 4 px map.
    ("cv_c4_s2,cv_c4_s2,cv_c4_d8/head", 16, 7, 7 + 16 * 4),
    # dilation 9 on 9 px: the outer taps read only padding; dilation 8 still reads the edges.
    ("cv_c4,cv_c4_d9/head", 9, 3, 3 + 18),
    ("cv_c4,cv_c4_d8/head", 9, 3 + 16, 3 + 16),
    # 4 -> 2 -> 1 px: the second conv's one output reads padding with its first tap only
    # (reach 2), and the third conv on a 1 px map sees only its centre.
    ("cv_c4_s2,cv_c4_s2,cv_c4/head", 4, 3 + 2, 3 + 2 * 2 + 2 * 4),
])
def test_taps_that_only_read_padding_add_nothing(genome, size, rf, textbook):
    assert receptive_field(genome, size) == rf
    assert receptive_field(genome, None) == textbook
    assert _empirical_rf(build(genome), 3, size, every_row=True) == min(rf, size)  # clipped


def test_aspp_reaches_as_far_as_its_widest_live_branch():
    g = "cv_c8_s2,cv_c8_s2,cv_c8_s2,aspp_c8_d6-12-18/head"  # 32 -> 4 px before ASPP
    assert receptive_field(g, None) == 15 + 2 * 18 * 8
    assert receptive_field(g, 32) == 15  # every rate is dead on 4 px: the 1x1 branch
    g = "cv_c8_s2,aspp_c8_d6-18/head"  # 32 -> 16 px: rate 18 dead, rate 6 live
    assert receptive_field(g, None) == 3 + 2 * 18 * 2
    assert receptive_field(g, 32) == 3 + 2 * 6 * 2
    assert _empirical_rf(build(g), 3, 32, every_row=True) == receptive_field(g, 32)


def test_analyze_totals_and_rows():
    a = analyze("cv_c16_b1,ds_c32_s2_b1/head_p0.05")
    assert a.params == sum(layer.params for layer in a.layers) + 32 * 10 + 10
    assert a.layers[-1].out_shape == (32, 16, 16)
    # conv 3->16 3x3 at 32x32 and depthwise+pointwise at 16x16, plus BN as thop counts it.
    conv_macs = 16 * 32 * 32 * 3 * 9 + 16 * 16 * 16 * 9 + 32 * 16 * 16 * 16
    assert conv_macs <= a.macs < conv_macs * 1.2
    assert a.rf == a.layers[-1].rf == 5


def test_analyze_does_not_leave_buffers_in_callers_model():
    net = build("cv_c8/head")
    before = set(dict(net.named_buffers()))
    analyze(net.genome)
    assert set(dict(net.named_buffers())) == before
