"""``TrialRecord``: one trial of a ``nas search`` study as typed data.

The record owns every user-attr key a trial carries (its field names *are* the keys) and
every ``status``; writers go through ``write`` (unknown keys are a bug, caught at once)
and readers through ``records`` instead of string keys.

Statuses map onto Optuna states so that samplers and the dashboard read them right:

- COMPLETE: ``trained`` (full proxy training finished) or ``duplicate`` (an architecture
  trained before, its result reused; ``duplicate_of`` = that trial number);
- PRUNED: ``rejected`` before training (over budget/MACs, under rf-min, or by an
  evaluator), ``stopped`` early (below the median at an epoch), not needed (``surplus``,
  ``in_flight``), or a ``duplicate`` of a stopped trial;
- FAIL: ``failed`` (diverged, out of memory, interrupted; ``fail_reason``).

Retrain results (``test_acc`` ...) are study user attrs ``retrain:<trial number>``
(Optuna refuses writes to finished trials); ``records`` merges them into each record, and
also reads the trial attrs where older versions of ``nas`` wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState


class Status(StrEnum):
    """The ``status`` user attr (a str: compares equal to the stored text)."""

    SCREENING = "screening"  # sampled, being screened (RUNNING)
    TRAINING = "training"  # claimed a training slot (RUNNING)
    TRAINED = "trained"
    STOPPED = "stopped"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    SURPLUS = "surplus"  # screened fine but the target was already met by other workers
    IN_FLIGHT = "in_flight"  # same arch_id as a trial another worker is training now
    FAILED = "failed"


COUNTED = (Status.TRAINED, Status.STOPPED)  # statuses that count toward --trials

# The Optuna state each finished status ends in (a duplicate of a stopped trial: PRUNED).
STATE_OF: dict[Status, TrialState] = {
    Status.TRAINED: TrialState.COMPLETE, Status.DUPLICATE: TrialState.COMPLETE,
    Status.STOPPED: TrialState.PRUNED, Status.REJECTED: TrialState.PRUNED,
    Status.SURPLUS: TrialState.PRUNED, Status.IN_FLIGHT: TrialState.PRUNED,
    Status.FAILED: TrialState.FAIL,
}

RETRAIN_PREFIX = "retrain:"  # study user attr retrain:<trial number> -> retrain figures


@dataclass(frozen=True)
class TrialRecord:
    """A trial's figures. Counts are parameters, multiply-accumulates per image and
    pixels; accuracies fractions 0..1; times seconds (``*_ms``: milliseconds).

    Optional fields are None (or empty) when the trial never got that far.
    """

    number: int
    state: TrialState
    status: str | None = None  # a Status, or whatever a foreign writer stored
    worker: str | None = None  # host:pid running it
    # screening
    genome: str | None = None
    arch_id: str | None = None
    params: int | None = None
    macs: int | None = None
    rf: int | None = None
    screen_ms: float | None = None  # params + rf + the decision
    screen_total_ms: float | None = None  # including MACs
    reject_reason: str | None = None
    # deduplication and retries
    duplicate_of: int | None = None
    reused_status: str | None = None
    retry_of: int | None = None
    # warm start (--start-from): the genome handed in, evaluated as given (not
    # sampled, not filled); the trial has no sampled params
    given: str | None = None
    # --sampler evolve: the trial whose genome this one edits, and the edit
    parent: int | None = None
    mutation: str | None = None
    # proxy training
    val_acc: float | None = None
    epochs: int = 0
    train_seconds: float = 0.0
    planned_epochs: int | None = None
    curve: tuple[float, ...] = ()  # val_acc per epoch
    proxy: str | None = None  # proxy recipe id: curves compare only within one
    stop_median: float | None = None
    # successive halving (nas.search.evaluators.sh): val_acc at each rung reached
    sh: str | None = None  # rungs + recipe id: candidates compete only within one
    rung: int | None = None  # last rung reached (0-based)
    rung_accs: tuple[float, ...] = ()
    # --promote-by ridge: the predicted final val_acc each rung below the top ranked by
    rung_preds: tuple[float, ...] = ()
    halted: bool | None = None  # stopped below the top rung (not promoted)
    images: int | None = None  # training images seen
    # zero-cost scores at initialisation (nas.search.evaluators.zero_cost)
    synflow: float | None = None
    naswot: float | None = None
    grad_norm: float | None = None
    zico: float | None = None
    depth: float | None = None
    zero_cost_ms: float | None = None
    # forward pass on this CPU (nas.search.evaluators.latency): median ms, batch 1, one
    # thread, of latency_runs timed passes
    latency_ms: float | None = None
    latency_runs: int | None = None
    fail_reason: str | None = None
    # retrain (study user attrs retrain:<number>, or trial attrs of older studies)
    test_acc: float | None = None
    test_acc_std: float | None = None
    final_val_acc: float | None = None
    retrain_epochs: int | None = None
    retrain_seeds: int | None = None
    trial: FrozenTrial | None = field(default=None, compare=False, repr=False)

    @property
    def is_counted(self) -> bool:
        """Trained (fully or stopped early) and finished: counts toward ``--trials``."""
        return self.state in (TrialState.COMPLETE, TrialState.PRUNED) and \
            self.status in COUNTED

    @property
    def holds_slot(self) -> bool:
        """Counted, or RUNNING with a training claim or its result written (the status
        is written just before Optuna finishes the trial: in between, another worker
        must still see the slot taken): takes one of ``--trials``."""
        return self.is_counted or (self.state == TrialState.RUNNING
                                   and self.status in (Status.TRAINING, *COUNTED))

    @property
    def running(self) -> bool:
        """Not finished yet (RUNNING, or WAITING to be re-run after a dead worker)."""
        return self.state in (TrialState.RUNNING, TrialState.WAITING)


KEYS = frozenset(f.name for f in fields(TrialRecord)) - {"number", "state", "trial"}
RETRAIN_KEYS = ("test_acc", "test_acc_std", "final_val_acc", "retrain_epochs",
                "retrain_seeds")
# Per-run keys a retried trial must not inherit: who runs it and how far it got.
VOLATILE = ("worker", "status", "fail_reason", "curve", "val_acc", "epochs",
            "train_seconds", "proxy", "sh", "rung", "rung_accs", "rung_preds", "halted",
            "images")
# Figures of a candidate that was never trained: every trial has the same keys.
NOT_TRAINED: dict[str, Any] = {"val_acc": None, "epochs": 0, "train_seconds": 0.0}


def check_keys(attrs: dict[str, Any]) -> dict[str, Any]:
    """``attrs`` unchanged; KeyError naming the keys that are not TrialRecord fields."""
    unknown = set(attrs) - KEYS
    if unknown:
        raise KeyError(f"not TrialRecord fields: {', '.join(sorted(unknown))}")
    return attrs


def write(trial: optuna.Trial, **attrs: Any) -> None:
    """Store ``attrs`` (TrialRecord field names) as user attrs of a running trial."""
    for key, value in check_keys(attrs).items():
        trial.set_user_attr(key, list(value) if isinstance(value, tuple) else value)


def from_trial(t: FrozenTrial, retrain: dict[str, Any] | None = None) -> TrialRecord:
    """The record of ``t``; ``retrain`` (this trial's retrain figures) overrides."""
    known = {k: v for k, v in {**t.user_attrs, **(retrain or {})}.items() if k in KEYS}
    known["curve"] = tuple(known.get("curve") or ())
    known["rung_accs"] = tuple(known.get("rung_accs") or ())
    known["rung_preds"] = tuple(known.get("rung_preds") or ())
    return TrialRecord(number=t.number, state=t.state, trial=t, **known)


def as_record(t: FrozenTrial | TrialRecord) -> TrialRecord:
    return t if isinstance(t, TrialRecord) else from_trial(t)


def retrain_attrs(study: optuna.Study) -> dict[int, dict[str, Any]]:
    """Retrain figures per trial number, from the study's user attrs."""
    return {int(k.removeprefix(RETRAIN_PREFIX)): v for k, v in study.user_attrs.items()
            if k.startswith(RETRAIN_PREFIX) and k.removeprefix(RETRAIN_PREFIX).isdigit()
            and isinstance(v, dict)}


def records(source: optuna.Study | Iterable[FrozenTrial | TrialRecord]) -> list[TrialRecord]:
    """Records of a study (with its retrain figures) or of trials, by trial number."""
    if isinstance(source, optuna.Study):
        extra = retrain_attrs(source)
        out = [from_trial(t, extra.get(t.number)) for t in source.get_trials(deepcopy=False)]
    else:
        out = [as_record(t) for t in source]
    return sorted(out, key=lambda r: r.number)


def save_retrain(study: optuna.Study, number: int, **figures: Any) -> None:
    """Store the retrain figures of trial ``number`` (``RETRAIN_KEYS``) on the study: a
    public write that works on every storage, journal included, even after the trial
    finished."""
    unknown = set(figures) - set(RETRAIN_KEYS)
    if unknown:
        raise KeyError(f"not retrain figures: {', '.join(sorted(unknown))}")
    study.set_user_attr(f"{RETRAIN_PREFIX}{number}", figures)
