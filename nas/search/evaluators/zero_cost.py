"""``zero_cost``: zero-cost scores at initialisation on every screened trial, and the
optional prescreen.

Records every registered score (``nas.zerocost``: synflow, NASWOT, grad-norm, ZiCo and
depth; params, MACs and rf are recorded by the constraints already) and their total
milliseconds. With ``Setup.prescreen`` = q, a candidate whose ``Setup.prescreen_score``
is below the q-quantile of the scores of the earlier candidates of this study that
passed the constraints is
rejected before any training (``reject_reason`` says by how much), once at least
``MIN_SCORED`` earlier candidates have one: a cheap filter in front of the expensive
evaluators. Which score to use, and whether it helps, is measured by ``nas fidelity``.
"""

from __future__ import annotations

import numpy as np

from nas.search.evaluators.base import Candidate, Outcome, Setup, register
from nas.zerocost import score_genome

MIN_SCORED = 10  # earlier scored candidates before the prescreen rejects anything
RECORDED = ("synflow", "naswot", "grad_norm", "zico", "depth")  # params/MACs/rf: screen


class ZeroCost:
    name = "zero_cost"
    trains = False

    def __init__(self, setup: Setup) -> None:
        self.setup = setup

    def evaluate(self, c: Candidate) -> Outcome:
        scores = score_genome(c.genome, self.setup.data, names=list(RECORDED))
        attrs = {k: v for k, (v, _) in scores.items()}
        attrs["zero_cost_ms"] = round(sum(ms for _, ms in scores.values()), 1)
        q = self.setup.prescreen
        if q is None or c.given:
            return Outcome.proceed(**attrs)
        name = self.setup.prescreen_score
        mine = attrs[name] if name in attrs else float(getattr(c.screen, name))
        # candidates that reached this evaluator (they carry zero_cost_ms): params, MACs
        # and rf are also recorded on those the constraints rejected, over the budget
        earlier = [getattr(r, name) for r in c.trials
                   if r.number != c.trial.number and r.zero_cost_ms is not None
                   and getattr(r, name) is not None]
        if len(earlier) < MIN_SCORED:
            return Outcome.proceed(**attrs)
        threshold = float(np.quantile(earlier, q))
        if mine < threshold:
            return Outcome.reject(f"prescreen: {name} {mine:.4g} < {q:.0%} quantile "
                                  f"{threshold:.4g} of {len(earlier)} earlier candidates",
                                  **attrs)
        return Outcome.proceed(**attrs)


@register("zero_cost")
def make(setup: Setup) -> ZeroCost:
    return ZeroCost(setup)
