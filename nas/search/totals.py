"""Study-wide figures: counts per outcome, feasible fraction, screening time, pruning savings."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from optuna.trial import FrozenTrial, TrialState

from nas.study.record import Status, TrialRecord, records

WARMUP = 20  # trials: the feasible fraction is also reported before/after this many


@dataclass(frozen=True)
class Stats:
    """Figures over every trial of a study (all runs, all workers).

    ``feasible`` fractions are over screened candidates (rejected / screened); ``epochs_*``
    are proxy epochs of counted trials: planned (full proxy each), run, and saved by
    stopping early (with sh: by halting below the top rung); ``best_val_acc`` is over
    fully trained ones (sh: top rung only); ``seconds_saved`` estimates the saved time
    at each stopped trial's own seconds per epoch. ``screen_ms_*`` is the time to decide
    feasibility (params + rf).
    """

    counted: int = 0
    trained: int = 0  # with sh: including the halted ones
    halted: int = 0  # sh: trained, then stopped below the top rung (not promoted)
    stopped: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed: int = 0
    running: int = 0
    screened: int = 0
    feasible: float | None = None
    feasible_first: float | None = None  # among the first WARMUP trials
    feasible_after: float | None = None  # among the trials after the first WARMUP
    best_val_acc: float | None = None
    epochs_planned: int = 0
    epochs_run: int = 0
    epochs_saved: int = 0
    seconds_trained: float = 0.0
    images: int = 0  # training images seen by every counted trial (the compute spent)
    seconds_saved: float = 0.0
    screen_ms_mean: float | None = None
    screen_ms_max: float | None = None
    screen_total_ms_mean: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def saved_fraction(self) -> float:
        return self.epochs_saved / self.epochs_planned if self.epochs_planned else 0.0


def _frac(trials: list[TrialRecord]) -> float | None:
    if not trials:
        return None
    return sum(1 for r in trials if r.status != Status.REJECTED) / len(trials)


def images_spent(trials: Iterable[TrialRecord]) -> int:
    """Training images seen by the counted trials: the compute a search has spent, which
    ``--max-images`` caps (equal-compute comparisons of strategies and samplers)."""
    return sum(r.images or 0 for r in trials if r.is_counted)


def compute(trials: Iterable[FrozenTrial | TrialRecord]) -> Stats:
    trials = records(trials)
    finished = [r for r in trials if r.state != TrialState.RUNNING]
    # screened: the params are known, or it was rejected before they were (--fill)
    screened = [r for r in finished if r.params is not None or r.status == Status.REJECTED]
    counted = [r for r in trials if r.is_counted]
    by = {s: sum(1 for r in finished if r.status == s)
          for s in (Status.TRAINED, Status.STOPPED, Status.DUPLICATE, Status.REJECTED)}
    planned = sum(r.planned_epochs or 0 for r in counted)
    run = sum(r.epochs for r in counted)
    saved_s = sum(((r.planned_epochs or 0) - r.epochs) * r.train_seconds / max(1, r.epochs)
                  for r in counted if r.status == Status.STOPPED)
    ms = [r.screen_ms for r in screened if r.screen_ms is not None]
    total_ms = [r.screen_total_ms for r in screened if r.screen_total_ms is not None]
    full = [r.val_acc for r in counted if r.status == Status.TRAINED and not r.halted]
    return Stats(
        counted=len(counted), trained=by[Status.TRAINED],
        halted=sum(1 for r in counted if r.halted), stopped=by[Status.STOPPED],
        duplicates=by[Status.DUPLICATE], rejected=by[Status.REJECTED],
        failed=sum(1 for r in trials if r.state == TrialState.FAIL),
        running=sum(1 for r in trials if r.state == TrialState.RUNNING),
        screened=len(screened), feasible=_frac(screened),
        feasible_first=_frac([r for r in screened if r.number < WARMUP]),
        feasible_after=_frac([r for r in screened if r.number >= WARMUP]),
        best_val_acc=max(full, default=None), epochs_planned=planned, epochs_run=run,
        epochs_saved=planned - run, seconds_trained=sum(r.train_seconds for r in counted),
        images=images_spent(counted),
        seconds_saved=saved_s,
        screen_ms_mean=statistics.fmean(ms) if ms else None, screen_ms_max=max(ms, default=None),
        screen_total_ms_mean=statistics.fmean(total_ms) if total_ms else None,
    )
