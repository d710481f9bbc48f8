"""Which searched architectures deserve a full retrain: Pareto-optimal trained trials,
or (``accuracy``) simply the highest proxy accuracies under the study's budget.

The front is ``nas.search``'s: trials that finished proxy training (status ``trained``,
one per architecture), compared on the user attrs ``val_acc`` (maximise) and ``params``
(minimise), whatever objective tuple the study optimised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import optuna
from optuna.trial import FrozenTrial

from nas.errors import NasError
from nas.search.results import pareto_front, trained_trials

PICKS = ("best", "spread", "accuracy")


@dataclass(frozen=True)
class Pick:
    """A trial chosen for retraining, its Pareto rank (1 = front) and why it was chosen."""

    trial: FrozenTrial
    rank: int
    reason: str


def pareto_ranks(trials: Sequence[FrozenTrial]) -> list[list[FrozenTrial]]:
    """Non-dominated sorting: fronts[0] is the Pareto front, fronts[1] the next, ..."""
    left, fronts = list(trials), []
    while left:
        front = pareto_front(left)
        if not front:  # only trials lacking val_acc/params are left
            break
        fronts.append(front)
        ids = {t.number for t in front}
        left = [t for t in left if t.number not in ids]
    return fronts


def _by_acc(trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
    return sorted(trials, key=lambda t: (-t.user_attrs["val_acc"], t.user_attrs["params"]))


def _spread(front: Sequence[FrozenTrial], k: int) -> list[FrozenTrial]:
    """k points spaced evenly in log(params) from the smallest to the largest."""
    pts = sorted(front, key=lambda t: t.user_attrs["params"])
    if k >= len(pts):
        return pts
    logs = [math.log(t.user_attrs["params"]) for t in pts]
    chosen: list[int] = []
    for i in range(k):
        target = logs[0] + (logs[-1] - logs[0]) * (i / (k - 1) if k > 1 else 1.0)
        free = [j for j in range(len(pts)) if j not in chosen]
        chosen.append(min(free, key=lambda j: abs(logs[j] - target)))
    return [pts[j] for j in sorted(chosen)]


def pick(study: optuna.Study, top: int, how: str = "best") -> list[Pick]:
    """``top`` trials from the Pareto front (``best``: highest val_acc; ``spread``: even
    along params). If the front is smaller than ``top``, the next fronts fill in.

    ``accuracy`` ignores the front: the ``top`` highest proxy val_acc at any size within
    the budget. Short proxies favour small nets that learn fast, so the front can hide a
    larger net a hair behind that gains more from full training.
    """
    if how not in PICKS:
        raise NasError(f"--pick must be one of {', '.join(PICKS)}, got {how!r}")
    if top < 1:
        raise NasError(f"--top must be >= 1, got {top}")
    trials = trained_trials(study)
    if not trials:
        raise NasError(f"study {study.study_name!r} has no trained trials to retrain")
    fronts = pareto_ranks(trials)
    if how == "accuracy":
        rank = {t.number: r for r, front in enumerate(fronts, start=1) for t in front}
        return [Pick(t, rank[t.number], _reason(t, rank[t.number], len(fronts[0]), how))
                for t in _by_acc(trials)[:top]]
    picks: list[Pick] = []
    for rank, front in enumerate(fronts, start=1):
        need = top - len(picks)
        if need <= 0:
            break
        chosen = _spread(front, need) if how == "spread" else _by_acc(front)[:need]
        for t in _by_acc(chosen):
            picks.append(Pick(t, rank, _reason(t, rank, len(front), how)))
    return picks


def _reason(t: FrozenTrial, rank: int, n: int, how: str) -> str:
    if how == "accuracy":
        where = f"of all trained trials (Pareto rank {rank}; the front has {n} points)"
    elif rank == 1:
        where = f"on the Pareto front ({n} points)"
    else:
        where = f"on Pareto rank {rank} (front too small) ({n} points)"
    why = "spread along params" if how == "spread" else "highest proxy val_acc"
    a = t.user_attrs
    return (f"trial {t.number}: {why} {where}, val_acc {a['val_acc']:.4f}, "
            f"{int(a['params']):,} params")
