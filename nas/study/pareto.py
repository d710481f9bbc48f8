"""Pareto ranking of trained trials, by record fields (``val_acc`` up, ``params`` down).

Both figures come from the records (user attrs), so the front is the same whatever
objective tuple the study optimised (MACs and latency_ms may be objectives too); other
fronts (e.g. val_acc vs latency_ms in ``nas report``) pass their own ``objectives``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from nas.nondominated import dominates, fronts
from nas.study.record import Status, TrialRecord, records

# (record field, direction) pairs of the default front: accuracy up, size down.
DEFAULT_OBJECTIVES: tuple[tuple[str, str], ...] = (("val_acc", "max"), ("params", "min"))
__all__ = ["DEFAULT_OBJECTIVES", "dominates", "front_rows", "pareto_front", "pareto_ranks",
           "trained_trials"]  # dominates: nas.nondominated's, re-exported for nas.study

Trials = optuna.Study | Iterable[FrozenTrial | TrialRecord]


def trained_trials(source: Trials, include_stopped: bool = False) -> list[TrialRecord]:
    """Trials that finished proxy training, one per architecture (the first to train it).

    ``include_stopped`` adds the ones stopped early (by the median rule, or halted below
    the top rung of successive halving), whose ``val_acc`` is that of a shorter training
    and therefore not comparable with the others.
    """
    wanted = (Status.TRAINED, Status.STOPPED) if include_stopped else (Status.TRAINED,)
    seen: dict[str | None, TrialRecord] = {}
    for r in records(source):
        if r.halted and not include_stopped:
            continue
        if r.is_counted and r.status in wanted:
            seen.setdefault(r.arch_id, r)
    return list(seen.values())


def _key(r: TrialRecord, objectives: Sequence[tuple[str, str]]) -> tuple[float, ...]:
    """Objective vector, every entry to minimise."""
    return tuple(-float(getattr(r, a)) if d == "max" else float(getattr(r, a))
                 for a, d in objectives)


def pareto_front(trials: Iterable[FrozenTrial | TrialRecord],
                 objectives: Sequence[tuple[str, str]] = DEFAULT_OBJECTIVES
                 ) -> list[TrialRecord]:
    """The non-dominated trials by the record fields in ``objectives`` ((name,
    'max'|'min')).

    Pass ``trained_trials(study)``; trials lacking an objective are skipped. Ties (equal
    vectors) all stay. Sorted best first: highest val_acc, then fewest params, i.e.
    rank 1 is the most accurate network of the front.
    """
    ranked = pareto_ranks(trials, objectives)
    return ranked[0] if ranked else []


def pareto_ranks(trials: Iterable[FrozenTrial | TrialRecord],
                 objectives: Sequence[tuple[str, str]] = DEFAULT_OBJECTIVES
                 ) -> list[list[TrialRecord]]:
    """Non-dominated sorting (``nas.nondominated``): fronts[0] is the Pareto front,
    fronts[1] the next, ...; each sorted best first like ``pareto_front``. Trials lacking
    an objective are left out."""
    pts = [r for r in records(trials)
           if all(isinstance(getattr(r, a), int | float) for a, _ in objectives)]
    keys = [_key(r, objectives) for r in pts]
    return [sorted((pts[i] for i in front), key=lambda r: _key(r, objectives))
            for front in fronts(keys)]


def front_rows(front: Sequence[TrialRecord]) -> list[dict[str, Any]]:
    """Plain rows for tables and JSON: rank, trial number, figures, genome."""
    return [{"rank": i, "trial": r.number, "params": r.params, "macs": r.macs,
             "latency_ms": r.latency_ms, "rf": r.rf, "val_acc": r.val_acc,
             "genome": r.genome, "arch_id": r.arch_id}
            for i, r in enumerate(front, 1)]
