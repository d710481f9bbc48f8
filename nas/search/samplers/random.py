"""``random``: uniform samples of the space (the baseline every sampler must beat)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nas.search.samplers.base import Sampler, register

if TYPE_CHECKING:
    import optuna


@register
class Random(Sampler):
    name = "random"
    summary = "random search"

    def create(self, seed: int, trials: int) -> optuna.samplers.BaseSampler:
        import optuna

        return optuna.samplers.RandomSampler(seed=seed)
