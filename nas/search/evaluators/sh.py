"""``sh``: successive halving up to the full schedule (asynchronous, multi-objective).

A candidate trains one run of the *top rung's* recipe (``Setup.proxy``: the schedule
``nas retrain`` then uses) and is scored at each rung's epoch (``Setup.rungs``, e.g. 1,
2, 7, 20) with precise-BN validation. After each rung but the last it continues only if
it ranks in the top ``1/eta`` of every candidate that reached that rung before it, by
non-dominated level over (val accuracy, params) then val accuracy
(``nas.search.rungs.promoted``); so no worker ever waits for a rung to fill.

Promotion continues the same run, so it costs nothing to restart and the top rung is
exactly the full schedule. Its scores at lower rungs are mid-schedule accuracies (the
``ref_e<k>`` proxies of ``nas fidelity``, which measures how well they rank).

Every candidate ends COMPLETE (``trained``) with the accuracy of the last rung it
reached, ``rung`` and ``halted``: Optuna's TPE cannot read PRUNED trials with
intermediate values in a multi-objective study. The Pareto front, ``nas retrain`` and
``nas report`` use top-rung trials only. Rung accuracies are also intermediate values
(the dashboard draws them as learning curves). With ``Setup.checkpoints`` the run
checkpoints after every epoch under the architecture's id: a retry after a dead worker
resumes it, with the rung decisions it had already passed. A checkpoint that ends at a
rung was saved right after that rung's decision, which it does not hold: the decision is
taken again (against the rung as it is then), so a run killed just after it was halted
is not trained on.

``Setup.promote_by`` ``ridge`` (``--promote-by``) ranks a candidate at each rung below the
top by the final accuracy ``nas.lcurve.predict``'s ridge predicts from its curve so far
and its static figures (MACs, params, depth), recorded per rung as ``rung_preds``; the
Pareto rank then compares every entrant's prediction, and a one-objective study reports
the prediction as the intermediate value Optuna's pruner compares (so the dashboard
draws predictions at those rungs; the raw accuracies stay in ``rung_accs``). The top
rung is always the raw accuracy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nas.data.augment import epoch_images
from nas.errors import NasError
from nas.lcurve.predict import Static
from nas.lcurve.recipe import from_signature
from nas.search.evaluators.base import Candidate, Outcome, Setup, register
from nas.search.rungs import Entry, promoted
from nas.study.adapter import report_intermediate
from nas.study.record import records, write
from nas.train import EpochMetrics
from nas.train import checkpoint as ckpt
from nas.zerocost.trivial import DEPTH

Predict = Callable[[Sequence[float]], float]  # the curve's first k epochs -> final val_acc


class RungTracker:
    """Training callback: records each rung's accuracy and decides promotion, by the
    study's Optuna pruner (``optuna_pruner``: one-objective studies) or by MO-ASHA's
    rank (``nas.search.rungs.promoted``). With ``predict`` the rungs below the top rank
    by its prediction from the curve so far (``preds``) instead of the accuracy."""

    def __init__(self, c: Candidate, rungs: tuple[int, ...], eta: int, signature: str,
                 optuna_pruner: bool = False, predict: Predict | None = None) -> None:
        self.c, self.rungs, self.eta, self.signature = c, rungs, eta, signature
        self.optuna_pruner, self.predict = optuna_pruner, predict
        self.curve: list[float] = []  # val_acc after every epoch so far
        self.accs: list[float] = []
        self.preds: list[float] = []  # with ``predict``: what each rung below the top ranked
        self.halted = False

    def replay(self, history: list[EpochMetrics]) -> bool:
        """Record the rungs of a resumed run's ``history``; True if it halts where the
        history ends. It went on past every rung before its last epoch, so was promoted
        there; if that last epoch is a rung, the checkpoint was saved right after a
        decision it does not hold, which is taken again."""
        self.curve = [float(m.val_acc) for m in history]
        passed = [m for m in history if m.epoch in self.rungs]
        for m in passed:
            self._record(m)
            if self.optuna_pruner and m is not history[-1]:
                self.c.trial.should_prune()  # enters this trial in the rung it passed
        return bool(history) and history[-1].epoch in self.rungs and self._halts()

    def _record(self, m: EpochMetrics) -> None:
        self.accs.append(float(m.val_acc))
        r = len(self.accs) - 1
        preds = {}
        if self.predict is not None and r < len(self.rungs) - 1:
            self.preds.append(float(self.predict(self.curve[: m.epoch])))
            preds = {"rung_preds": self.preds}
        write(self.c.trial, rung=r, rung_accs=self.accs, sh=self.signature, **preds)
        if self.optuna_pruner:  # the value Optuna's pruner ranks this rung by
            self.c.trial.report(self.ranked(r), m.epoch)
        else:  # several objectives: Trial.report refuses, the dashboard still draws it
            report_intermediate(self.c.trial, m.epoch, float(m.val_acc))

    def ranked(self, r: int) -> float:
        """What rung ``r`` ranks this candidate by: the prediction below the top with
        ``predict``, else the accuracy."""
        return self.preds[r] if self.predict is not None and r < len(self.preds) \
            else self.accs[r]

    def __call__(self, m: EpochMetrics) -> bool:
        self.curve.append(float(m.val_acc))
        if m.epoch not in self.rungs:
            return False
        self._record(m)
        return self._halts()

    def _halts(self) -> bool:
        """The decision at the last rung recorded: True (``halted``) if not promoted."""
        r = len(self.accs) - 1
        if r == len(self.rungs) - 1:
            return False  # top rung: finished, nothing to decide
        if self.optuna_pruner:
            self.halted = self.c.trial.should_prune()
            return self.halted
        me = Entry(self.c.trial.number, self.ranked(r), self.c.screen.params)
        if promoted(me, self.field(r), self.eta):
            return False
        self.halted = True
        return True

    def field(self, r: int) -> list[Entry]:
        """Every other architecture of this recipe that reached rung ``r``, once: a dead
        worker's trial and its retry (the same run, resumed) are one candidate, entered
        under the first trial's number. With ``predict``: by their recorded predictions."""
        mine = self.c.genome.arch_id
        out: dict[str, Entry] = {}
        for t in sorted(records(self.c.trial.study.get_trials(deepcopy=False)),
                        key=lambda t: t.number):
            scores = t.rung_preds if self.predict is not None else t.rung_accs
            if t.sh == self.signature and len(scores) > r and t.arch_id != mine \
                    and t.params is not None and t.arch_id not in out:
                out[t.arch_id] = Entry(t.number, scores[r], t.params)
        return list(out.values())


class SuccessiveHalving:
    """The ``sh`` evaluator (see the module docstring)."""

    name = "sh"
    trains = True

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        if not setup.rungs or setup.rungs[-1] != setup.proxy.epochs:
            raise ValueError(f"rungs {setup.rungs} must end at the recipe's "
                             f"{setup.proxy.epochs} epochs")
        self.models = self._models()

    def _models(self) -> dict[int, Any]:
        """``Setup.promote_by``'s predictor for each rung below the top, by its epochs
        (none for ``raw``); NasError if none is fitted for this recipe."""
        by = self.setup.promote_by
        if by == "raw":
            return {}
        key = from_signature(self.signature).key
        try:
            return {k: self.setup.predictor(by, k, key) for k in self.setup.rungs[:-1]}
        except KeyError:
            raise NasError(f"--promote-by {by}: no fitted model for the recipe {key} "
                           "(nas/lcurve/fitted.json); use --promote-by raw") from None

    @property
    def signature(self) -> str:
        """Rungs + recipe id: candidates compete only under the same ones."""
        p, n = self.setup.proxy, len(self.setup.data.y_train)
        rungs = "-".join(map(str, self.setup.rungs))
        return f"sh{rungs}_eta{self.setup.eta}_n{n}_b{p.batch_size}_lr{p.lr:g}"

    def checkpoint(self, c: Candidate) -> Path | None:
        d = self.setup.checkpoints
        return None if d is None else d / f"{c.genome.arch_id}.pt"

    def predict(self, c: Candidate) -> Predict | None:
        """``c``'s predicted final accuracy from its first k epochs (k a rung below the
        top); None when promoting by the raw accuracy."""
        if not self.models:
            return None
        static = Static(float(c.screen.macs), float(c.screen.params),
                        float(sum(DEPTH.get(b.op, 0) for b in c.genome.blocks)))
        return lambda curve: self.models[len(curve)].predict(curve, static)

    def evaluate(self, c: Candidate) -> Outcome:
        tracker = RungTracker(c, self.setup.rungs, self.setup.eta, self.signature,
                              self.setup.optuna_pruner, self.predict(c))
        path = self.checkpoint(c)
        state = None if path is None else ckpt.load(path, c.genome.to_string(),
                                                    self.setup.proxy.to_dict())
        history = state["history"] if state else []
        t0 = time.perf_counter()
        if not tracker.replay(history):  # else halted where the checkpoint ends
            history = self.setup.trainer(c.genome, self.setup.data, self.setup.proxy,
                                         [tracker], path, self.setup.device)
        figures = {"epochs": len(history), "train_seconds": round(time.perf_counter() - t0, 3),
                   "curve": [m.val_acc for m in history],
                   "planned_epochs": self.setup.proxy.epochs, "halted": tracker.halted,
                   "rung": len(tracker.accs) - 1,
                   "images": len(history) * epoch_images(len(self.setup.data.y_train),
                                                         self.setup.proxy.batch_size)}
        if tracker.halted and self.setup.optuna_pruner:  # PRUNED, as Optuna's pruners end
            return Outcome.stop(f"halted at rung {len(tracker.accs) - 1} by Optuna's "
                                "successive halving", val_acc=tracker.accs[-1], **figures)
        return Outcome.final(tracker.accs[-1], **figures)


@register("sh")
def make(setup: Setup) -> SuccessiveHalving:
    return SuccessiveHalving(setup)
