"""``single``: one short proxy training per candidate (``--proxy-epochs``).

Stopping at an epoch below the median of earlier candidates' curves: in a one-objective
study Optuna's own ``MedianPruner`` decides through ``trial.report``/``should_prune``;
with several objectives (where Optuna refuses ``trial.report``) the same rule runs as a
training callback (``nas.search.pruning.MedianStop``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nas.search.strategies.base import Strategy, register

if TYPE_CHECKING:
    import optuna

    from nas.search.config import SearchConfig
    from nas.train import TrainConfig


@register
class Single(Strategy):
    name = "single"
    summary = "one short proxy per candidate (--proxy-epochs), the median stop"
    evaluator = "proxy"

    def recipe(self, config: SearchConfig) -> TrainConfig:
        from nas.train import preset

        return preset("proxy", epochs=config.proxy_epochs, batch_size=config.proxy_batch,
                      **config.recipe())

    def pruner(self, config: SearchConfig) -> optuna.pruners.BasePruner:
        import optuna

        from nas.search.pruning import MIN_TRIALS  # the same start as the callback's rule

        return optuna.pruners.MedianPruner(n_startup_trials=MIN_TRIALS, n_warmup_steps=0)
