"""One trial: sample, screen, deduplicate, claim a training slot, proxy-train.

Outcomes map onto Optuna states so that samplers and the dashboard read them right (see
``nas.search.results`` for the user attrs): rejected candidates are PRUNED with
constraint values > 0, which is what steers TPE away from the infeasible region
(c-TPE puts infeasible trials in its "bad" group); training failures raise
``TrialFailed``, which ``study.optimize`` records as FAIL and the search survives.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from typing import Any

import optuna
import torch
from optuna.trial import FrozenTrial

from nas.builder import build
from nas.data import Dataset
from nas.genome import Genome
from nas.search import results as R
from nas.search.distributed import sample_in_study
from nas.search.pruning import MedianStop, curves
from nas.search.screen import Limits, screen
from nas.search.space import Space
from nas.search.storage import worker_id
from nas.train import TrainConfig, TrainingDiverged, train

# Figures of a candidate that was never trained: every trial has the same user attrs.
NOT_TRAINED: dict[str, Any] = {"val_acc": None, "epochs": 0, "train_seconds": 0.0}


class TrialFailed(RuntimeError):
    """Training could not finish (diverged, out of memory): the trial is FAIL, search goes on."""


@dataclass
class Objective:
    """``study.optimize(Objective(...))``: returns (val_acc, params[, macs]) of a trained
    candidate; prunes rejected, duplicate-in-flight, surplus and stopped candidates."""

    space: Space
    limits: Limits
    data: Dataset
    proxy: TrainConfig
    target: int  # trained trials wanted in the whole study (--trials)
    n_objectives: int = 2
    device: str | torch.device | None = None

    @property
    def signature(self) -> str:
        """Proxy recipe id: curves are compared only between equal recipes."""
        return (f"e{self.proxy.epochs}_n{len(self.data.y_train)}_b{self.proxy.batch_size}"
                f"_lr{self.proxy.lr:g}")

    def __call__(self, trial: optuna.Trial) -> tuple[float, ...]:
        trial.set_user_attr("status", "screening")
        trial.set_user_attr("worker", worker_id())
        genome = sample_in_study(self.space, trial, self.limits.budget)
        genome = genome.replace_head(c=self.data.num_classes, i=self.data.in_chans)
        s = screen(genome, self.limits, self.data.image_size)
        _set(trial, genome=genome.to_string(), arch_id=genome.arch_id, params=s.params,
             macs=s.macs, rf=s.rf, screen_ms=round(s.decide_ms, 2),
             screen_total_ms=round(s.total_ms, 2))
        for key, value in s.constraints.items():
            if key not in trial.constraints:  # a retried trial inherits them
                trial.set_constraint(key, value)
        if s.reject_reason:
            _set(trial, status=R.REJECTED, reject_reason=s.reject_reason, **NOT_TRAINED)
            raise optuna.TrialPruned(s.reject_reason)
        trials = trial.study.get_trials(deepcopy=False)
        reused = self._reuse(trial, genome, trials)
        if reused is not None:
            return reused
        self._claim(trial, trials, genome.arch_id)
        return self._train(trial, genome, s.params, s.macs, trials)

    # ------------------------------------------------------------------ duplicates

    def _reuse(self, trial: optuna.Trial, genome: Genome,
               trials: list[FrozenTrial]) -> tuple[float, ...] | None:
        """The earlier result of this architecture, or prune if another worker trains it."""
        same = [t for t in trials if t.user_attrs.get("arch_id") == genome.arch_id
                and t.number != trial.number]
        done = [t for t in same if R.is_counted(t)]
        if done:
            first = min(done, key=lambda t: t.number)
            a = first.user_attrs
            _set(trial, status=R.DUPLICATE, duplicate_of=first.number, val_acc=a["val_acc"],
                 epochs=0, train_seconds=0.0, reused_status=a["status"])
            if a["status"] == R.STOPPED:  # stopped early: no full result to report
                raise optuna.TrialPruned(f"duplicate of trial {first.number} (stopped early)")
            return self._values(a["val_acc"], a["params"], a["macs"])
        running = [t for t in same if R.holds_slot(t)]  # none counted: these are RUNNING
        if running:
            _set(trial, status=R.IN_FLIGHT, duplicate_of=running[0].number, **NOT_TRAINED)
            raise optuna.TrialPruned(f"trial {running[0].number} is training this architecture")
        return None

    def _claim(self, trial: optuna.Trial, seen: list[FrozenTrial], arch_id: str) -> None:
        """Take a training slot unless ``target`` is already met or taken.

        Write-then-read: the claim is written before the others' are counted, so of two
        workers racing for the last slot, or for the same architecture, the one that reads
        second sees both claims and backs off. (If both read after both wrote, both back
        off: a lost sample, never an architecture trained twice.)
        """
        if _claimed(seen, trial.number) >= self.target:
            _set(trial, status=R.SURPLUS, **NOT_TRAINED)
            raise optuna.TrialPruned("target already reached")
        trial.set_user_attr("status", R.TRAINING)
        after = trial.study.get_trials(deepcopy=False)
        if _claimed(after, trial.number) >= self.target:
            _set(trial, status=R.SURPLUS, **NOT_TRAINED)
            raise optuna.TrialPruned("target reached by other workers")
        twin = next((t for t in after if t.number != trial.number
                     and t.user_attrs.get("arch_id") == arch_id and R.holds_slot(t)), None)
        if twin is not None:  # a twin may also have finished since `seen` was read
            _set(trial, status=R.IN_FLIGHT, duplicate_of=twin.number, **NOT_TRAINED)
            raise optuna.TrialPruned(f"trial {twin.number} is training this architecture")

    # -------------------------------------------------------------------- training

    def _values(self, val_acc: float, params: int, macs: int) -> tuple[float, ...]:
        return (float(val_acc), float(params), float(macs))[:self.n_objectives]

    def _train(self, trial: optuna.Trial, genome: Genome, params: int, macs: int,
               trials: list[FrozenTrial]) -> tuple[float, ...]:
        stopper = MedianStop(curves(trials, self.signature), self.proxy.epochs)
        trial.set_user_attr("proxy", self.signature)
        t0 = time.perf_counter()
        try:
            model = build(genome)
            result = train(model, self.data, self.proxy, callbacks=[stopper],
                           device=self.device, progress="none")
        except KeyboardInterrupt:
            _set(trial, status=R.FAILED, fail_reason="interrupted (Ctrl-C)",
                 curve=stopper.curve)
            raise
        except TrainingDiverged as e:
            _fail(trial, f"diverged: {e}", stopper.curve)
        except (MemoryError, torch.OutOfMemoryError) as e:
            _fail(trial, f"out of memory: {type(e).__name__}", stopper.curve)
        except Exception as e:  # one broken candidate must not end a long search
            _fail(trial, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}",
                  stopper.curve)
        seconds = time.perf_counter() - t0
        _set(trial, val_acc=result.val_acc, epochs=result.epochs,
             train_seconds=round(seconds, 3), curve=stopper.curve,
             planned_epochs=self.proxy.epochs)
        if stopper.stopped_at is not None:
            _set(trial, status=R.STOPPED, stop_median=stopper.median)
            raise optuna.TrialPruned(f"val_acc {result.val_acc:.4f} below median "
                                     f"{stopper.median:.4f} at epoch {stopper.stopped_at}")
        trial.set_user_attr("status", R.TRAINED)
        return self._values(result.val_acc, params, macs)


def _claimed(trials: list[FrozenTrial], me: int) -> int:
    """Training slots held by trials other than ``me``."""
    return sum(1 for t in trials if t.number != me and R.holds_slot(t))


def _fail(trial: optuna.Trial, reason: str, curve: list[float]) -> None:
    _set(trial, status=R.FAILED, fail_reason=reason, curve=curve)
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    raise TrialFailed(reason)


def _set(trial: optuna.Trial, **attrs: Any) -> None:
    for k, v in attrs.items():
        trial.set_user_attr(k, v)
