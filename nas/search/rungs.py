"""Successive halving as pure functions: the rungs, the multi-objective rank, promotion.

A candidate trains one run of the top rung's schedule (the recipe ``nas retrain`` uses)
and is scored at the end of each rung's epochs. After rung ``r`` it continues only if it
ranks in the top ``1/eta`` of every candidate that has reached rung ``r`` so far, itself
included (ASHA's asynchronous rule as Optuna's SuccessiveHalvingPruner applies it: the
decision is taken on arrival, so no worker ever waits for a rung to fill). The rank is
multi-objective, as MO-ASHA's (Schmucker et al. 2021): non-dominated sorting over
(val accuracy up, params down), then val accuracy within a front. No Optuna, no torch:
rung tables in, decisions out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nas.errors import NasError
from nas.nondominated import levels


def rung_epochs(min_epochs: int, max_epochs: int, eta: int) -> tuple[int, ...]:
    """Epochs at which candidates are scored, lowest first, the last being ``max_epochs``:
    ``max / eta^k`` rounded, down to ``min_epochs`` (e.g. 1, 4, 13, 40 for 1..40, eta 3)."""
    if eta < 2:
        raise NasError(f"--eta must be >= 2, got {eta}")
    if not 1 <= min_epochs <= max_epochs:
        raise NasError(f"need 1 <= --min-epochs ({min_epochs}) <= --max-epochs "
                       f"({max_epochs})")
    out = [max_epochs]
    while True:
        nxt = round(out[-1] / eta)
        if nxt < min_epochs or nxt >= out[-1]:
            break
        out.append(nxt)
    if out[-1] != min_epochs and min_epochs < out[-1]:
        out.append(min_epochs)
    return tuple(reversed(out))


def expected_epochs(rungs: Sequence[int], eta: int) -> float:
    """Epochs one candidate trains on average when the top ``1/eta`` of each rung
    continue: the lowest rung's epochs plus each further rung's extra epochs over
    ``eta^k`` (e.g. 2.37 for rungs 1, 2, 7, 20 and eta 3). ASHA's steady state: its first
    candidates are promoted more often, so a short search costs more per candidate."""
    total, prev = 0.0, 0
    for k, epochs in enumerate(rungs):
        total += (epochs - prev) / eta**k
        prev = epochs
    return total


@dataclass(frozen=True)
class Entry:
    """One candidate's score at a rung: val accuracy (fraction) and parameter count."""

    key: int  # trial number
    val_acc: float
    params: int


def front_levels(entries: Sequence[Entry]) -> dict[int, int]:
    """key -> non-domination level (0 = Pareto front) over (val accuracy up, params
    down), by ``nas.nondominated``'s sort (the one the study's Pareto fronts use)."""
    found = levels([(-e.val_acc, e.params) for e in entries])
    return {e.key: level for e, level in zip(entries, found, strict=True)}


def mo_order(entries: Sequence[Entry]) -> list[Entry]:
    """Best first: lower non-domination level, then higher val accuracy, then fewer
    params, then earlier trial."""
    levels = front_levels(entries)
    return sorted(entries, key=lambda e: (levels[e.key], -e.val_acc, e.params, e.key))


def promoted(me: Entry, rung: Sequence[Entry], eta: int) -> bool:
    """True if ``me`` is among the best ``max(1, n // eta)`` of ``rung`` (which holds every
    candidate that reached this rung, ``me`` included)."""
    field = [e for e in rung if e.key != me.key] + [me]
    keep = max(1, len(field) // eta)
    return me.key in {e.key for e in mo_order(field)[:keep]}
