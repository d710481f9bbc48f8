"""``evolve``: regularized evolution over genomes (``nas.search.evolve``): each candidate
the fittest of 5 recent trained nets with one edit (width, kernel, SE, expansion,
dilation, shortcut, activation, op, depth). Random sampling of the space until it has a
population; from the ``--start-from`` nets at once when given."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nas.search.samplers.base import Sampler, register

if TYPE_CHECKING:
    import optuna

    from nas.search.evolve import Evolution


@register
class Evolve(Sampler):
    name = "evolve"
    summary = ("regularized evolution: the fittest of 5 recent trained nets with one edit; "
               "starts from the --start-from nets at once, else after 5 random ones")

    def create(self, seed: int, trials: int) -> optuna.samplers.BaseSampler:
        import optuna

        return optuna.samplers.RandomSampler(seed=seed)  # the space's samples, until then

    def proposer(self, seed: int) -> Evolution | None:
        from nas.search.evolve import Evolution

        return Evolution(seed=seed)
