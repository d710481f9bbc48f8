"""Which searched architectures deserve a full retrain: Pareto-optimal trained trials,
or (``accuracy``) simply the highest proxy accuracies under the study's budget.

The front is ``nas.study``'s: trials that finished proxy training (status ``trained``,
one per architecture), compared on ``val_acc`` (maximise) and ``params`` (minimise),
whatever objective tuple the study optimised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import optuna

from nas.errors import NasError
from nas.study.pareto import pareto_ranks, trained_trials
from nas.study.record import TrialRecord

PICKS = ("best", "spread", "accuracy")


@dataclass(frozen=True)
class Pick:
    """A trial chosen for retraining, its Pareto rank (1 = front) and why it was chosen."""

    trial: TrialRecord
    rank: int
    reason: str


def _by_acc(trials: Sequence[TrialRecord]) -> list[TrialRecord]:
    return sorted(trials, key=lambda r: (-r.val_acc, r.params))


def _spread(front: Sequence[TrialRecord], k: int) -> list[TrialRecord]:
    """k points spaced evenly in log(params) from the smallest to the largest."""
    pts = sorted(front, key=lambda r: r.params)
    if k >= len(pts):
        return pts
    logs = [math.log(r.params) for r in pts]
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


def _reason(t: TrialRecord, rank: int, n: int, how: str) -> str:
    if how == "accuracy":
        where = f"of all trained trials (Pareto rank {rank}; the front has {n} points)"
    elif rank == 1:
        where = f"on the Pareto front ({n} points)"
    else:
        where = f"on Pareto rank {rank} (front too small) ({n} points)"
    score = "top-rung" if t.sh else "proxy"  # sh: the full schedule, not a proxy
    why = "spread along params" if how == "spread" else f"highest {score} val_acc"
    return (f"trial {t.number}: {why} {where}, val_acc {t.val_acc:.4f}, "
            f"{int(t.params):,} params")
