"""One trial: sample (or take the net given, ``--start-from``), check the constraints,
reuse a trained twin, run the evaluators.

Cheap constraints come first (params, MACs, receptive field: ``nas.search.screen``):
rejected candidates are PRUNED with constraint values > 0, which is what steers TPE away
from the infeasible region (c-TPE puts infeasible trials in its "bad" group). An
architecture trained before is reused (``duplicate``). The rest go through the ordered
evaluator chain (``nas.search.evaluators``; today: proxy training with the median
stop), a training slot claimed before the first evaluator that trains. A failing
evaluator (diverged, out of memory, any error) raises ``TrialFailed``, which
``study.optimize`` records as FAIL and the search survives.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import optuna
import torch

from nas.analysis.static import params_of
from nas.data import Dataset
from nas.errors import NasError
from nas.genome import Genome
from nas.interrupts import interruptible
from nas.search.evaluators import Candidate, Evaluator, Outcome
from nas.search.evolve import Evolution
from nas.search.feedback import UNCAPPED, Caps, repeats_told, told
from nas.search.fill import fill
from nas.search.screen import Limits, Screen, screen
from nas.search.signals import interrupt_reason
from nas.search.space import Space
from nas.study.record import NOT_TRAINED, STATE_OF, Status, TrialRecord, records, write
from nas.study.workers import claim, worker_id
from nas.train import TrainingDiverged


class TrialFailed(RuntimeError):
    """An evaluator could not finish (diverged, out of memory...): the trial is FAIL and
    the search goes on."""


@dataclass(frozen=True)
class Told:
    """What the sampler is told (``nas.search.feedback``): the policy, the index of the
    strategy's top rung (0 without rungs) and the bounds of the minimised objectives."""

    policy: str = "raw"
    top_rung: int = 0
    caps: Caps = UNCAPPED

    def values(self, metrics: Sequence[str], figures: Mapping[str, Any]) -> tuple[float, ...]:
        """``metrics`` as told, from a finished trial's figures (``rung``: the last rung
        it reached, absent without rungs)."""
        rung = figures.get("rung")
        short = 0 if rung is None else self.top_rung - int(rung)
        return told(self.policy, metrics, figures, short, self.caps)


@dataclass
class Objective:
    """``study.optimize(Objective(...))``: returns the ``metrics`` (TrialRecord fields:
    val_acc, params[, macs][, latency_ms]) of a fully evaluated candidate; prunes
    rejected, duplicate-in-flight, surplus and stopped ones. ``data`` sets the head
    (classes, input channels) and the image size screened at."""

    space: Space
    limits: Limits
    data: Dataset
    evaluators: list[Evaluator]
    target: int  # trained trials wanted in the whole study (--trials)
    metrics: tuple[str, ...] = ("val_acc", "params")  # SearchConfig.metrics
    fill: float | None = None  # scale widths into [fill x budget, budget] (nas.search.fill)
    evolve: Evolution | None = None  # --sampler evolve: children of the population
    told: Told = Told()  # what the sampler is told (nas.search.feedback)

    def __call__(self, trial: optuna.Trial) -> tuple[float, ...]:
        try:
            with interruptible():  # a stop held since Optuna created the trial lands here
                return self._trial(trial)
        except KeyboardInterrupt as e:  # Ctrl-C/SIGTERM while screening, not training
            if "fail_reason" not in trial.user_attrs:
                write(trial, status=Status.FAILED, fail_reason=interrupt_reason(e))
            raise

    def _trial(self, trial: optuna.Trial) -> tuple[float, ...]:
        write(trial, status=Status.SCREENING, worker=worker_id())
        genome = self._genome(trial)
        s = self._constraints(trial, genome)
        trials = records(trial.study.get_trials(deepcopy=False))
        reused = self._reuse(trial, genome, trials)
        if reused is not None:
            return reused
        return self._evaluate(Candidate(trial, genome, s, trials))

    def _genome(self, trial: optuna.Trial) -> Genome:
        """The candidate: the net given to the trial (``--start-from``, as it is but for
        the data's head); an evolved child (``--sampler evolve``; a retried one keeps its
        genome); else sampled from the space and filled."""
        attrs = trial.user_attrs
        if attrs.get("given") is not None:
            return self._headed(Genome.from_string(attrs["given"]))
        if attrs.get("parent") is not None:  # a retry of an evolved trial: the same child
            return Genome.from_string(attrs["genome"])
        child = self._evolved(trial)
        if child is not None:
            return child
        genome = self._headed(sample_in_study(self.space, trial, self.limits.budget))
        return self._fill(trial, genome)

    def _headed(self, genome: Genome) -> Genome:
        return genome.replace_head(c=self.data.num_classes, i=self.data.in_chans)

    def _evolved(self, trial: optuna.Trial) -> Genome | None:
        """A child of the study's population (``nas.search.evolve``), None before there
        is one (then the space is sampled)."""
        if self.evolve is None:
            return None
        child = self.evolve.propose(trial.number, records(trial.study.get_trials(
            deepcopy=False)), self._finish)
        if child is None:
            return None
        write(trial, parent=child.parent, mutation=child.mutation)
        return child.genome

    def _finish(self, genome: Genome) -> Genome | None:
        """An edited genome as a candidate: filled like a sampled one (``fill``), and
        within the limits; None otherwise."""
        if self.fill is not None:
            filled = fill(genome, self.limits.budget, self.fill, params_of)
            if filled is None:
                return None
            genome = filled
        return genome if screen(genome, self.limits, self.data.image_size).reject_reason \
            is None else None

    def _values(self, figures: Mapping[str, Any]) -> tuple[float, ...]:
        """The objective values told, in ``metrics`` order, from a trial's figures
        (val_acc fraction, params, MACs per image, latency_ms; ``rung``). A missing one is
        a bug: every screened trial is timed before it can be trained."""
        missing = [m for m in self.metrics if figures.get(m) is None]
        if missing:
            raise RuntimeError(f"objective(s) {', '.join(missing)} not recorded")
        return self.told.values(self.metrics, figures)

    def _fill(self, trial: optuna.Trial, genome: Genome) -> Genome:
        """With ``fill``, the topology at the widths that put it in [fill x budget,
        budget]; PRUNED (``rejected``) when no width multiplier gets there."""
        if self.fill is None:
            return genome
        filled = fill(genome, self.limits.budget, self.fill, params_of)
        if filled is None:
            reason = (f"fill: no width scaling of this topology lands in "
                      f"[{self.fill:.2f} x budget, budget]")
            write(trial, genome=genome.to_string(), arch_id=genome.arch_id,
                  status=Status.REJECTED, reject_reason=reason, **NOT_TRAINED)
            raise optuna.TrialPruned(reason)
        return filled

    def _constraints(self, trial: optuna.Trial, genome: Genome) -> Screen:
        """Params, MACs and rf against the limits; PRUNED (``rejected``) if one fails."""
        s = screen(genome, self.limits, self.data.image_size)
        write(trial, genome=genome.to_string(), arch_id=genome.arch_id, params=s.params,
              macs=s.macs, rf=s.rf, screen_ms=round(s.decide_ms, 2),
              screen_total_ms=round(s.total_ms, 2))
        for key, value in s.constraints.items():
            if key not in trial.constraints:  # a retried trial inherits them
                trial.set_constraint(key, value)
        if s.reject_reason:
            write(trial, status=Status.REJECTED, reject_reason=s.reject_reason, **NOT_TRAINED)
            raise optuna.TrialPruned(s.reject_reason)
        return s

    def _reuse(self, trial: optuna.Trial, genome: Genome,
               trials: list[TrialRecord]) -> tuple[float, ...] | None:
        """The earlier result of this architecture, or prune if another worker trains it."""
        same = [r for r in trials if r.arch_id == genome.arch_id and r.number != trial.number]
        done = [r for r in same if r.is_counted]
        if done:
            first = min(done, key=lambda r: r.number)
            timed = {"latency_ms": first.latency_ms, "latency_runs": first.latency_runs}
            write(trial, status=Status.DUPLICATE, duplicate_of=first.number,
                  val_acc=first.val_acc, epochs=0, train_seconds=0.0,
                  reused_status=first.status,
                  **{k: v for k, v in timed.items() if v is not None})
            if not repeats_told(self.told.policy):
                raise optuna.TrialPruned(f"duplicate of trial {first.number}: no new result")
            if first.status == Status.STOPPED:  # stopped early: no full result to report
                raise optuna.TrialPruned(f"duplicate of trial {first.number} (stopped early)")
            return self._values({"val_acc": first.val_acc, "params": first.params,
                                 "macs": first.macs, "rung": first.rung, **timed})
        running = [r for r in same if r.holds_slot]  # none counted: these are RUNNING
        if running:
            write(trial, status=Status.IN_FLIGHT, duplicate_of=running[0].number,
                  **NOT_TRAINED)
            raise optuna.TrialPruned(f"trial {running[0].number} is training this architecture")
        return None

    def _evaluate(self, c: Candidate) -> tuple[float, ...]:
        """The evaluator chain, in order, until one decides; the objective values come
        from the screen's figures and what the evaluators recorded (latency_ms...)."""
        claimed = False
        figures: dict[str, Any] = {"params": c.screen.params, "macs": c.screen.macs}
        for evaluator in self.evaluators:
            if evaluator.trains and not claimed:
                claim(c.trial, c.trials, c.genome.arch_id, self.target)
                claimed = True
            outcome = _run(evaluator, c)
            write(c.trial, **outcome.attrs)
            figures.update(outcome.attrs)
            if outcome.status is None:
                continue
            write(c.trial, status=outcome.status)
            if STATE_OF[outcome.status] == optuna.trial.TrialState.PRUNED:
                raise optuna.TrialPruned(outcome.reason)
            return self._values({**figures, "val_acc": outcome.val_acc})
        raise RuntimeError("no evaluator decided: the last one must return stop, reject or "
                           "final")


def _run(evaluator: Evaluator, c: Candidate) -> Outcome:
    """``evaluator.evaluate(c)``; a failure is recorded and raised as ``TrialFailed``."""
    try:
        return evaluator.evaluate(c)
    except optuna.TrialPruned:
        raise
    except KeyboardInterrupt as e:
        write(c.trial, status=Status.FAILED, fail_reason=interrupt_reason(e))
        raise
    except Exception as e:  # one broken candidate must not end a long search
        reason = failure_reason(e)
    write(c.trial, status=Status.FAILED, fail_reason=reason)
    gc.collect()  # release the failed candidate's memory before the next one
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    raise TrialFailed(reason)


def failure_reason(e: Exception) -> str:
    """The ``fail_reason`` of a failed evaluation: one line."""
    if isinstance(e, TrainingDiverged):
        return f"diverged: {e}"
    if isinstance(e, MemoryError | torch.OutOfMemoryError):
        return f"out of memory: {type(e).__name__}"
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"


def sample_in_study(space: Space, trial: optuna.Trial, budget: int) -> Genome:
    """``space.sample(trial, budget)``; NasError (not a traceback) when the study was
    sampled from another version of the space file: a parameter name now offers other
    choices, which Optuna refuses in one study."""
    try:
        return space.sample(trial, budget)
    except ValueError as e:
        if "dynamic value space" not in str(e):
            raise
        asked = list(trial.params)
        raise NasError(f"study {trial.study.study_name!r} was sampled from another version "
                       f"of search space {space.name!r} (parameter after "
                       f"{asked[-1] if asked else 'the first'!r} now has other choices); "
                       "start a new --study for the changed space") from None
