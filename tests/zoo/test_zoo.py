import pytest
import torch

from nas.analysis import analyze
from nas.builder import build
from nas.zoo import ZOO, resolve


def test_seed_reproductions_are_exact():
    assert analyze(ZOO["seed003"].parsed).params == 82_474
    assert analyze(ZOO["seed004"].parsed).params == 150_738


def test_seed003_layer_counts_match_its_summary():
    # Per-layer figures of seed 003's torchinfo table (conv + its BN).
    rows = analyze(ZOO["seed003"].parsed).layers
    assert [r.params for r in rows] == [448 + 32, 160 + 544 + 64, 320 + 1584 + 96,
                                        20784 + 96, 480 + 3136 + 128, 36928 + 128,
                                        640 + 6240 + 192, 9312 + 192]
    assert [r.out_shape for r in rows][-1] == (96, 8, 8)


@pytest.mark.parametrize(("name", "low", "high"), [
    ("seed000", 380_000, 400_000), ("seed001", 395_000, 405_000),
    ("seed002", 150_000, 200_000), ("seed002-strided", 150_000, 200_000),
    ("resnet20", 265_000, 275_000),
])
def test_close_reproductions_are_near_their_counts(name, low, high):
    assert low <= analyze(ZOO[name].parsed).params < high


@pytest.mark.parametrize("name", list(ZOO))
def test_analysis_matches_built_model(name):
    g = ZOO[name].parsed
    a = analyze(g)
    net = build(g).eval()
    assert a.params == sum(p.numel() for p in net.parameters())
    feats = net.features(torch.zeros(1, 3, 32, 32))
    assert tuple(feats.shape[1:]) == a.layers[-1].out_shape
    assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    if ZOO[name].exact_params is not None:
        assert a.params == ZOO[name].exact_params
    assert f"{a.params:,}" in ZOO[name].doc or ZOO[name].exact_params is None


def test_resolve_accepts_names_and_genomes():
    assert resolve("seed004")[1] == ZOO["seed004"].parsed
    name, g = resolve("cv_c8/head")
    assert name == g.arch_id


def _dilations_fit(genome) -> list[str]:
    """Dilated convs and ASPP rates whose outer taps fall outside the map at every pixel."""
    size, bad = 32, []
    for b in genome.blocks:
        if b.op == "mp":
            size //= b["s"]
            continue
        if b.get("s", 1) > 1:
            size = -(-size // b["s"])
        rates = b["d"] if b.op == "aspp" else (b.get("d", 1),)
        bad += [f"{b.to_string()} rate {d} on {size} px" for d in rates if d >= size]
    return bad


@pytest.mark.parametrize("name", [n for n in ZOO if n != "seed002-strided"])
def test_every_dilation_sees_beyond_its_centre(name):
    assert _dilations_fit(ZOO[name].parsed) == []


def test_the_strided_seed002_is_the_one_that_wastes_its_dilations():
    assert _dilations_fit(ZOO["seed002-strided"].parsed)
