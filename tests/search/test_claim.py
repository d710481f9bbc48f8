"""The write-then-read training claim: whatever the interleaving of two workers, an
architecture is never trained twice and the study never trains past ``--trials``."""

from __future__ import annotations

import optuna
import pytest

from nas.study import Status
from nas.study.record import records
from nas.study.workers import claim


def _claim(trial: optuna.Trial, target: int = 10, seen: list | None = None) -> None:
    """Claim architecture "abc"; ``seen`` is the first read (default: the study now)."""
    first_read = trial.study.get_trials(deepcopy=False) if seen is None else seen
    claim(trial, records(first_read), "abc", target)


@pytest.fixture()
def study() -> optuna.Study:
    return optuna.create_study(directions=["maximize", "minimize"])


def _status(study: optuna.Study, number: int) -> str:
    return study.get_trials(deepcopy=False)[number].user_attrs["status"]


def test_free_architecture_is_claimed(study):
    a = study.ask()
    a.set_user_attr("arch_id", "abc")
    _claim(a)
    assert _status(study, 0) == Status.TRAINING


@pytest.mark.parametrize("first", [0, 1])
def test_the_second_reader_backs_off_whichever_number_it_has(study, first):
    """Worker ``first`` wrote its claim and read before the other one wrote: the other one
    must see that claim and back off, whether its trial number is lower or higher."""
    trials = [study.ask(), study.ask()]
    for t in trials:
        t.set_user_attr("arch_id", "abc")
    trials[first].set_user_attr("status", Status.TRAINING)
    with pytest.raises(optuna.TrialPruned, match=f"trial {first} is training"):
        _claim(trials[1 - first])
    assert _status(study, 1 - first) == Status.IN_FLIGHT
    assert _status(study, first) == Status.TRAINING


def test_twin_finished_since_the_first_read_is_not_retrained(study):
    done = study.ask()
    done.set_user_attr("arch_id", "abc")
    done.set_user_attr("status", Status.TRAINED)
    study.tell(done, [0.5, 1000])
    late = study.ask()
    late.set_user_attr("arch_id", "abc")
    with pytest.raises(optuna.TrialPruned, match="trial 0"):
        _claim(late, seen=[])  # the first read predates the twin's finish
    assert _status(study, 1) == Status.IN_FLIGHT


def test_last_slot_taken_by_another_worker(study):
    other, me = study.ask(), study.ask()
    other.set_user_attr("status", Status.TRAINING)
    with pytest.raises(optuna.TrialPruned, match="target"):
        _claim(me, target=1)
    assert _status(study, 1) == Status.SURPLUS


@pytest.mark.parametrize("result", [Status.TRAINED, Status.STOPPED])
def test_a_result_written_but_not_yet_told_still_holds_its_slot(study, result):
    """A worker writes its trial's status just before Optuna finishes the trial; a claim
    read in between must count that slot (it once went free there: 4 trained of 3)."""
    other, me = study.ask(), study.ask()
    other.set_user_attr("arch_id", "abc")
    other.set_user_attr("status", result)  # still RUNNING
    with pytest.raises(optuna.TrialPruned, match="target"):
        _claim(me, target=1)
    assert _status(study, 1) == Status.SURPLUS
