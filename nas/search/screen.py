"""Screening a sampled genome against the limits, before any training.

One weight-free (meta device) build gives the parameter count and the receptive field,
~5-20 ms: that alone decides a rejection for budget and rf-min. MACs need a forward pass:
the same module is given zeroed CPU storage (``to_empty``, no weight init) and
profiled by thop on one image, so the figure equals ``nas show``'s; ~10-30 ms more.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import torch

from nas.analysis import receptive_field
from nas.builder import Net, build
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


def macs_of(net: Net, image_size: int, in_chans: int) -> int:
    """thop multiply-accumulates for one image, on a weightless copy of a meta-built net."""
    from thop import profile

    net = net.to_empty(device="cpu").eval()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one tiny image: thread hand-offs cost more than they save
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            for t in (*net.parameters(), *net.buffers()):
                t.zero_()  # garbage memory may hold denormals, slow on CPUs
            macs, _ = profile(net, inputs=(torch.zeros(1, in_chans, image_size, image_size),),
                              verbose=False)
    finally:
        torch.set_num_threads(threads)
    return int(macs)


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
    data: classes and input channels)."""
    t0 = time.perf_counter()
    net = build(genome, "meta")
    params = sum(p.numel() for p in net.parameters())
    rf = receptive_field(net)
    reasons = _reasons(params, None, rf, lim)
    t1 = time.perf_counter()
    macs = macs_of(net, image_size, genome.head["i"])
    reasons += _reasons(0, macs, rf, Limits(lim.budget, lim.macs_budget))
    t2 = time.perf_counter()
    return Screen(params, macs, rf, "; ".join(reasons) or None, (t1 - t0) * 1e3,
                  (t2 - t0) * 1e3, constraints(params, macs, rf, lim))
