"""Architecture search with Optuna under a parameter budget (the only Optuna sampling code).

Library entry points::

    from nas.search import SearchConfig, run_search
    from nas.study import open_study, pareto_front, trained_trials
    summary = run_search(SearchConfig(budget=200_000, trials=30, space="small"))
    front = pareto_front(trained_trials(open_study("studies/small-200k.db")))

A trial is sampled from a space (``nas.search.space``), checked against the constraints
(``nas.search.screen``) and judged by the evaluator chain (``nas.search.evaluators``);
``nas.study.TrialRecord`` says what every trial carries.
"""

from nas.search.config import SAMPLERS, SearchConfig
from nas.search.runner import SearchSummary, run_search
from nas.search.screen import Limits, Screen, screen
from nas.search.space import (
    Space,
    check_budget,
    load_space,
    overall_range,
    param_range,
    space_names,
)
from nas.search.stats import Stats

__all__ = ["SAMPLERS", "Limits", "Screen", "SearchConfig", "SearchSummary", "Space",
           "Stats", "check_budget", "load_space", "overall_range", "param_range",
           "run_search", "screen", "space_names"]
