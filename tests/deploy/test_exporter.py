"""``export_model``: the files it writes, the check it runs, and that the check can fail."""

from __future__ import annotations

import json

import pytest
import torch

from nas.builder import build
from nas.deploy.exporter import ATOL, compare, export_model
from nas.deploy.images import check_images
from nas.deploy.onnx import export_onnx, ort_session
from nas.io import load
from tests.deploy.conftest import TINY, randomize_bn

pytest.importorskip("onnxruntime")  # the modules above import it only when used
pytest.importorskip("onnxscript")


def test_export_model_writes_checked_files(model_pt, tmp_path):
    model = load(model_pt)
    images = check_images(None, "synthetic", 6, 16, 3)
    r = export_model(model, tmp_path / "out", images, runs=2)
    arch = r.arch_id
    assert r.static_path == tmp_path / "out" / f"{arch}.onnx"
    assert r.dynamic_path == tmp_path / "out" / f"{arch}.dynamic.onnx"
    assert r.static_bytes == r.static_path.stat().st_size > 0
    assert r.check.ok and r.check.images == 6 and r.check.max_abs_diff <= ATOL
    assert r.input_shape == (1, 3, 16, 16) and r.opset == 18
    assert r.torch_latency.runtime == "torch" and r.ort_latency.runtime == "onnxruntime"
    saved = json.loads((tmp_path / "out" / f"{arch}.json").read_text())
    assert saved["genome"] == r.genome == build(TINY).genome and saved["check_ok"] is True
    assert saved["params"] == sum(p.numel() for p in model.parameters())
    assert "ok" in r.lines()[2] and f"{r.params:,} params" in r.lines()[1]


def test_check_fails_when_onnx_and_torch_disagree(tmp_path):
    torch.manual_seed(0)
    exported = randomize_bn(build(TINY))
    other = randomize_bn(build(TINY), seed=1)  # same genome, other weights
    path = export_onnx(exported, tmp_path / "m.onnx", 16, dynamic=True)
    images = check_images(None, "synthetic", 8, 16, 3)
    session = ort_session(path)
    good = compare(exported, (session, session), images)
    bad = compare(other, (session, session), images)
    assert good.ok and good.top1_same == 8
    assert not bad.ok and bad.max_abs_diff > ATOL
