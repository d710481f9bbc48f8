"""Pareto front and trained-trial selection on hand-made trials."""

from __future__ import annotations

import optuna
from optuna.trial import TrialState

from nas.search.pruning import MedianStop
from nas.study import dominates, pareto_front, trained_trials


def _t(number, acc, params, status="trained", arch=None, macs=1000, state=TrialState.COMPLETE):
    attrs = {"val_acc": acc, "params": params, "macs": macs, "rf": 30, "status": status,
             "arch_id": arch or f"a{number}", "genome": f"cv_c{number + 8}/head"}
    t = optuna.trial.create_trial(state=state, values=None if state != TrialState.COMPLETE
                                  else [acc, params], user_attrs=attrs)
    t.number = number
    return t


def test_pareto_front_of_a_hand_made_set():
    trials = [_t(0, 0.50, 10_000), _t(1, 0.60, 20_000), _t(2, 0.55, 30_000),  # 2 dominated
              _t(3, 0.70, 50_000), _t(4, 0.70, 60_000),  # 4 dominated by 3 (equal acc)
              _t(5, 0.45, 10_000), _t(6, 0.80, 90_000), _t(7, 0.40, 5_000)]
    front = pareto_front(trials)
    assert [t.number for t in front] == [6, 3, 1, 0, 7]  # best accuracy first


def test_three_objective_front_keeps_cheaper_macs():
    a, b = _t(0, 0.6, 10_000, macs=5_000), _t(1, 0.6, 10_000, macs=1_000)
    objectives = (("val_acc", "max"), ("params", "min"), ("macs", "min"))
    assert [t.number for t in pareto_front([a, b], objectives)] == [1]
    assert {t.number for t in pareto_front([a, b])} == {0, 1}  # ties both stay


def test_trained_trials_skip_rejected_stopped_and_repeats():
    trials = [_t(0, 0.5, 10_000, arch="x"), _t(1, 0.5, 10_000, status="duplicate", arch="x"),
              _t(2, 0.9, 9_000, status="rejected", state=TrialState.PRUNED),
              _t(3, 0.3, 8_000, status="stopped", state=TrialState.PRUNED),
              _t(4, 0.6, 12_000, arch="y")]
    assert [t.number for t in trained_trials(trials)] == [0, 4]
    assert [t.number for t in trained_trials(trials, include_stopped=True)] == [0, 3, 4]


def test_dominates():
    assert dominates((1, 1), (1, 2)) and not dominates((1, 2), (1, 2))
    assert not dominates((0, 3), (1, 2))


class _M:
    def __init__(self, epoch, acc):
        self.epoch, self.val_acc = epoch, acc


def test_median_stop_needs_history_and_never_stops_the_last_epoch():
    history = [[0.2, 0.3, 0.4], [0.3, 0.4, 0.5], [0.4, 0.5, 0.6], [0.5, 0.6, 0.7]]
    stop = MedianStop(history, epochs=3)
    assert not stop(_M(1, 0.36)) and stop(_M(2, 0.44))  # medians 0.35, 0.45
    assert stop.stopped_at == 2 and stop.curve == [0.36, 0.44]
    assert not MedianStop(history[:3], epochs=3)(_M(1, 0.0))  # too few curves
    assert not MedianStop(history, epochs=3)(_M(3, 0.0))  # last epoch: finish
