"""Architecture search with Optuna under a parameter budget (the only Optuna sampling code).

Library entry points::

    from nas.search import SearchConfig, run_search, trained_trials, pareto_front
    summary = run_search(SearchConfig(budget=200_000, trials=30, space="small"))
    front = pareto_front(trained_trials(study))  # study: optuna.load_study(...)

See ``nas.search.results`` for the user attrs every trial carries.
"""

from nas.search.config import SAMPLERS, SearchConfig
from nas.search.results import (
    COUNTED,
    DEFAULT_OBJECTIVES,
    dominates,
    front_rows,
    is_counted,
    pareto_front,
    trained_trials,
)
from nas.search.runner import SearchSummary, run_search
from nas.search.screen import Limits, Screen, screen
from nas.search.space import (
    Space,
    check_budget,
    load_space,
    overall_range,
    param_range,
    space_names,
    width_scale,
    widths,
)
from nas.search.stats import Stats

__all__ = ["COUNTED", "DEFAULT_OBJECTIVES", "SAMPLERS", "Limits", "Screen", "SearchConfig",
           "SearchSummary", "Space", "Stats", "check_budget", "dominates", "front_rows",
           "is_counted", "load_space", "overall_range", "param_range", "pareto_front",
           "run_search", "screen", "space_names", "trained_trials", "width_scale", "widths"]
