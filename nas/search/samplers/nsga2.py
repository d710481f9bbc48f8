"""``nsga2``: Optuna's NSGA-II; its population holds trained trials only, and needs every
trial's sampled params (so no ``--start-from`` nets, which have none)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nas.search.samplers.base import Sampler, register

if TYPE_CHECKING:
    import optuna


@register
class Nsga2(Sampler):
    name = "nsga2"
    summary = "NSGA-II"
    takes_start_from = False

    def create(self, seed: int, trials: int) -> optuna.samplers.BaseSampler:
        import optuna

        return optuna.samplers.NSGAIISampler(seed=seed,
                                             population_size=max(8, min(50, trials)))
