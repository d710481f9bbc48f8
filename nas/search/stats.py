"""Study-wide figures: counts per outcome, feasible fraction, screening time, pruning savings."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from optuna.trial import FrozenTrial, TrialState

from nas.search import results as R

WARMUP = 20  # trials: the feasible fraction is also reported before/after this many


@dataclass(frozen=True)
class Stats:
    """Figures over every trial of a study (all runs, all workers).

    ``feasible`` fractions are over screened candidates (rejected / screened); ``epochs_*``
    are proxy epochs of counted trials: planned (full proxy each), run, and saved by
    stopping early; ``seconds_saved`` estimates the saved time at each stopped trial's own
    seconds per epoch. ``screen_ms_*`` is the time to decide feasibility (params + rf).
    """

    counted: int = 0
    trained: int = 0
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
    seconds_saved: float = 0.0
    screen_ms_mean: float | None = None
    screen_ms_max: float | None = None
    screen_total_ms_mean: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def saved_fraction(self) -> float:
        return self.epochs_saved / self.epochs_planned if self.epochs_planned else 0.0


def _frac(trials: list[FrozenTrial]) -> float | None:
    if not trials:
        return None
    return sum(1 for t in trials if R.status(t) != R.REJECTED) / len(trials)


def compute(trials: Iterable[FrozenTrial]) -> Stats:
    trials = sorted(trials, key=lambda t: t.number)
    screened = [t for t in trials if "params" in t.user_attrs
                and t.state != TrialState.RUNNING]
    counted = [t for t in trials if R.is_counted(t)]
    by = {s: sum(1 for t in trials if R.status(t) == s and t.state != TrialState.RUNNING)
          for s in (R.TRAINED, R.STOPPED, R.DUPLICATE, R.REJECTED)}
    planned = sum(int(t.user_attrs.get("planned_epochs", 0)) for t in counted)
    run = sum(int(t.user_attrs.get("epochs", 0)) for t in counted)
    saved_s = sum((t.user_attrs.get("planned_epochs", 0) - t.user_attrs.get("epochs", 0))
                  * t.user_attrs.get("train_seconds", 0.0) / max(1, t.user_attrs["epochs"])
                  for t in counted if R.status(t) == R.STOPPED)
    ms = [t.user_attrs["screen_ms"] for t in screened if "screen_ms" in t.user_attrs]
    total_ms = [t.user_attrs["screen_total_ms"] for t in screened
                if "screen_total_ms" in t.user_attrs]
    full = [t.user_attrs["val_acc"] for t in counted if R.status(t) == R.TRAINED]
    return Stats(
        counted=len(counted), trained=by[R.TRAINED], stopped=by[R.STOPPED],
        duplicates=by[R.DUPLICATE], rejected=by[R.REJECTED],
        failed=sum(1 for t in trials if t.state == TrialState.FAIL),
        running=sum(1 for t in trials if t.state == TrialState.RUNNING),
        screened=len(screened), feasible=_frac(screened),
        feasible_first=_frac([t for t in screened if t.number < WARMUP]),
        feasible_after=_frac([t for t in screened if t.number >= WARMUP]),
        best_val_acc=max(full, default=None), epochs_planned=planned, epochs_run=run,
        epochs_saved=planned - run,
        seconds_trained=sum(t.user_attrs.get("train_seconds", 0.0) for t in counted),
        seconds_saved=saved_s,
        screen_ms_mean=statistics.fmean(ms) if ms else None, screen_ms_max=max(ms, default=None),
        screen_total_ms_mean=statistics.fmean(total_ms) if total_ms else None,
    )
