"""Screening a sampled genome against the limits, before any training.

The figures come from ``nas.analysis.static``'s per-block caches, so the budget / rf
decision soon costs well under a millisecond (``decide_ms``) and MACs a few more
(``total_ms``); the first sighting of a block costs one small build.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from nas.analysis.static import macs, params_rf
from nas.genome import Genome


@dataclass(frozen=True)
class Limits:
    """What a candidate must meet: params <= budget, MACs <= macs_budget (if set),
    receptive field (px) >= rf_min (if set)."""

    budget: int
    macs_budget: int | None = None
    rf_min: int | None = None


@dataclass(frozen=True)
class Screen:
    """Static figures of one candidate and, if it fails a limit, why.

    ``constraints`` are Optuna constraint values (> 0 = violated), relative to the limit
    so that the sampler weighs a 10 % overshoot the same for every limit.
    """

    params: int
    macs: int
    rf: int
    reject_reason: str | None
    decide_ms: float  # params + rf + the decision
    total_ms: float  # including MACs
    constraints: dict[str, float] = field(default_factory=dict)


def _reasons(params: int, macs: int | None, rf: int, lim: Limits) -> list[str]:
    out = []
    if params > lim.budget:
        out.append(f"params {params:,} > budget {lim.budget:,}")
    if lim.rf_min is not None and rf < lim.rf_min:
        out.append(f"rf {rf} < rf-min {lim.rf_min}")
    if macs is not None and lim.macs_budget is not None and macs > lim.macs_budget:
        out.append(f"MACs {macs:,} > macs-budget {lim.macs_budget:,}")
    return out


def constraints(params: int, macs: int, rf: int, lim: Limits) -> dict[str, float]:
    """Relative violations (> 0 violated, <= 0 met) for ``Trial.set_constraint``."""
    c = {"params": params / lim.budget - 1.0}
    if lim.rf_min is not None:
        c["rf"] = 1.0 - rf / lim.rf_min
    if lim.macs_budget is not None:
        c["macs"] = macs / lim.macs_budget - 1.0
    return c


def screen(genome: Genome, lim: Limits, image_size: int) -> Screen:
    """Figures and verdict for ``genome`` at ``image_size`` px (head already set for the
    data: classes and input channels). Budget and rf-min are decided from the cached
    meta builds alone (``decide_ms``); MACs follow (``total_ms``)."""
    t0 = time.perf_counter()
    params, rf = params_rf(genome, image_size)
    reasons = _reasons(params, None, rf, lim)
    t1 = time.perf_counter()
    m = macs(genome, image_size)
    reasons += _reasons(0, m, rf, Limits(lim.budget, lim.macs_budget))
    t2 = time.perf_counter()
    return Screen(params, m, rf, "; ".join(reasons) or None, (t1 - t0) * 1e3,
                  (t2 - t0) * 1e3, constraints(params, m, rf, lim))
