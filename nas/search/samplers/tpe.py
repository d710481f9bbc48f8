"""``tpe`` (default): Optuna's TPE, constraint-aware (it reads the trials' constraint
values, so it learns the infeasible region), multi-objective when the study is, and
pruning-aware in a one-objective study (PRUNED trials ranked by the step reached, then
the value)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nas.search.samplers.base import Sampler, register

if TYPE_CHECKING:
    import optuna

STARTUP_TRIALS = 10  # random trials before TPE models the results


@register
class Tpe(Sampler):
    name = "tpe"
    summary = "TPE (constraint-aware; multi-objective or pruning-aware)"

    def create(self, seed: int, trials: int) -> optuna.samplers.BaseSampler:
        import optuna

        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=STARTUP_TRIALS,
                                          constant_liar=True)
