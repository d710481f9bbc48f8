"""nas.curves.recorded on a tiny synthetic results/ tree (no CIFAR, no real results/)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState, create_trial

from nas.curves.recipe import Recipe, from_signature
from nas.curves.recorded import load_recorded

GENOME = "cv_c8/ds_c16_s2/head"
SH = "sh1-3-10_eta3_n45000_b256_lr0.2"


def _trial(number: int, status: str, curve: list[float], **extra: object):
    attrs = {"status": status, "arch_id": f"a{number}", "genome": GENOME, "params": 1000 + number,
             "macs": 5000, "depth": 2.0, "sh": SH, "curve": curve, "test_acc": 0.99, **extra}
    state = TrialState.PRUNED if status in ("stopped", "rejected") else TrialState.COMPLETE
    values = [curve[-1] if curve else 0.0, 1000.0] if state == TrialState.COMPLETE else None
    return create_trial(state=state, values=values, user_attrs=attrs)


def _study(db: Path) -> None:
    db.parent.mkdir(parents=True)
    study = optuna.create_study(storage=f"sqlite:///{db}", study_name="s",
                                directions=["maximize", "minimize"])
    study.set_user_attr("retrain:0", {"test_acc": 0.99})
    study.add_trial(_trial(0, "trained", [0.4 + 0.02 * e for e in range(10)]))
    study.add_trial(_trial(1, "stopped", [0.3, 0.4, 0.45]))
    study.add_trial(_trial(2, "duplicate", [0.4 + 0.02 * e for e in range(10)]))
    study.add_trial(_trial(3, "rejected", []))


def _run(folder: Path, seed: int) -> None:
    folder.mkdir(parents=True)
    config = {"epochs": 3, "batch_size": 256, "lr": 0.2, "seed": seed}
    hist = [{"epoch": e + 1, "val_acc": 0.5 + 0.1 * e} for e in range(3)]
    folder.joinpath("result.json").write_text(json.dumps({
        "name": "seedX", "genome": GENOME, "arch_id": "ax", "params": 1234, "config": config,
        "history": hist, "test_acc": 0.99, "train_images": 45000}))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    _study(tmp_path / "budget" / "picks" / "tpe-1k" / "study.db")
    _run(tmp_path / "budget" / "runs" / "R3" / "seedX-s0", 0)
    return tmp_path


def _digest(root: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_reads_trained_and_stopped_trials_and_runs(root: Path) -> None:
    curves = load_recorded(root, static=False)
    by_ref = {(c.source, c.ref): c for c in curves}
    assert set(by_ref) == {("budget:tpe-1k", "0"), ("budget:tpe-1k", "1"),
                           ("run:budget/runs/R3", "budget/runs/R3/seedX-s0")}
    full, stopped = by_ref["budget:tpe-1k", "0"], by_ref["budget:tpe-1k", "1"]
    assert full.recipe == Recipe(10, 45000, 256, 0.2) and full.complete
    assert full.final == pytest.approx(0.58) and full.params == 1000 and full.macs == 5000
    assert not stopped.complete and stopped.final is None and stopped.val == (0.3, 0.4, 0.45)
    run = by_ref["run:budget/runs/R3", "budget/runs/R3/seedX-s0"]
    assert run.kind == "run" and run.seed == 0 and run.complete
    assert run.recipe.key == "e3_n45000_b256_lr0.2" and run.val == pytest.approx((0.5, 0.6, 0.7))


def test_never_writes_results_and_never_returns_test_figures(root: Path) -> None:
    before = _digest(root)
    curves = load_recorded(root, static=False)
    assert _digest(root) == before  # no -shm / -wal, no migration
    assert all("0.99" not in repr(c) for c in curves)


def test_static_figures_filled_from_a_study_that_screened_the_genome(root: Path) -> None:
    run = next(c for c in load_recorded(root) if c.kind == "run")
    assert (run.params, run.macs, run.depth) == (1234, 5000, 2.0)


def test_signatures() -> None:
    assert from_signature("sh1-3-10-30_eta3_n45000_b256_lr0.2").key == "e30_n45000_b256_lr0.2"
    assert from_signature("e2_n10000_b256_lr0.2") == Recipe(2, 10000, 256, 0.2)
    with pytest.raises(ValueError):
        from_signature("ref")
