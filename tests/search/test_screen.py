"""Screening: verdicts and Optuna constraints (the figures: tests/analysis/test_static.py)."""

from __future__ import annotations

from nas.search.screen import Limits, screen
from nas.zoo import ZOO


def test_verdicts_and_constraints():
    g = ZOO["seed003"].parsed  # 82,474 params
    ok = screen(g, Limits(100_000, rf_min=20), 32)
    assert ok.reject_reason is None and all(v <= 0 for v in ok.constraints.values())
    bad = screen(g, Limits(80_000, macs_budget=1_000_000, rf_min=500), 32)
    assert "params 82,474 > budget 80,000" in bad.reject_reason
    assert "rf 25 < rf-min 500" in bad.reject_reason and "MACs" in bad.reject_reason
    assert set(bad.constraints) == {"params", "rf", "macs"}
    assert all(v > 0 for v in bad.constraints.values())
