"""``proxy``: short proxy training with the median stopping rule.

Trains the candidate with the proxy recipe; after each epoch a candidate below the
median of earlier candidates at that epoch stops (``stopped``): in a one-objective study
Optuna's ``MedianPruner`` decides (``trial.report``/``should_prune``), with several
objectives ``nas.search.pruning.MedianStop`` does (same recipe's curves). The curve
(val_acc per epoch) is recorded, also when training fails.
"""

from __future__ import annotations

import time

import optuna

from nas.data.augment import epoch_images
from nas.search.evaluators.base import Candidate, Outcome, Setup, register
from nas.search.pruning import MedianStop, curves
from nas.train import EpochMetrics


class PrunerStop:
    """Training callback: reports each epoch to the trial and stops when the study's
    Optuna pruner says so (never after the last epoch: that one is finished)."""

    def __init__(self, trial: optuna.Trial, epochs: int) -> None:
        self.trial, self.epochs = trial, epochs
        self.curve: list[float] = []
        self.stopped_at: int | None = None
        self.median: float | None = None  # not exposed by Optuna's pruner

    def __call__(self, m: EpochMetrics) -> bool:
        self.curve.append(float(m.val_acc))
        self.trial.report(float(m.val_acc), m.epoch)
        if m.epoch < self.epochs and self.trial.should_prune():
            self.stopped_at = m.epoch
            return True
        return False


class ProxyTraining:
    """Proxy training of one candidate; ``signature`` identifies the recipe."""

    name = "proxy"
    trains = True

    def __init__(self, setup: Setup) -> None:
        self.setup = setup

    @property
    def signature(self) -> str:
        """Proxy recipe id: curves are compared only between equal recipes."""
        p, n = self.setup.proxy, len(self.setup.data.y_train)
        return f"e{p.epochs}_n{n}_b{p.batch_size}_lr{p.lr:g}"

    def evaluate(self, c: Candidate) -> Outcome:
        proxy = self.setup.proxy
        stopper = (PrunerStop(c.trial, proxy.epochs) if self.setup.optuna_pruner else
                   MedianStop(curves(c.trials, self.signature), proxy.epochs))
        c.record(proxy=self.signature)
        t0 = time.perf_counter()
        try:
            history = self.setup.trainer(c.genome, self.setup.data, proxy, [stopper], None,
                                         self.setup.device)
        except BaseException:
            c.record(curve=stopper.curve)  # how far it got, for the failed trial
            raise
        val_acc, epochs = history[-1].val_acc, len(history)
        figures = {"val_acc": val_acc, "epochs": epochs,
                   "train_seconds": round(time.perf_counter() - t0, 3),
                   "curve": stopper.curve, "planned_epochs": proxy.epochs,
                   "images": epochs * epoch_images(len(self.setup.data.y_train),
                                                   proxy.batch_size)}
        if stopper.stopped_at is not None:
            below = "the median" if stopper.median is None else f"median {stopper.median:.4f}"
            return Outcome.stop(f"val_acc {val_acc:.4f} below {below} at epoch "
                                f"{stopper.stopped_at}",
                                stop_median=stopper.median, **figures)
        return Outcome.final(**figures)


@register("proxy")
def make(setup: Setup) -> ProxyTraining:
    return ProxyTraining(setup)
