"""Every registered block: shape, finiteness, gradients to every parameter."""

import pytest
import torch

from nas.blocks import create, registered
from nas.genome import OPS, Block

# One representative per op, plus the variants that change structure (SE, residual, BN).
CASES = [
    "cv_c8", "cv_c8_s2_b1_n0", "cv_c8_d2_asilu_se0.25", "cv_c6_r1", "cv_c8_s2_r1",
    "ds_c8", "ds_c8_s2_d2_n2_ahswish", "ds_c8_b1_r1_se0.5", "ds_c8_n0_anone",
    "ir_c8", "ir_c6_e1_s2", "ir_c6_e3_se0.25_r1", "ir_k5_c8_d2_r1",
    "rb_c8", "rb_c8_s2_x1_se0.25", "rb_c6_asilu_b1",
    "aspp_c8", "aspp_c8_d2-4_x0",
    "mp", "mp_k3", "dp_p0.5",
]


def test_every_schema_op_is_registered_and_covered():
    assert set(registered()) == set(OPS)
    assert {c.split("_")[0] for c in CASES} == set(OPS)


@pytest.mark.parametrize("token", CASES)
def test_block_shape_finite_and_gradients(token):
    torch.manual_seed(0)
    block = Block.parse(token)
    m = create(6, block).train()
    x = torch.randn(3, 6, 12, 12, requires_grad=True)
    y = m(x)
    stride = block.get("s", 1)
    assert y.shape == (3, m.out_channels, -(-12 // stride), -(-12 // stride))
    assert m.out_channels == block.get("c", 6)
    assert torch.isfinite(y).all()
    (y * torch.randn_like(y)).sum().backward()
    grads = {name: p.grad for name, p in m.named_parameters()}
    assert all(g is not None and torch.isfinite(g).all() for g in grads.values()), token
    # A ReLU can be dead for one random batch; most tensors must still see a signal.
    alive = [g.abs().sum() > 0 for g in grads.values()]
    assert sum(alive) >= 0.75 * len(alive), f"{token}: gradients vanish"


@pytest.mark.parametrize("token", ["cv_c8", "ds_c8_s2", "ir_c8_e2", "rb_c8_s2", "aspp_c8", "mp"])
def test_blocks_survive_tiny_maps(token):
    m = create(4, Block.parse(token)).eval()
    assert m(torch.randn(1, 4, 1, 1)).shape[-2:] == (1, 1)


def test_bias_and_bn_placement_of_separable_conv():
    """Seeds 003/004: biased depthwise and pointwise convs, one BN after the pointwise."""
    m = create(16, Block.parse("ds_c32_b1"))
    kinds = [type(x).__name__ for x in m]
    assert kinds == ["Conv2d", "Conv2d", "BatchNorm2d", "ReLU"]
    assert m[0].groups == 16 and m[0].bias is not None and m[1].bias is not None
    assert sum(p.numel() for p in m.parameters()) == 160 + 544 + 64


def test_residual_projection_only_on_shape_change():
    same = create(8, Block.parse("cv_c8_r1"))
    proj = create(8, Block.parse("cv_c16_s2_r1"))
    assert isinstance(same.shortcut, torch.nn.Identity)
    assert not isinstance(proj.shortcut, torch.nn.Identity)
