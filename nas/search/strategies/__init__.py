"""Search strategies: how far each candidate is trained and what decides (a registry).

A strategy owns its options' meaning (``SearchConfig`` fields it reads), the training
recipe and the evaluator that trains, the study attrs a rerun must match, Optuna's pruner
for one-objective studies, the rungs a trial is told against (``nas.search.feedback``),
and the retrain schedule ``nas retrain``/``nas report`` read back from a study. Adding one
(Hyperband, BOHB-style model fitting): a module here with a ``Strategy`` subclass under
``@register``, plus its import below. The CLI, ``nas retrain`` and ``nas report`` read
the strategies through ``get``/``names`` only. Module imports stay light (no torch, no
Optuna): ``SearchConfig`` validates names against this registry.
"""

from nas.search.strategies import halving as _halving  # noqa: F401  (registers "sh")
from nas.search.strategies import single as _single  # noqa: F401  (registers "single")
from nas.search.strategies.base import Strategy, get, names, of_study, register

__all__ = ["Strategy", "get", "names", "of_study", "register"]
