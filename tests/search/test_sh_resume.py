"""``RungTracker`` on a hand-made study (in memory, no training): the field a decision is
taken on, and the decisions a resumed run replays or takes again."""

from __future__ import annotations

from types import SimpleNamespace

import optuna
import pytest
from optuna.trial import TrialState

from nas.search.evaluators.sh import RungTracker
from nas.search.rungs import Entry
from nas.train import EpochMetrics

RUNGS = (1, 2, 4)
SIG = "sh1-2-4_eta2_test"


def _study(*rows: tuple[str, TrialState, list[float], int, str]) -> optuna.Study:
    """A study of finished trials (arch_id, state, rung_accs, params, sh signature)."""
    study = optuna.create_study(directions=["maximize", "minimize"])
    for arch, state, accs, params, sig in rows:
        values = [accs[-1], params] if state == TrialState.COMPLETE else None
        study.add_trial(optuna.trial.create_trial(
            state=state, values=values,
            user_attrs={"arch_id": arch, "rung_accs": accs, "params": params, "sh": sig,
                        "status": "trained" if values else "failed"}))
    return study


def _tracker(study: optuna.Study, arch: str = "me", params: int = 100) -> RungTracker:
    c = SimpleNamespace(trial=study.ask(), genome=SimpleNamespace(arch_id=arch),
                        screen=SimpleNamespace(params=params))
    return RungTracker(c, RUNGS, eta=2, signature=SIG)


def _epoch(epoch: int, val_acc: float) -> EpochMetrics:
    return EpochMetrics(epoch=epoch, train_loss=1.0, train_acc=0.5, val_loss=1.0,
                        val_acc=val_acc, lr=0.1, seconds=0.1)


def test_the_field_holds_each_other_architecture_of_the_recipe_once():
    study = _study(("x", TrialState.FAIL, [0.3, 0.2], 100, SIG),  # a dead worker's run
                   ("x", TrialState.COMPLETE, [0.3, 0.2, 0.4], 100, SIG),  # its retry
                   ("y", TrialState.COMPLETE, [0.9], 100, SIG),
                   ("z", TrialState.COMPLETE, [0.8, 0.8], 100, "sh1-2-4_eta2_other"),
                   ("me", TrialState.FAIL, [0.5], 100, SIG))  # an earlier attempt of mine
    t = _tracker(study)
    assert t.field(0) == [Entry(0, 0.3, 100), Entry(2, 0.9, 100)]
    assert t.field(1) == [Entry(0, 0.2, 100)]
    assert t.field(2) == [Entry(1, 0.4, 100)]  # the retry alone got there


def test_a_retried_run_does_not_widen_the_rung():
    """y 0.9 > me 0.6 > x 0.3: of 3 candidates eta 2 keeps 1, so `me` halts; counting x's
    dead trial and its retry as two would make 4 and keep 2."""
    study = _study(("x", TrialState.FAIL, [0.3], 100, SIG),
                   ("x", TrialState.COMPLETE, [0.3], 100, SIG),
                   ("y", TrialState.COMPLETE, [0.9], 100, SIG))
    t = _tracker(study)
    assert t(_epoch(1, 0.6)) is True and t.halted


@pytest.mark.parametrize(("accs", "halts"), [
    ([], False),  # nothing to resume
    ([0.6], True),  # ends at rung 1 epoch: of y 0.9, w 0.1 and 0.6 eta 2 keeps y
    ([0.95], False),  # ... keeps this one
    ([0.6, 0.7], True),  # went on past rung 1 epoch; at rung 2 epochs y 0.9 is better
])
def test_replay_records_the_rungs_and_decides_again_at_the_last_one(accs, halts):
    """A checkpoint ending at a rung was saved right after that rung's decision, which it
    does not hold: the decision is taken again."""
    study = _study(("y", TrialState.COMPLETE, [0.9, 0.9], 100, SIG),
                   ("w", TrialState.COMPLETE, [0.1], 100, SIG))
    t = _tracker(study)
    assert t.replay([_epoch(e, a) for e, a in enumerate(accs, start=1)]) is halts
    assert t.accs == accs and t.halted is halts
    trial = study.trials[-1]  # the tracker's, running: rungs recorded for the dashboard
    assert trial.user_attrs.get("rung_accs", []) == accs
    assert trial.intermediate_values == dict(zip(RUNGS, accs, strict=False))


def test_a_run_resumed_between_rungs_went_on_and_is_not_decided_again():
    """A checkpoint after epoch 3 (between rungs 2 and 4 epochs): the run was promoted at
    both rungs, whatever the rung holds now."""
    study = _study(("y", TrialState.COMPLETE, [0.9, 0.9], 50, SIG),
                   ("v", TrialState.COMPLETE, [0.95, 0.95], 50, SIG))
    t = _tracker(study)
    assert t.replay([_epoch(1, 0.2), _epoch(2, 0.3), _epoch(3, 0.4)]) is False
    assert t.accs == [0.2, 0.3] and not t.halted


def test_a_finished_run_resumed_is_not_decided_again():
    study = _study(("y", TrialState.COMPLETE, [0.9, 0.9, 0.9], 50, SIG))
    t = _tracker(study)
    history = [_epoch(e, 0.1 * e) for e in range(1, 5)]
    assert t.replay(history) is False and t.accs == [0.1, 0.2, 0.4]
