"""Stopping hopeless candidates early: the median rule at equal epochs.

After epoch ``e`` (not the last), a candidate whose validation accuracy is below the
median of what earlier candidates had at epoch ``e`` stops (Optuna's MedianPruner rule;
a successive-halving step at every epoch). Optuna's own pruners need ``trial.report``,
which multi-objective studies do not support, so the curves live in the ``curve`` user
attr of each trained trial (``TrialRecord.curve``) and the rule runs here, as a training
callback.

A candidate is only compared once ``min_trials`` earlier curves reach that epoch, so the
first candidates always train fully and the median is meaningful.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from nas.study.record import TrialRecord

MIN_TRIALS = 4  # earlier curves needed at an epoch before anything is stopped there


def curves(trials: Iterable[TrialRecord], signature: str) -> list[list[float]]:
    """val_acc per epoch of every counted trial trained with the same proxy recipe."""
    return [list(r.curve) for r in trials
            if r.is_counted and r.proxy == signature and r.curve]


class MedianStop:
    """Training callback: True (stop) when below the median of ``history`` at this epoch.

    ``history`` holds earlier candidates' curves; ``epochs`` is the planned proxy length
    (the last epoch is never "stopped", it is finished). ``curve`` records this run.
    """

    def __init__(self, history: list[list[float]], epochs: int,
                 min_trials: int = MIN_TRIALS) -> None:
        self.history = history
        self.epochs = epochs
        self.min_trials = min_trials
        self.curve: list[float] = []
        self.stopped_at: int | None = None
        self.median: float | None = None

    def threshold(self, epoch: int) -> float | None:
        """Median val_acc of earlier curves at ``epoch`` (1-based), None if too few."""
        seen = [c[epoch - 1] for c in self.history if len(c) >= epoch]
        return statistics.median(seen) if len(seen) >= self.min_trials else None

    def __call__(self, m) -> bool:  # m: nas.train.EpochMetrics
        self.curve.append(float(m.val_acc))
        if m.epoch >= self.epochs:
            return False
        median = self.threshold(m.epoch)
        if median is not None and m.val_acc < median:
            self.stopped_at, self.median = m.epoch, median
            return True
        return False
