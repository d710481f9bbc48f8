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


def _empirical_rf(net: nn.Module, channels: int, rf: int) -> int:
    """Width of the input box whose gradient w.r.t. the centre output pixel is non-zero.

    All weights positive, biases zero, BN at identity statistics: no cancellation can
    hide a connection, so the box is exactly the receptive field. Max-pools become
    average pools (same window; max would route the gradient to one pixel only).
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
    size = 2 * rf + 64
    x = torch.rand(1, channels, size, size, dtype=torch.float64, requires_grad=True)
    y = net.double().features(x)
    cy, cx = y.shape[-2] // 2, y.shape[-1] // 2
    y[0, :, cy, cx].sum().backward()
    nz = x.grad[0].abs().sum(0).nonzero()
    return int(nz[:, 0].max() - nz[:, 0].min() + 1)


@pytest.mark.parametrize("seed", range(30))
def test_receptive_field_equals_empirical(seed):
    g = random_genome(seed, allow_global=False)
    rf = receptive_field(g)
    assert _empirical_rf(build(g), g.head["i"], rf) == rf


def test_rf_counts_max_pool_windows():
    g = "cv_c4_k3/mp_k2,cv_c4_k3/head"
    assert receptive_field(g) == 3 + 1 + 2 * 2
    assert _empirical_rf(build(g), 3, receptive_field(g)) == receptive_field(g)


def test_dilation_formula():
    # k_eff = d*(k-1)+1: a 3x3 conv at dilation 4 sees 9 px.
    assert receptive_field("cv_c4_d4/head") == 9
    assert receptive_field("cv_c4_s2,cv_c4_d2/head") == 3 + 4 * 2


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
