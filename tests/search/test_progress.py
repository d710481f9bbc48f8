"""What a search prints: per-trial lines and study figures, successive halving included."""

from __future__ import annotations

import optuna

from nas.search.progress import trial_line
from nas.search.totals import compute


def _sh(number, acc, epochs, halted, rung):
    attrs = {"val_acc": acc, "params": 10_000, "macs": 10**6, "rf": 30, "status": "trained",
             "arch_id": f"a{number}", "genome": "cv_c8/head", "sh": "sh1-2-4_eta2",
             "rung": rung, "halted": halted, "epochs": epochs, "planned_epochs": 4,
             "images": epochs * 1000, "train_seconds": 2.0}
    t = optuna.trial.create_trial(values=[acc, 10_000], user_attrs=attrs)
    t.number = number
    return t


def test_sh_lines_say_where_a_candidate_stopped():
    assert "halted    val 0.4429 at rung 1 after 1/4 ep" in trial_line(_sh(3, 0.4429, 1, True, 0))
    top = trial_line(_sh(4, 0.81, 4, False, 2))
    assert "trained   val 0.8100" in top and "(top rung)" in top


def test_sh_figures_count_halted_and_take_the_best_at_the_top_rung_only():
    # a halted candidate's lower-rung accuracy is a mid-schedule figure, not a result
    s = compute([_sh(0, 0.70, 4, False, 2), _sh(1, 0.75, 2, True, 1),
                 _sh(2, 0.40, 1, True, 0)])
    assert (s.counted, s.trained, s.halted) == (3, 3, 2)
    assert s.best_val_acc == 0.70
    assert (s.epochs_run, s.epochs_planned, s.epochs_saved) == (7, 12, 5)
    assert s.images == 7000


def test_a_candidate_fill_rejects_counts_against_the_feasible_fraction():
    # --fill rejects a topology before its params are known: it was sampled and screened
    # out all the same, so "feasible" must not read 100%
    rejected = optuna.trial.create_trial(
        state=optuna.trial.TrialState.PRUNED,
        user_attrs={"status": "rejected", "genome": "cv_c8/head", "arch_id": "f",
                    "reject_reason": "fill: no width scaling of this topology lands in "
                                     "[0.85 x budget, budget]"})
    rejected.number = 1
    s = compute([_sh(0, 0.70, 4, False, 2), rejected])
    assert (s.screened, s.rejected, s.feasible) == (2, 1, 0.5)
