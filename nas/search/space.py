"""Finding search spaces and measuring their reach.

Spaces are files in the top-level ``search_spaces`` package that register themselves
(``nas.search.space_registry``, where the contract is). ``load_space(name)`` imports
``search_spaces/<name>.py`` on first use and returns what it registered; a broken space
file therefore only breaks that space. ``param_range`` and friends walk a space without
a study to find the smallest and largest networks it can produce at a budget.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any

from nas.errors import NasError
from nas.search import space_registry
from nas.search.space_registry import Chooser, Space, width_scale, widths

__all__ = ["Chooser", "FixedChooser", "Space", "as_space", "check_budget", "load_space",
           "overall_range", "param_range", "space_names", "width_scale", "widths"]

SPACES_PACKAGE = "search_spaces"


def space_names() -> list[str]:
    """Every module in ``search_spaces/`` not starting with ``_``, and every space
    registered otherwise (tests, notebooks), sorted."""
    try:
        pkg = importlib.import_module(SPACES_PACKAGE)
        files = {m.name for m in pkgutil.iter_modules(pkg.__path__)}
    except ModuleNotFoundError:
        files = set()
    return sorted({n for n in files if not n.startswith("_")} | set(space_registry.registered()))


def _unknown(name: str) -> NasError:
    return NasError(f"unknown search space {name!r}; known spaces: "
                    f"{', '.join(space_names()) or 'none'}")


@cache
def load_space(name: str) -> Space:
    """The space ``search_spaces/<name>.py`` registered; NasError if unknown or if the
    file registers nothing."""
    if not name.isidentifier() or name.startswith("_"):
        raise _unknown(name)
    if space_registry.get(name) is None:
        try:
            module = importlib.import_module(f"{SPACES_PACKAGE}.{name}")
        except ModuleNotFoundError as e:
            if e.name in (f"{SPACES_PACKAGE}.{name}", SPACES_PACKAGE):
                raise _unknown(name) from None
            raise
        if space_registry.get(name) is None:
            raise NasError(f"search space {name!r} ({module.__file__}) registers no sample "
                           "function: decorate it with @register(DESCRIPTION) from "
                           "nas.search.space_registry")
    return space_registry.get(name)


# ------------------------------------------------------------------- reach of a space

class FixedChooser:
    """Answers each choice from ``picks`` (name -> value), else with ``default(choices)``;
    records what was asked, so a walk can try every value of every parameter."""

    def __init__(self, picks: dict[str, Any], default: Callable[[Sequence[Any]], Any]) -> None:
        self.picks = picks
        self.default = default
        self.asked: dict[str, tuple[Any, ...]] = {}

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        self.asked[name] = tuple(choices)
        value = self.picks.get(name)
        return value if value in self.asked[name] else self.default(choices)

    def suggest_int(self, name: str, low: int, high: int, step: int = 1, **_: Any) -> int:
        return self.suggest_categorical(name, tuple(range(low, high + 1, step)))


def _params_of(space: Space, budget: int, picks: dict[str, Any],
               default: Callable[[Sequence[Any]], Any]) -> tuple[int, dict[str, tuple]]:
    from nas.analysis import count_params

    chooser = FixedChooser(picks, default)
    return count_params(space.sample(chooser, budget)), chooser.asked


def _extreme(space: Space, budget: int, sign: int, refine: bool) -> int:
    """The smallest (sign=1) or largest (sign=-1) params, from every first (resp. last)
    choice: spaces list choices from cheap to costly, which makes that the extreme.

    ``refine`` then tries each value of each parameter in turn and keeps improvements
    (greedy coordinate search, a few hundred meta-device builds, seconds): exact also for
    spaces that break the ordering convention in a monotone way, a close bound otherwise.
    """
    default = (lambda c: c[0]) if sign > 0 else (lambda c: c[-1])
    picks: dict[str, Any] = {}
    best, asked = _params_of(space, budget, picks, default)
    while refine:
        refine = False
        for name in list(asked):
            for value in asked.get(name, ()):
                trial_picks = {**picks, name: value}
                p, new_asked = _params_of(space, budget, trial_picks, default)
                if sign * p < sign * best:
                    best, picks, asked, refine = p, trial_picks, {**asked, **new_asked}, True
    return best


def as_space(space: Space | str) -> Space:
    return space if isinstance(space, Space) else load_space(space)


@lru_cache(maxsize=64)
def param_range(space: Space | str, budget: int, refine: bool = False) -> tuple[int, int]:
    """(smallest, largest) parameter count the space reaches at ``budget`` (see
    ``_extreme``; ``refine`` for the greedy search, else the ordering convention)."""
    s = as_space(space)
    return _extreme(s, budget, 1, refine), _extreme(s, budget, -1, refine)


@lru_cache(maxsize=64)
def smallest(space: Space | str, budget: int) -> int:
    """The smallest params found by the greedy search at ``budget``."""
    return _extreme(as_space(space), budget, 1, refine=True)


def overall_range(space: Space | str) -> tuple[int, int]:
    """Smallest params at the tiniest budget and largest at a huge one: the space's reach
    over every budget (the width scale is clamped, so both are finite)."""
    return param_range(space, 1)[0], param_range(space, 10**12)[1]


def check_budget(space: Space | str, budget: int) -> None:
    """NasError naming the smallest reachable count if nothing in the space fits."""
    s = as_space(space)
    if param_range(s, budget)[0] <= budget:
        return  # the all-cheapest network fits: no search needed
    low = smallest(s, budget)
    if low > budget:
        raise NasError(f"--budget {budget:,} is unreachable: the smallest network in space "
                       f"{s.name!r} has {low:,} params")
