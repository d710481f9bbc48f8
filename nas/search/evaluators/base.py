"""The evaluator seam: how a candidate that passed the constraints is judged.

An evaluator has a ``name``, says whether it ``trains`` (then a training slot is claimed
before it runs, see ``nas.study.workers.claim``) and answers ``evaluate(candidate)``
with an ``Outcome``:

- ``Outcome.proceed(**attrs)``: record ``attrs``, go on to the next evaluator;
- ``Outcome.reject(reason, **attrs)``: the candidate is ``rejected`` (PRUNED, never
  counted), e.g. a zero-cost score below a running quantile;
- ``Outcome.stop(reason, **attrs)``: trained but stopped early (``stopped``: PRUNED,
  counted), e.g. below the median at an epoch, or not promoted at a rung;
- ``Outcome.final(val_acc, **attrs)``: fully evaluated (``trained``: COMPLETE); the
  objective returns the study's objectives (val_acc, params[, MACs][, latency_ms]), read
  from the screen's figures and the attrs the evaluators recorded.

``attrs`` are ``TrialRecord`` fields (a new evaluator adds its fields there). Failures
are exceptions: the objective records them as ``failed`` with the reason and the search
goes on. Evaluators are registered by name (``@register("proxy")``) and built from a
``Setup`` in the order ``SearchConfig.evaluators`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import optuna
import torch

from nas.builder import build
from nas.data import Dataset
from nas.errors import NasError
from nas.genome import Genome
from nas.lcurve.predict import predictor
from nas.search.config import PRESCREEN_SCORE
from nas.search.screen import Screen
from nas.study.record import NOT_TRAINED, Status, TrialRecord, write
from nas.train import EpochMetrics, TrainConfig, train

EpochCallback = Callable[[EpochMetrics], bool]  # after each epoch; True stops the run
# (genome, data, recipe, callbacks, checkpoint, device) -> the epochs trained. The default
# builds the net and trains it; the training-free benchmark (nas.searchbench) passes
# learning curves instead, so the whole search loop runs without training.
Trainer = Callable[[Genome, Dataset, TrainConfig, list[EpochCallback], Path | None,
                    "str | torch.device | None"], list[EpochMetrics]]


def train_genome(genome: Genome, data: Dataset, recipe: TrainConfig,
                 callbacks: list[EpochCallback], checkpoint: Path | None,
                 device: str | torch.device | None) -> list[EpochMetrics]:
    """Build ``genome`` and train it for ``recipe.epochs`` (fewer when a callback stops
    it), resuming ``checkpoint`` if it holds this run: the real ``Trainer``."""
    return train(build(genome), data, recipe, callbacks=callbacks, checkpoint=checkpoint,
                 device=device, progress="none").history


@dataclass
class Candidate:
    """One screened candidate: its trial, genome (head set for the data), static figures
    and the study's trials as read before it was evaluated."""

    trial: optuna.Trial
    genome: Genome
    screen: Screen
    trials: list[TrialRecord]

    @property
    def given(self) -> bool:
        """Handed in by ``--start-from``: judged on training only (no heuristic filter
        such as the zero-cost prescreen rejects the net the user compares against)."""
        return self.trial.user_attrs.get("given") is not None

    def record(self, **attrs: Any) -> None:
        """Store ``attrs`` (TrialRecord fields) on the trial now (e.g. partial figures
        before a failure is raised)."""
        write(self.trial, **attrs)


@dataclass(frozen=True)
class Outcome:
    """What an evaluator decided; ``status`` None means go on."""

    status: Status | None = None
    reason: str | None = None
    val_acc: float | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def proceed(cls, **attrs: Any) -> Outcome:
        return cls(attrs=attrs)

    @classmethod
    def reject(cls, reason: str, **attrs: Any) -> Outcome:
        return cls(Status.REJECTED, reason, attrs={**NOT_TRAINED, **attrs,
                                                    "reject_reason": reason})

    @classmethod
    def stop(cls, reason: str, **attrs: Any) -> Outcome:
        return cls(Status.STOPPED, reason, attrs=attrs)

    @classmethod
    def final(cls, val_acc: float, **attrs: Any) -> Outcome:
        return cls(Status.TRAINED, val_acc=float(val_acc), attrs={**attrs, "val_acc": val_acc})


class Evaluator(Protocol):
    """One stage of judging a candidate (see the module docstring)."""

    name: str
    trains: bool  # holds a training slot while it runs

    def evaluate(self, candidate: Candidate) -> Outcome: ...


@dataclass(frozen=True)
class Setup:
    """What every evaluator may be built from: the data, the proxy recipe (for ``sh``: the
    top rung's, i.e. the full schedule), the device, and the options of the evaluators
    that take any (``sh``: rung epochs, eta, checkpoint folder; ``zero_cost``: the
    prescreen quantile and score; ``latency``: the budget, and whether latency decides
    anything)."""

    data: Dataset
    proxy: TrainConfig
    device: str | torch.device | None = None
    rungs: tuple[int, ...] = ()  # epochs at which ``sh`` scores, the last = proxy.epochs
    eta: int = 3  # ``sh`` keeps the top 1/eta at each rung
    # decisions by the study's Optuna pruner (one-objective studies: ``trial.report`` and
    # ``should_prune``) instead of the hand-written multi-objective rules
    optuna_pruner: bool = False
    checkpoints: Path | None = None  # ``sh``: per-architecture run checkpoints
    # ``sh``: rank the rungs below the top by 'raw' accuracy or by the final accuracy
    # ``predictor(promote_by, k, recipe)`` predicts from the first k epochs (tests inject one)
    promote_by: str = "raw"
    predictor: Callable[[str, int, str], Any] = predictor
    prescreen: float | None = None  # ``zero_cost``: reject below this running quantile
    prescreen_score: str = PRESCREEN_SCORE
    latency_budget: float | None = None  # ``latency``: reject above this many ms
    latency_decides: bool = False  # ``latency``: a budget or objective: time it precisely
    trainer: Trainer = train_genome  # how the training evaluators train a candidate


Factory = Callable[[Setup], Evaluator]
_REGISTRY: dict[str, Factory] = {}


def register(name: str) -> Callable[[Factory], Factory]:
    """Decorator: make ``factory(setup) -> Evaluator`` the evaluator called ``name``."""
    def deco(factory: Factory) -> Factory:
        _REGISTRY[name] = factory
        return factory

    return deco


def registered() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def check_names(names: Sequence[str]) -> None:
    """NasError naming the known evaluators if one of ``names`` is not registered."""
    unknown = [n for n in names if n not in _REGISTRY]
    if unknown or not names:
        raise NasError(f"unknown evaluator(s) {', '.join(unknown) or '(none given)'}; known: "
                       f"{', '.join(registered())}")


def create(names: Sequence[str], setup: Setup) -> list[Evaluator]:
    """The evaluator chain ``names``, in order."""
    check_names(names)
    return [_REGISTRY[n](setup) for n in names]
