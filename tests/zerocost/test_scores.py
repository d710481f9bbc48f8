import math

import pytest
import torch

from nas.builder import build
from nas.data import make_synthetic
from nas.genome import Genome
from nas.zerocost import SCORES, probe_batch, score_genome
from nas.zerocost.registry import score_model
from nas.zerocost.weights import strip_batchnorm

GENOMES = ["cv_c8,ds_c16_s2_se0.25/ir_c16_e2_r1,mp,ds_c24_d2_asilu/head",
           "cv_c8_ahswish/rb_c16_s2,aspp_c16/head_h16_p0.1"]


@pytest.fixture(scope="module")
def data():
    return make_synthetic(n_train=256, n_val=32, n_test=32, image_size=16, num_classes=4)


@pytest.mark.parametrize("genome", GENOMES)
def test_every_score_is_finite_and_deterministic_for_a_seed(data, genome):
    first = score_genome(genome, data, seed=3)
    again = score_genome(genome, data, seed=3)
    assert set(first) == set(SCORES) >= {"synflow", "naswot", "grad_norm", "zico", "params",
                                          "macs", "rf", "depth"}
    for name, (value, ms) in first.items():
        assert math.isfinite(value), name
        assert ms >= 0
        assert value == again[name][0], name


def test_initialisation_seed_changes_the_data_dependent_scores(data):
    a, b = score_genome(GENOMES[0], data, seed=0), score_genome(GENOMES[0], data, seed=1)
    assert a["grad_norm"][0] != b["grad_norm"][0] and a["zico"][0] != b["zico"][0]
    assert a["params"][0] == b["params"][0] and a["macs"][0] == b["macs"][0]


def test_scores_leave_weights_and_bn_statistics_alone(data):
    g = Genome.from_string(GENOMES[0]).replace_head(c=4)
    torch.manual_seed(0)
    model = build(g).eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    score_model(model, probe_batch(data, g))
    after = model.state_dict()
    assert all(torch.equal(v, after[k]) for k, v in before.items())
    assert not model.training and all(p.grad is None for p in model.parameters())


def test_trivial_scores_match_the_genome(data):
    g = "cv_c8/rb_c16_s2,ds_c16/head"
    s = score_genome(g, data)
    net = build(Genome.from_string(g).replace_head(c=4))  # the data's 4 classes
    assert s["params"][0] == sum(p.numel() for p in net.parameters())
    assert s["depth"][0] == 4  # cv 1 + rb 2 + ds 1


def test_synflow_grows_with_width_and_ignores_data(data):
    narrow = score_genome("cv_c8/cv_c8/head", data)["synflow"][0]
    wide = score_genome("cv_c32/cv_c32/head", data)["synflow"][0]
    other = make_synthetic(n_train=256, n_val=32, n_test=32, image_size=16, num_classes=4,
                           seed=5)
    assert wide > narrow
    assert score_genome("cv_c8/cv_c8/head", other)["synflow"][0] == narrow


def test_naswot_is_the_log_determinant_of_the_agreement_kernel(data):
    """Hand-checked on one ReLU layer: K_ij counts the units where images agree."""
    g = Genome.from_string("cv_c4_n0/head").replace_head(c=4)
    torch.manual_seed(0)
    model = build(g)
    probe = probe_batch(data, g, images=8)
    conv = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    with torch.no_grad():
        c = (conv(probe.x) > 0).flatten(1).double()
    k = c @ c.T + (1 - c) @ (1 - c).T
    expected = torch.linalg.slogdet(k).logabsdet.item()
    assert SCORES["naswot"](model, probe) == pytest.approx(expected)


def test_strip_batchnorm_removes_every_bn():
    model = strip_batchnorm(build("cv_c8,ds_c8_n2/rb_c8/head"))
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
