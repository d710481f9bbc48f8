"""Screening: cached per-block figures equal the whole-network analysis, verdicts."""

from __future__ import annotations

import random

import pytest

from nas.analysis import analyze
from nas.search.screen import Limits, figures, screen
from nas.search.space import load_space
from nas.zoo import ZOO


class RandomChooser:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def suggest_categorical(self, name, choices):
        return self.rng.choice(list(choices))


@pytest.mark.parametrize(("space", "size"), [("default", 32), ("default", 16), ("small", 32)])
def test_figures_equal_analyze(space, size):
    s = load_space(space)
    for seed in range(4):
        g = s.sample(RandomChooser(seed), 200_000).replace_head(c=7)
        a = analyze(g, size)
        assert figures(g, size) == (a.params, a.macs, a.rf)


@pytest.mark.parametrize("name", ["seed002", "seed003", "resnet20"])
def test_figures_of_zoo_networks(name):
    a = analyze(ZOO[name].parsed)
    assert figures(ZOO[name].parsed, 32) == (a.params, a.macs, a.rf)


def test_verdicts_and_constraints():
    g = ZOO["seed003"].parsed  # 82,474 params
    ok = screen(g, Limits(100_000, rf_min=20), 32)
    assert ok.reject_reason is None and all(v <= 0 for v in ok.constraints.values())
    bad = screen(g, Limits(80_000, macs_budget=1_000_000, rf_min=500), 32)
    assert "params 82,474 > budget 80,000" in bad.reject_reason
    assert "rf 25 < rf-min 500" in bad.reject_reason and "MACs" in bad.reject_reason
    assert set(bad.constraints) == {"params", "rf", "macs"}
    assert all(v > 0 for v in bad.constraints.values())
