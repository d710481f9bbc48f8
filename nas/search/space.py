"""Search spaces: one module per space in the top-level ``search_spaces`` package.

A space module needs two names::

    DESCRIPTION = "one line for `nas spaces`"

    def sample(trial, budget: int) -> Genome:
        ...  # trial.suggest_categorical("s2_b1_op", ("ds", "cv")) and friends

``sample`` is define-by-run: it asks the Optuna trial for each choice under a stable
name (``s2_b1_op``: stage 2, block 1, op) so the dashboard's parameter views mean the
same thing in every trial, and builds the genome from the answers. Only
``suggest_categorical`` is used by the shipped spaces; the screening helpers here also
answer ``suggest_int``. ``budget`` (parameters) lets a space scale its width choices, so
most samples fit whatever the budget (see ``width_scale``).

Spaces never import Optuna: ``trial`` is anything with ``suggest_categorical``, which is
how ``param_range`` walks a space without a study.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Protocol

from nas.errors import NasError
from nas.genome import Genome

SPACES_PACKAGE = "search_spaces"
WIDTH_STEP = 8  # channels: widths are multiples of 8 (fast kernels, readable genomes)


class Chooser(Protocol):
    """What a space may ask of a trial (an ``optuna.Trial`` satisfies it)."""

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any: ...


SampleFn = Callable[[Chooser, int], Genome]


@dataclass(frozen=True)
class Space:
    """A named search space: ``sample(trial, budget) -> Genome`` and a one-line description."""

    name: str
    description: str
    sample: SampleFn


def width_scale(budget: int, ref_params: int, low: float = 0.25, high: float = 4.0) -> float:
    """Width multiplier for a budget: parameters grow with width squared, so
    ``sqrt(budget / ref_params)``, clamped to ``[low, high]``. ``ref_params`` is the budget
    at which the space's base widths are right (a space sets it so that most random
    samples fit); the clamp bounds the space, which is what makes tiny budgets unreachable.
    """
    return min(high, max(low, math.sqrt(max(budget, 1) / ref_params)))


def widths(base: Sequence[int], scale: float) -> tuple[int, ...]:
    """Base channel choices times ``scale``, rounded to multiples of 8, sorted, distinct."""
    out = {max(WIDTH_STEP, round(c * scale / WIDTH_STEP) * WIDTH_STEP) for c in base}
    return tuple(sorted(out))


# ----------------------------------------------------------------------------- loading

def _import(name: str) -> Any:
    try:
        return importlib.import_module(f"{SPACES_PACKAGE}.{name}")
    except ModuleNotFoundError as e:
        if e.name in (f"{SPACES_PACKAGE}.{name}", SPACES_PACKAGE):
            raise NasError(f"unknown search space {name!r}; known spaces: "
                           f"{', '.join(space_names()) or 'none'}") from None
        raise


def space_names() -> list[str]:
    """Every module in ``search_spaces/`` not starting with ``_``, sorted."""
    try:
        pkg = importlib.import_module(SPACES_PACKAGE)
    except ModuleNotFoundError:
        return []
    return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))


@cache
def load_space(name: str) -> Space:
    """The space ``search_spaces/<name>.py``; NasError if unknown or malformed."""
    if not name.isidentifier() or name.startswith("_"):
        raise NasError(f"unknown search space {name!r}; known spaces: {', '.join(space_names())}")
    module = _import(name)
    sample = getattr(module, "sample", None)
    description = getattr(module, "DESCRIPTION", None) or (module.__doc__ or "").strip()
    if not callable(sample):
        raise NasError(f"search space {name!r} ({module.__file__}) defines no "
                       "sample(trial, budget) function")
    return Space(name, description.splitlines()[0] if description else "", sample)


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
