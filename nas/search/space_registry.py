"""Registry of search spaces, and the kit a space file uses (like ``nas.blocks.registry``).

A space is one file in the top-level ``search_spaces`` package (the users' folder)::

    from nas.search.space_registry import Chooser, register, width_scale, widths

    @register("one line for `nas spaces`")
    def sample(trial: Chooser, budget: int) -> Genome:
        ...  # trial.suggest_categorical("s2_b1_op", ("ds", "cv")) and friends

The space is named after its file (``search_spaces/small.py``: ``small``). ``sample`` is
define-by-run: it asks the trial for each choice under a stable name (``s2_b1_op``:
stage 2, block 1, op) so the dashboard's parameter views mean the same thing in every
trial, and builds the genome from the answers. ``budget`` (parameters) lets a space
scale its width choices, so most samples fit whatever the budget (see ``width_scale``).

Spaces import this module and ``nas.search.space`` imports the spaces, never the other
way round (no cycle). ``trial`` is anything with ``suggest_categorical``, which is how
``param_range`` walks a space without a study.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from nas.genome import Genome

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


_REGISTRY: dict[str, Space] = {}


def register(description: str, name: str | None = None) -> Callable[[SampleFn], SampleFn]:
    """Decorator: register ``sample`` as space ``name`` (default: its module's file name)
    with the first line of ``description``."""
    def deco(sample: SampleFn) -> SampleFn:
        key = name or sample.__module__.rpartition(".")[2]
        _REGISTRY[key] = Space(key, (description.strip().splitlines() or [""])[0], sample)
        return sample

    return deco


def get(name: str) -> Space | None:
    return _REGISTRY.get(name)


def registered() -> tuple[str, ...]:
    return tuple(_REGISTRY)


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
