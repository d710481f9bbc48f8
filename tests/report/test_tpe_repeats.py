"""scripts/reproduce/tpe_repeats.py: MOTPE's good group replayed before each duplicate trial, from
hand-made trial records."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from optuna.trial import TrialState

from nas.study.record import Status, TrialRecord

SCRIPT = Path(__file__).parents[2] / "scripts" / "reproduce" / "tpe_repeats.py"
spec = importlib.util.spec_from_file_location("tpe_repeats", SCRIPT)
tpe = importlib.util.module_from_spec(spec)
sys.modules["tpe_repeats"] = tpe  # its dataclasses look their module up there
spec.loader.exec_module(tpe)

RUNGS = (1, 3, 10, 30)


def _trained(n: int, params: int, val: float, rung: int) -> TrialRecord:
    return TrialRecord(n, TrialState.COMPLETE, status=Status.TRAINED, params=params,
                       val_acc=val, rung=rung, arch_id=f"a{n}")


def _copy(n: int, of: TrialRecord) -> TrialRecord:
    return TrialRecord(n, TrialState.COMPLETE, status=Status.DUPLICATE, params=of.params,
                       val_acc=of.val_acc, duplicate_of=of.number, arch_id=of.arch_id)


def _study() -> list[TrialRecord]:
    """Ten nets: one top-rung net (#0) and a small one halted after 3 epochs (#1), both
    non-dominated; the rest dominated by #0; then #10 repeats #1, #11 repeats #5."""
    big = _trained(0, 99_000, 0.83, 3)
    small = _trained(1, 85_000, 0.62, 1)
    rest = [_trained(n, 95_000 + n, 0.50 - n / 100, 0) for n in range(2, 10)]
    rejected = TrialRecord(12, TrialState.PRUNED, status=Status.REJECTED)
    return [big, small, *rest, _copy(10, small), _copy(11, rest[3]), rejected]


def test_good_group_fills_its_slots_by_non_domination_rank():
    trials = _study()
    good = tpe.good_group([t for t in trials[:10] if tpe.told(t)])
    assert good.size == 1  # ceil(0.1 * 10)
    assert good.members == (0, 1)  # the tied front: both, for Optuna's tie-break


def test_a_halted_small_net_on_the_front_is_in_the_good_group_a_dominated_one_is_not():
    reps = tpe.repeats(_study())
    assert [(r.number, r.of, r.in_good) for r in reps] == [(10, 1, True), (11, 5, False)]
    assert reps[1].good.size == 2  # #10, the copy, is told too: 11 COMPLETE trials


def test_rejected_trials_are_not_told():
    assert not tpe.told(_study()[-1])


def test_report_names_rungs_in_epochs_and_copies_as_copies():
    lines = tpe.report("tpe-100k", _study(), RUNGS)
    assert lines[0] == ("### tpe-100k: 2 duplicates of 13 trials, 1 of them repeat a net "
                        "of TPE's good group")
    assert "#1 (85,000 params, val 62.0% after 3 epochs)" in lines[1]
    assert "#10 (a copy of #1)" in lines[1]
    assert lines[3].startswith("- #11 repeats #5 (95,005 params, val 45.0% after 1 epoch)")
