"""Reaping dead workers' trials: a trial whose worker died before it recorded itself."""

from __future__ import annotations

from datetime import timedelta

import optuna
import pytest
from optuna.trial import TrialState

from nas.study import Status
from nas.study.workers import fail_unclaimed


@pytest.fixture()
def study(tmp_path) -> optuna.Study:
    return optuna.create_study(storage=f"sqlite:///{tmp_path / 's.db'}",
                               directions=["maximize", "minimize"])


def _start(study: optuna.Study, number: int):
    return study.get_trials(deepcopy=False)[number].datetime_start


def test_a_trial_without_a_worker_is_failed_after_the_grace_period(study, monkeypatch):
    monkeypatch.setenv("NAS_GRACE_PERIOD", "40")
    study.ask()  # killed before the objective wrote its worker
    start = _start(study, 0)
    assert fail_unclaimed(study, now=start + timedelta(seconds=39)) == []
    assert fail_unclaimed(study, now=start + timedelta(seconds=41)) == [0]
    t = study.get_trials()[0]
    assert t.state == TrialState.FAIL and t.user_attrs["status"] == Status.FAILED
    assert "worker died before recording itself" in t.user_attrs["fail_reason"]
    assert len(study.get_trials()) == 1  # it had sampled nothing: nothing to re-queue


def test_a_trial_with_a_worker_is_left_to_the_other_reapers(study):
    study.ask().set_user_attr("worker", "elsewhere:1")
    assert fail_unclaimed(study, now=_start(study, 0) + timedelta(days=1)) == []
    assert study.get_trials()[0].state == TrialState.RUNNING


def test_a_popped_requeued_trial_is_requeued_again(study):
    study.enqueue_trial({"x": 1})
    study.ask()  # popped the queued trial, then died
    assert fail_unclaimed(study, now=_start(study, 0) + timedelta(days=1)) == [0]
    states = [t.state for t in study.get_trials()]
    assert states == [TrialState.FAIL, TrialState.WAITING]
    assert study.get_trials()[1].system_attrs["fixed_params"] == {"x": 1}
