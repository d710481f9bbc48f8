"""ONNX round trip: random genomes of every block type export, and ONNX Runtime agrees.

Every op (cv, ds, ir/MBConv, rb, aspp, mp, dp), SE and dilation appear in at least one
genome; BatchNorm statistics are randomised so a wrong folding would show.
"""

from __future__ import annotations

import pytest
import torch

from nas.builder import build
from nas.deploy.onnx import OPSET, export_onnx, opset_of, ort_session, run
from nas.genome import Genome
from tests.deploy.conftest import randomize_bn
from tests.genomes import random_genome

ort = pytest.importorskip("onnxruntime")  # nas.deploy.onnx imports these only when used
onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxscript")

FEATURES = ("cv", "ds", "ir", "rb", "aspp", "mp", "dp", "se", "dilated")
SIZE = 16  # px: every random genome works at 8 px or more


def features(g: Genome) -> set[str]:
    found = set()
    for block in (b for stage in g.stages for b in stage):
        found.add(block.op)
        if float(block.get("se", 0) or 0) > 0:
            found.add("se")
        d = block.get("d", 1)
        if any(r > 1 for r in (d if isinstance(d, tuple) else (d,))):
            found.add("dilated")
    return found


def covering_genomes() -> list[Genome]:
    """Random genomes, in seed order, until every feature has appeared at least once."""
    chosen, seen = [], set()
    for seed in range(1000):
        g = random_genome(seed)
        new = features(g) - seen
        if new:
            chosen.append(g)
            seen |= new
        if seen >= set(FEATURES):
            return chosen
    raise AssertionError(f"no random genome with {set(FEATURES) - seen}")


GENOMES = covering_genomes()


def test_the_genomes_cover_every_block_type():
    assert set().union(*map(features, GENOMES)) >= set(FEATURES)


@pytest.mark.parametrize("genome", GENOMES, ids=[g.arch_id for g in GENOMES])
def test_round_trip_matches_torch(genome, tmp_path):
    torch.manual_seed(0)
    net = randomize_bn(build(genome))
    chans = genome.head["i"]
    path = export_onnx(net, tmp_path / "m.onnx", SIZE, chans, dynamic=True)
    x = torch.randn(5, chans, SIZE, SIZE)
    with torch.inference_mode():
        ref = net(x).numpy()
    got = run(ort_session(path), x.numpy())
    assert got.shape == ref.shape == (5, genome.head["c"])
    assert abs(got - ref).max() <= 1e-4
    assert (got.argmax(1) == ref.argmax(1)).all()


def _dims(path, which):
    model = onnx.load(str(path))
    value = getattr(model.graph, which)[0]
    return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]


def test_static_and_dynamic_inputs(tmp_path):
    net = build("cv_c4,ds_c8_s2/head_c3").eval()
    static = export_onnx(net, tmp_path / "s.onnx", 12, 3)
    dynamic = export_onnx(net, tmp_path / "d.onnx", 12, 3, dynamic=True)
    assert _dims(static, "input") == [1, 3, 12, 12] and _dims(static, "output") == [1, 3]
    batch = _dims(dynamic, "input")
    assert isinstance(batch[0], str) and batch[1:] == [3, 12, 12]
    assert run(ort_session(dynamic), torch.randn(7, 3, 12, 12).numpy()).shape == (7, 3)
    with pytest.raises(Exception, match=r"(?i)dim|shape"):
        run(ort_session(static), torch.randn(2, 3, 12, 12).numpy())
    assert opset_of(static) == OPSET


def test_export_does_not_touch_the_model(tmp_path):
    net = build("cv_c4/head").train()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    export_onnx(net, tmp_path / "m.onnx", 8)
    assert net.training
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
