"""nas.analysis.static: figures from cached blocks equal the whole-network analysis."""

from __future__ import annotations

import random

import pytest

from nas.analysis import analyze
from nas.analysis.static import figures, params_of
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


def test_params_of_equals_the_built_count():
    g = ZOO["seed003"].parsed
    assert params_of(g) == analyze(g).params == 82_474
