"""Reading a search back: which trials trained, and their Pareto front.

Every trial of ``nas search`` carries user attrs ``genome``, ``arch_id``, ``params``,
``macs``, ``rf``, ``status``, ``val_acc`` (fraction 0..1; None if never trained),
``epochs`` and ``train_seconds`` (0 if never trained); trained ones add ``curve`` (val_acc
per epoch) and ``planned_epochs``; rejected ones add ``reject_reason``, failed ones
``fail_reason``, duplicates ``duplicate_of``. ``status`` is one of the constants below.
Optuna states:

- COMPLETE: trained to the end of the proxy (``trained``) or a repeat of an architecture
  trained before, its result reused (``duplicate``, ``duplicate_of`` = that trial number);
- PRUNED: rejected before training (``rejected``: over budget/MACs, under rf-min), stopped
  early by the median rule (``stopped``), or not needed (``surplus``, ``in_flight``);
- FAIL: diverged, out of memory, interrupted (``failed``, with ``fail_reason``).

Both figures on the front come from user attrs, so the front is the same whatever
objective tuple the study optimised (2 or 3 objectives).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

TRAINED = "trained"  # full proxy training finished
STOPPED = "stopped"  # proxy training stopped early (below the median at an epoch)
DUPLICATE = "duplicate"  # same arch_id as a finished trial: its result reused
REJECTED = "rejected"  # over budget / MACs, under rf-min: never trained
SURPLUS = "surplus"  # screened fine but the target was already met by other workers
IN_FLIGHT = "in_flight"  # same arch_id as a trial another worker is training right now
TRAINING = "training"  # claimed a training slot (RUNNING)
FAILED = "failed"  # diverged / out of memory / interrupted

COUNTED = (TRAINED, STOPPED)  # statuses that count toward --trials

# (user attr, direction) pairs of the default front: accuracy up, size down.
DEFAULT_OBJECTIVES: tuple[tuple[str, str], ...] = (("val_acc", "max"), ("params", "min"))


def status(t: FrozenTrial) -> str | None:
    return t.user_attrs.get("status")


def is_counted(t: FrozenTrial) -> bool:
    """Trained (fully or stopped early) and finished: counts toward ``--trials``."""
    return t.state in (TrialState.COMPLETE, TrialState.PRUNED) and status(t) in COUNTED


def holds_slot(t: FrozenTrial) -> bool:
    """Counted, or RUNNING with a training claim written: takes one of ``--trials``."""
    return is_counted(t) or (t.state == TrialState.RUNNING and status(t) == TRAINING)


def _trials(source: optuna.Study | Iterable[FrozenTrial]) -> list[FrozenTrial]:
    if isinstance(source, optuna.Study):
        return source.get_trials(deepcopy=False)
    return list(source)


def trained_trials(source: optuna.Study | Iterable[FrozenTrial],
                   include_stopped: bool = False) -> list[FrozenTrial]:
    """Trials that finished proxy training, one per architecture (the first to train it).

    ``include_stopped`` adds the ones stopped early, whose ``val_acc`` is that of a
    shorter training and therefore not comparable with the others.
    """
    wanted = COUNTED if include_stopped else (TRAINED,)
    seen: dict[str, FrozenTrial] = {}
    for t in sorted(_trials(source), key=lambda t: t.number):
        if is_counted(t) and status(t) in wanted:
            seen.setdefault(t.user_attrs["arch_id"], t)
    return list(seen.values())


def _key(t: FrozenTrial, objectives: Sequence[tuple[str, str]]) -> tuple[float, ...]:
    """Objective vector, every entry to minimise."""
    return tuple(-float(t.user_attrs[a]) if d == "max" else float(t.user_attrs[a])
                 for a, d in objectives)


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """``a`` is no worse than ``b`` everywhere and better somewhere (all minimised)."""
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(
        x < y for x, y in zip(a, b, strict=True))


def pareto_front(trials: Iterable[FrozenTrial],
                 objectives: Sequence[tuple[str, str]] = DEFAULT_OBJECTIVES
                 ) -> list[FrozenTrial]:
    """The non-dominated trials, by the user attrs in ``objectives`` ((name, 'max'|'min')).

    Pass ``trained_trials(study)``; trials lacking an objective attr are skipped. Ties
    (equal vectors) all stay. Sorted best first: highest val_acc, then fewest params,
    i.e. rank 1 is the most accurate network of the front.
    """
    pts = [(t, _key(t, objectives)) for t in trials
           if all(isinstance(t.user_attrs.get(a), int | float) for a, _ in objectives)]
    front = [t for t, k in pts if not any(dominates(o, k) for _, o in pts)]
    return sorted(front, key=lambda t: _key(t, objectives))


def front_rows(front: Sequence[FrozenTrial]) -> list[dict[str, Any]]:
    """Plain rows for tables and JSON: rank, trial number, figures, genome."""
    return [{"rank": i, "trial": t.number,
             **{k: t.user_attrs.get(k) for k in ("params", "macs", "rf", "val_acc", "genome",
                                                 "arch_id")}}
            for i, t in enumerate(front, 1)]
