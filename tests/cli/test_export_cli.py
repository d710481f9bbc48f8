"""``nas export``: end to end on a tiny model, exit codes, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from nas.cli.main import cli
from tests.deploy.conftest import model_pt, no_real_data, npz  # noqa: F401 (fixtures)
from tests.deploy.test_sources import fake_retrain

FAST = ["--images", "8", "--runs", "2"]


def invoke(*args: str):
    return CliRunner().invoke(cli, ["export", *args])


def assert_one_line_error(stderr: str, code: int, *needles: str) -> None:
    assert code == 2 and "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture()
def needs_onnx():
    for name in ("onnxruntime", "onnx", "onnxscript"):
        pytest.importorskip(name)


def test_exports_a_model_file(needs_onnx, model_pt, npz, tmp_path):  # noqa: F811
    r = invoke(str(model_pt), "--out", str(tmp_path / "out"), "--data", str(npz), *FAST)
    assert r.exit_code == 0, r.output + r.stderr
    assert "same top-1 on 8/8: ok" in r.stdout and "--data" in r.stdout
    assert "onnxruntime" in r.stdout and "MACs" in r.stdout
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 3 and names[0].endswith(".dynamic.onnx")


def test_exports_a_studys_top_picks_as_json(needs_onnx, no_real_data, tmp_path):  # noqa: F811
    ids = fake_retrain(tmp_path / "res")
    r = invoke(str(tmp_path / "res"), "--top", "2", "--out", "out", "--json",
               "--input-size", "12", *FAST)
    assert r.exit_code == 0, r.output + r.stderr
    rows = json.loads(r.stdout)
    assert [row["arch_id"] for row in rows] == [ids[2], ids[0]]
    assert all(row["check_ok"] and row["input_shape"] == [1, 3, 12, 12] for row in rows)
    assert "synthetic" in rows[0]["check"]["source"] and rows[0]["mean"] is None


def test_failed_check_exits_1(needs_onnx, model_pt, no_real_data, tmp_path,  # noqa: F811
                              monkeypatch):
    monkeypatch.setattr("nas.deploy.exporter.ATOL", -1.0)  # no export can pass
    r = invoke(str(model_pt), "--out", "out", *FAST)
    assert r.exit_code == 1
    assert "FAILED" in r.stdout and "error: ONNX check failed" in r.stderr


def test_missing_model_in_a_fresh_process(tmp_path):
    p = subprocess.run([sys.executable, "-m", "nas", "export", "gone/model.pt", "--out", "o"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    if "ONNX export needs" in p.stderr:  # no export extra here: that message instead
        assert_one_line_error(p.stderr, p.returncode, "pip install -e '.[export]'")
    else:
        assert_one_line_error(p.stderr, p.returncode, "gone/model.pt: no such model file")


@pytest.mark.parametrize(("args", "needle"), [
    (["studies/nope.db"], "no such model file or study"),
    (["sqlite:///nope.db"], "no such study file"),
    (["MODEL", "--top", "2"], "--top and --study apply to studies"),
    (["MODEL", "--input-size", "4"], "--input-size"),
    (["MODEL", "--opset", "17"], "--opset"),
    (["MODEL", "--opset", "99"], "--opset 99: torch's exporter writes opsets 18 to"),
    (["MODEL"], "Missing option '--out'"),
])
def test_bad_input_is_one_line_exit_2(needs_onnx, model_pt, tmp_path, monkeypatch,  # noqa: F811
                                      args, needle):
    monkeypatch.chdir(tmp_path)
    args = [str(model_pt) if a == "MODEL" else a for a in args]
    out = [] if "--out" in needle else ["--out", "o"]
    r = invoke(*args, *out)
    assert_one_line_error(r.stderr, r.exit_code, needle)


def test_unknown_study_name_lists_the_studies(needs_onnx, tmp_path, monkeypatch):
    import optuna

    monkeypatch.chdir(tmp_path)
    for name in ("alpha", "beta"):
        optuna.create_study(storage="sqlite:///s.db", study_name=name)
    r = invoke("s.db", "--study", "gamma", "--out", "o")
    assert_one_line_error(r.stderr, r.exit_code, "no study 'gamma'", "alpha", "beta")
    r = invoke("s.db", "--out", "o")  # several studies and no --study
    assert_one_line_error(r.stderr, r.exit_code, "pick one with --study", "alpha, beta")
    assert not (tmp_path / "o").exists()


def test_missing_onnxruntime_is_one_line(model_pt, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if absent
    r = invoke(str(model_pt), "--out", str(tmp_path / "o"))
    assert_one_line_error(r.stderr, r.exit_code, "onnxruntime", "pip install -e '.[export]'")
    assert not (tmp_path / "o").exists()
