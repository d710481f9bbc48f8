"""run_search end to end on tiny data: counts, limits, resume, duplicates, failures."""

from __future__ import annotations

import optuna
import pytest
from optuna.trial import TrialState

import nas.search.evaluators.base as trainer_seam
from nas.genome import Genome
from nas.search import Space, run_search
from nas.study import Status, trained_trials
from nas.study.record import as_record
from nas.train import TrainingDiverged


def _trials(summary):
    storage = summary.storage
    return optuna.load_study(study_name=summary.study, storage=storage).get_trials()


@pytest.fixture()
def count_train(monkeypatch):
    """Count calls of the trainer (and optionally make call k raise)."""
    calls = {"n": 0, "raise": {}}
    real = trainer_seam.train

    def fake(*args, **kwargs):
        calls["n"] += 1
        exc = calls["raise"].get(calls["n"])
        if exc is not None:
            raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(trainer_seam, "train", fake)
    return calls


def test_exact_trials_within_limits_and_rejected_never_trained(config, data, count_train):
    s = run_search(config(trials=4, rf_min=50, budget=20_000), data=data, progress=False)
    trials = _trials(s)
    counted = [t for t in trials if as_record(t).is_counted]
    assert s.ended == "done" and len(counted) == 4 == s.stats.counted
    assert count_train["n"] == 4
    for t in counted:
        assert t.user_attrs["params"] <= 20_000 and t.user_attrs["rf"] >= 50
        assert {"genome", "arch_id", "macs", "val_acc", "epochs", "train_seconds"} <= set(
            t.user_attrs)
        assert 0.0 <= t.user_attrs["val_acc"] <= 1.0
        assert t.user_attrs["images"] > 0 and t.user_attrs["images"] % t.user_attrs["epochs"] == 0
    assert s.stats.images == sum(t.user_attrs["images"] for t in counted)
    rejected = [t for t in trials if as_record(t).status == Status.REJECTED]
    assert rejected, "budget 20k with rf-min 50 should reject some samples"
    for t in rejected:
        assert t.state == TrialState.PRUNED and "reject_reason" in t.user_attrs
        assert t.user_attrs["val_acc"] is None and t.user_attrs["epochs"] == 0
        assert t.user_attrs["train_seconds"] == 0.0 and "curve" not in t.user_attrs
        assert any(v > 0 for v in t.constraints.values())
        assert t.user_attrs["params"] > 20_000 or t.user_attrs["rf"] < 50


def test_resume_adds_only_the_missing_trials(config, data, count_train):
    first = run_search(config(trials=2), data=data, progress=False)
    before = {t.number: t.datetime_complete for t in _trials(first) if as_record(t).is_counted}
    second = run_search(config(trials=4), data=data, progress=False)
    after = [t for t in _trials(second) if as_record(t).is_counted]
    assert len(before) == 2 and len(after) == 4 and count_train["n"] == 4
    assert all(t.datetime_complete == before[t.number] for t in after if t.number in before)


def test_interrupted_run_resumes(config, data, count_train):
    count_train["raise"][2] = KeyboardInterrupt()
    s = run_search(config(trials=3), data=data, progress=False)
    assert s.ended == "interrupted" and s.stats.counted == 1
    failed = [t for t in _trials(s) if t.state == TrialState.FAIL]
    assert len(failed) == 1 and "interrupted" in failed[0].user_attrs["fail_reason"]
    assert not [t for t in _trials(s) if t.state == TrialState.RUNNING]
    s = run_search(config(trials=3), data=data, progress=False)
    assert s.ended == "done" and s.stats.counted == 3 and count_train["n"] == 4
    # the interrupted candidate was queued again and trained by the rerun, once
    retried = [t for t in _trials(s) if t.user_attrs.get("retry_of") == failed[0].number]
    assert len(retried) == 1 and as_record(retried[0]).is_counted
    assert retried[0].user_attrs["arch_id"] == failed[0].user_attrs["arch_id"]
    s = run_search(config(trials=3), data=data, progress=False)
    assert count_train["n"] == 4  # nothing queued twice, nothing trained again
    assert not [t for t in _trials(s) if t.state == TrialState.WAITING]


def test_diverged_trial_fails_and_search_goes_on(config, data, count_train):
    count_train["raise"][1] = TrainingDiverged(1, 1, float("nan"))
    s = run_search(config(trials=2), data=data, progress=False)
    assert s.stats.counted == 2 and s.stats.failed == 1
    failed = next(t for t in _trials(s) if t.state == TrialState.FAIL)
    assert failed.user_attrs["fail_reason"].startswith("diverged")


def _two_arch_space() -> Space:
    def sample(trial, budget):
        c = trial.suggest_categorical("s1_c", (8, 16))
        return Genome.from_string(f"cv_c{c}/ds_c16_s2/head")
    return Space("two", "two architectures", sample)


def test_duplicates_reuse_the_result(config, data, count_train):
    s = run_search(config(trials=3, space=_two_arch_space(), max_samples=15), data=data,
                   progress=False)
    trials = _trials(s)
    assert count_train["n"] == 2 and s.ended == "exhausted" and s.stats.counted == 2
    dups = [t for t in trials if as_record(t).status == Status.DUPLICATE]
    assert dups and s.stats.duplicates == len(dups)
    by_number = {t.number: t for t in trials}
    for d in dups:
        orig = by_number[d.user_attrs["duplicate_of"]]
        assert d.user_attrs["arch_id"] == orig.user_attrs["arch_id"]
        assert d.user_attrs["val_acc"] == orig.user_attrs["val_acc"]
        assert d.user_attrs["train_seconds"] == 0.0
    assert len(trained_trials(trials)) == 2


def test_macs_budget_rejects_with_reason(config, data):
    s = run_search(config(trials=1, macs_budget=200_000, max_samples=30), data=data,
                   progress=False)
    reasons = [t.user_attrs["reject_reason"] for t in _trials(s)
               if as_record(t).status == Status.REJECTED]
    assert reasons and all("MACs" in r for r in reasons)
    assert all(t.user_attrs["macs"] <= 200_000 for t in _trials(s) if as_record(t).is_counted)


def test_journal_storage_and_tpe(config, data, tmp_path):
    s = run_search(config(trials=2, storage=str(tmp_path / "s.log"), sampler="tpe"),
                   data=data, progress=False)
    assert s.storage.startswith("journal:///") and s.stats.counted == 2
    assert s.commands()["retrain"] == f"nas retrain {tmp_path / 's.log'} --top 3"


def test_three_objectives_with_macs(config, data):
    s = run_search(config(trials=2, objectives=3), data=data, progress=False)
    done = [t for t in _trials(s) if t.state == TrialState.COMPLETE]
    assert done and all(len(t.values) == 3 for t in done)
    assert all(t.values[2] == t.user_attrs["macs"] for t in done)


def test_two_worker_processes_share_one_sqlite_study(config, npz):
    s = run_search(config(trials=3, workers=2, data=str(npz)), progress=False)
    counted = [t for t in _trials(s) if as_record(t).is_counted]
    assert s.ended == "done" and len(counted) == 3
    assert len({t.user_attrs["arch_id"] for t in counted}) == 3
    assert not [t for t in _trials(s) if t.state == TrialState.RUNNING]


def test_median_rule_stops_weak_candidates_and_counts_savings(config, data, monkeypatch):
    from nas.train import EpochMetrics, TrainResult

    accs = iter([0.5, 0.6, 0.7, 0.8, 0.1, 0.9, 0.2])  # epoch-1 accuracies, in trial order

    def fake_train(model, data, cfg, callbacks=(), **kw):
        first, history = next(accs), []
        for epoch in range(1, cfg.epochs + 1):
            m = EpochMetrics(epoch, 1.0, 0.5, 1.0, first + 0.01 * epoch, 0.1, 0.01)
            history.append(m)
            if any([cb(m) for cb in callbacks]):
                break
        return TrainResult(history[-1].val_acc, 1.0, len(history), 0.01, False, history)

    monkeypatch.setattr(trainer_seam, "train", fake_train)
    s = run_search(config(trials=7, proxy_epochs=3), data=data, progress=False)
    stopped = [t for t in _trials(s) if as_record(t).status == Status.STOPPED]
    assert s.stats.counted == 7 and len(stopped) == 2  # the 0.1 and 0.2 candidates
    for t in stopped:
        assert t.state == TrialState.PRUNED and t.user_attrs["epochs"] == 1
        assert t.user_attrs["planned_epochs"] == 3
    assert s.stats.epochs_saved == 4 and s.stats.epochs_planned == 21
    assert not {t.number for t in stopped} & {t.number for t in trained_trials(_trials(s))}


@pytest.mark.parametrize("where", ["ask", "tell"])
def test_a_stop_in_optunas_own_steps_leaves_no_trial_running(config, data, count_train,
                                                            monkeypatch, where):
    """Ctrl-C landing just after Optuna created the trial (before the objective wrote
    anything) or while it writes the trial's end state: the run ends 'interrupted' with
    the trial FAIL ('interrupted') or COMPLETE, never RUNNING."""
    import optuna.study._optimize as optimize
    from optuna.study import Study

    from nas.interrupts import stop

    owner, name = (Study, "ask") if where == "ask" else (optimize, "_tell_with_warning")
    original = getattr(owner, name)
    calls = []

    def interrupted(*a, **kw):
        out = original(*a, **kw)
        if not calls:  # the first trial only
            calls.append(where)
            stop(KeyboardInterrupt())  # as a signal handler would
        return out

    monkeypatch.setattr(owner, name, interrupted)
    s = run_search(config(trials=2), data=data, progress=False)
    assert calls == [where] and s.ended == "interrupted"
    trials = _trials(s)
    assert not [t for t in trials if t.state == TrialState.RUNNING]
    if where == "ask":
        assert trials[0].state == TrialState.FAIL and count_train["n"] == 0
        assert "interrupted" in trials[0].user_attrs["fail_reason"]
    else:
        assert trials[0].state == TrialState.COMPLETE and count_train["n"] == 1
