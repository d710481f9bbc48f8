"""End to end on tiny synthetic data: retrain --top 2 for 1 epoch, outputs, load, resume."""

import csv
import json
import math
import shutil
import subprocess
import sys

import pytest

import nas
from nas.data import load_dataset
from nas.errors import NasError
from nas.retrain import retrain
from nas.study import open_study, records
from nas.train import evaluate
from tests.retrain.studies import make_data, make_study, retrained_study


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    root = tmp_path_factory.mktemp("retrain")
    db, data, summary = retrained_study(root)
    return root, db, data, summary


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_summary_has_two_models_with_test_acc(done):
    root, _, _, _ = done
    table = rows(root / "results" / "summary.csv")
    assert len(table) == 2
    assert [r["rank"] for r in table] == ["1", "2"]
    for r in table:
        assert 0.0 <= float(r["test_acc"]) <= 1.0
        assert 0.0 <= float(r["final_val_acc"]) <= 1.0
        assert r["epochs"] == "1" and int(r["params"]) > 0 and r["genome"]
    md = (root / "results" / "summary.md").read_text()
    assert "| rank |" in md and table[0]["arch_id"] in md


def test_per_model_files(done):
    root, _, _, summary = done
    for row in summary.rows:
        d = root / "results" / row["arch_id"]
        for name in ("model.pt", "metrics.json", "history.csv", "curves.svg"):
            assert (d / name).is_file(), name
        metrics = json.loads((d / "metrics.json").read_text())
        assert metrics["test_acc"] == row["test_acc"] and metrics["per_seed"][0]["seed"] == 0
        assert rows(d / "history.csv")[0]["epoch"] == "1"
        assert (d / "curves.svg").read_text().startswith("<svg")


def test_load_reproduces_test_accuracy(done):
    root, _, data, summary = done
    row = summary.rows[0]
    model = nas.load(root / "results" / row["arch_id"] / "model.pt")
    assert model.genome == row["genome"] and not model.training
    c = model.config
    _, acc = evaluate(model, load_dataset(data), "test", c["eval_batch_size"], c["tta"],
                      c["amp"], c["channels_last"])
    assert acc == pytest.approx(row["test_acc"], abs=1e-9)
    assert model.metrics["test_acc"] == row["test_acc"]


def test_results_written_back_to_trials(done):
    _, db, _, summary = done
    by_number = {r.number: r for r in records(open_study(db))}
    for row in summary.rows:
        r = by_number[row["trial"]]
        assert r.test_acc == row["test_acc"]
        assert r.final_val_acc == row["final_val_acc"]
        assert r.genome == row["genome"]  # search's attrs untouched


def test_rerun_skips_finished_seeds(done):
    root, db, data, summary = done
    lines = []
    again = retrain(db, top=2, epochs=1, data=data, out=root / "results", device="cpu",
                    progress="none", echo=lines.append)
    assert sum("already done" in s for s in lines) == 2
    assert [r["test_acc"] for r in again.rows] == [r["test_acc"] for r in summary.rows]


def test_rerun_without_the_weights_rewrites_the_figures(done, tmp_path):
    # a fresh checkout of committed results: result.json and metrics, no *.pt
    root, db, data, summary = done
    out = tmp_path / "results"
    shutil.copytree(root / "results", out, ignore=shutil.ignore_patterns("*.pt"))
    again = retrain(db, top=2, epochs=1, data=data, out=out, device="cpu",
                    progress="none", echo=lambda s: None)
    assert [r["test_acc"] for r in again.rows] == [r["test_acc"] for r in summary.rows]
    assert not list(out.rglob("*.pt"))


def test_resume_after_kill_continues_from_checkpoint(tmp_path):
    """Kill a 3-epoch retrain during epoch 2; the rerun trains epochs 2-3 only."""
    db, data = make_study(tmp_path / "s.db"), make_data(tmp_path / "d.npz")
    out = tmp_path / "out"
    code = ("import os, nas.train.loop as L\n"
            "orig = L._save\n"
            "def save(path, stepper, model, config, history, *seconds):\n"
            "    orig(path, stepper, model, config, history, *seconds)\n"
            "    if len(history) == 1: os._exit(9)\n"
            "L._save = save\n"
            "from nas.retrain import retrain\n"
            f"retrain({db!r}, top=1, epochs=3, data={data!r}, out={str(out)!r}, "
            "device='cpu', progress='none')\n")
    killed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert killed.returncode == 9, killed.stderr
    seed_dir = next(out.glob("*/seeds/0"))
    assert (seed_dir / "checkpoint.pt").is_file() and not (seed_dir / "result.json").exists()
    s = retrain(db, top=1, epochs=3, data=data, out=out, device="cpu", progress="none",
                echo=lambda _: None)
    history = rows(seed_dir / "history.csv")
    assert [h["epoch"] for h in history] == ["1", "2", "3"]
    assert s.rows[0]["epochs"] == 3 and math.isfinite(s.rows[0]["test_acc"])
    result = json.loads((seed_dir / "result.json").read_text())
    assert result["cpu_seconds"] > 0  # both processes' CPU time, carried by the checkpoint


def test_other_config_in_same_out_is_refused(done):
    root, db, data, _ = done
    with pytest.raises(NasError, match="different config"):
        retrain(db, top=1, epochs=2, data=data, out=root / "results", device="cpu",
                progress="none", echo=lambda _: None)


def test_cli_retrain_runs(tmp_path):
    db, data = make_study(tmp_path / "s.db"), make_data(tmp_path / "d.npz")
    r = subprocess.run([sys.executable, "-m", "nas", "retrain", db, "--top", "1", "--epochs",
                        "1", "--data", data, "--out", str(tmp_path / "o"), "--device", "cpu"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "pick 1/1: trial 2: highest proxy val_acc on the Pareto front" in r.stdout
    assert (tmp_path / "o" / "summary.csv").is_file()


def test_diverged_model_is_left_out(tmp_path, monkeypatch):
    from nas.retrain import run
    from nas.train import TrainingDiverged

    def diverge(*args, **kwargs):
        raise TrainingDiverged(1, 3, float("nan"))

    monkeypatch.setattr(run, "train_seed", diverge)
    db, data = make_study(tmp_path / "s.db"), make_data(tmp_path / "d.npz")
    lines = []
    s = retrain(db, top=2, epochs=1, data=data, out=tmp_path / "o", device="cpu",
                progress="none", echo=lines.append)
    assert s.rows == [] and sum("left out of the summary" in x for x in lines) == 2, lines
    assert rows(tmp_path / "o" / "summary.csv") == []
    assert (tmp_path / "o" / "summary.csv").read_text().startswith("rank,pareto_rank,")


def test_no_test_validates_only_then_a_rerun_tests_without_training(tmp_path, monkeypatch):
    """--no-test leaves the test split untouched; the same command without it tests the
    saved models once and trains nothing again."""
    import nas.train.run as run_mod

    db, data = make_study(tmp_path / "s.db"), make_data(tmp_path / "d.npz")
    splits = []
    real = run_mod.evaluate

    def spy(net, ds, split, *a, **kw):
        splits.append(split)
        return real(net, ds, split, *a, **kw)

    monkeypatch.setattr(run_mod, "evaluate", spy)
    first = retrain(db, top=1, epochs=1, data=data, out=tmp_path / "r", device="cpu",
                    progress="none", echo=lambda s: None, test=False)
    assert splits == [] and first.rows[0]["test_acc"] is None
    assert 0.0 <= first.rows[0]["final_val_acc"] <= 1.0
    assert records(open_study(db))[first.rows[0]["trial"]].test_acc is None
    lines = []
    second = retrain(db, top=1, epochs=1, data=data, out=tmp_path / "r", device="cpu",
                     progress="none", echo=lines.append)
    assert splits == ["test"] and any("testing it once now" in s for s in lines)
    row = second.rows[0]
    assert row["final_val_acc"] == first.rows[0]["final_val_acc"]  # not retrained
    model = nas.load(tmp_path / "r" / row["arch_id"] / "model.pt")
    assert model.metrics["test_acc"] == row["test_acc"] is not None
    c = model.config
    _, acc = evaluate(model, load_dataset(data), "test", c["eval_batch_size"], c["tta"],
                      c["amp"], c["channels_last"])
    assert acc == pytest.approx(row["test_acc"], abs=1e-9)


def test_testing_a_validated_seed_without_its_weights_is_a_clear_error(tmp_path):
    db, data = make_study(tmp_path / "s.db"), make_data(tmp_path / "d.npz")
    retrain(db, top=1, epochs=1, data=data, out=tmp_path / "r", device="cpu",
            progress="none", echo=lambda s: None, test=False)
    for f in (tmp_path / "r").rglob("*.pt"):
        f.unlink()  # a checkout of the committed results
    with pytest.raises(NasError, match=r"trained without testing, and its model\.pt is gone"):
        retrain(db, top=1, epochs=1, data=data, out=tmp_path / "r", device="cpu",
                progress="none", echo=lambda s: None)
