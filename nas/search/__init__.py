"""Architecture search with Optuna under a parameter budget (the only Optuna sampling code).

Library entry points::

    from nas.search import SearchConfig, run_search
    from nas.study import open_study, pareto_front, trained_trials
    summary = run_search(SearchConfig(budget=200_000, trials=30, space="small"))
    front = pareto_front(trained_trials(open_study("studies/small-200k.db")))

A trial is sampled from a space (``nas.search.space``), checked against the constraints
(``nas.search.screen``) and judged by the evaluator chain (``nas.search.evaluators``);
``nas.study.TrialRecord`` says what every trial carries. Attributes load lazily, so that
a search space file importing ``nas.search.space_registry`` pulls in neither torch nor
Optuna.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SAMPLERS": "nas.search.config", "SearchConfig": "nas.search.config",
    "SearchSummary": "nas.search.runner", "run_search": "nas.search.runner",
    "Limits": "nas.search.screen", "Screen": "nas.search.screen",
    "screen": "nas.search.screen", "Stats": "nas.search.totals",
    "Space": "nas.search.space", "check_budget": "nas.search.space",
    "load_space": "nas.search.space", "overall_range": "nas.search.space",
    "param_range": "nas.search.space", "space_names": "nas.search.space",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nas.search' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
