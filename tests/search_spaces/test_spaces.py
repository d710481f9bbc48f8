"""The shipped search spaces: loading, stable parameter names, reach, budget-awareness."""

from __future__ import annotations

import random
import re

import pytest

from nas.analysis import count_params
from nas.errors import NasError
from nas.genome import Genome
from nas.search.space import (
    FixedChooser,
    check_budget,
    load_space,
    overall_range,
    param_range,
    space_names,
)
from nas.zoo import ZOO

NAME = re.compile(r"^(act|stages|aspp|head_[a-z]+|s\d+_[a-z_]+|s\d+_b\d+_[a-z_]+)$")


class RandomChooser:
    """Uniform choices, recording each name's choice list."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.asked = rng, {}

    def suggest_categorical(self, name, choices):
        assert self.asked.setdefault(name, tuple(choices)) == tuple(choices)
        return self.rng.choice(list(choices))


def samples(name: str, budget: int, n: int, seed: int = 0) -> list[tuple[Genome, dict]]:
    space, rng, out = load_space(name), random.Random(seed), []
    for _ in range(n):
        c = RandomChooser(rng)
        out.append((space.sample(c, budget), c.asked))
    return out


@pytest.mark.parametrize("name", ["default", "small", "resnet"])
def test_samples_are_valid_with_stable_names(name):
    seen: dict[str, tuple] = {}
    for genome, asked in samples(name, 200_000, 60):
        assert Genome.from_string(genome.to_string()) == genome
        for key, choices in asked.items():
            assert NAME.match(key), key
            assert seen.setdefault(key, choices) == choices  # same name, same choices


@pytest.mark.parametrize(("name", "budget", "share"), [
    ("default", 200_000, 0.5), ("small", 200_000, 0.5), ("default", 400_000, 0.5),
    ("resnet", 400_000, 0.2),  # wide non-separable stages overflow: about a quarter fit
])
def test_enough_random_samples_fit_the_budget(name, budget, share):
    fits = [count_params(g) <= budget for g, _ in samples(name, budget, 60, seed=1)]
    assert sum(fits) / len(fits) >= share


def test_default_space_uses_every_documented_block():
    found = set()
    for genome, _ in samples("default", 200_000, 200, seed=2):
        for b in genome.blocks:
            found.add(b.op)
            if "a" in dict(b.args):
                found.add(f"a={b['a']}")
            if b.get("d", 1) != 1 and b.op == "ds":
                found.add("dilated")
            if b.get("se", 0):
                found.add("se")
            if b.get("r", False):
                found.add("residual")
        found.update({"head_h"} if genome.head["h"] else set())
        found.update({"head_p"} if genome.head["p"] else set())
    assert {"cv", "ds", "dilated", "ir", "se", "residual", "mp", "aspp", "head_h", "head_p",
            "a=relu", "a=silu", "a=hswish"} <= found


def test_small_space_contains_seed003():
    picks = {"s1_c": 16, "s1_b2_c": 32, "s2_c": 48, "s2_stride_at": "b2", "s2_b1_op": "ds",
             "s2_b2_op": "cv", "s3_c": 64, "s3_stride_at": "none", "s3_b1_op": "ds",
             "s3_b2_op": "dil", "s4_c": 96, "s4_stride_at": "b1", "s4_b1_op": "ds",
             "s4_b2_op": "pw", "head_p": 0.05}
    genome = load_space("small").sample(FixedChooser(picks, lambda c: c[0]), 220_000)
    assert genome == ZOO["seed003"].parsed


RESNET_SEED001 = {"act": "relu", "s1_c": 32, "s2_c": 32, "s2_depth": 2, "s2_sep": False,
                  "s2_down": "none", "s2_drop": 0.1, "s3_c": 64, "s3_depth": 2,
                  "s3_sep": False, "s3_drop": 0.1, "s4_c": 128, "s4_depth": 1,
                  "s4_sep": False, "s4_drop": 0.1, "head_p": 0.0}


def test_resnet_space_contains_seed001_and_seed000_up_to_a_width():
    space = load_space("resnet")
    seed001 = space.sample(FixedChooser(RESNET_SEED001, lambda c: c[0]), 400_000)
    assert seed001 == ZOO["seed001"].parsed
    picks = {**RESNET_SEED001, "act": "silu", "s2_c": 64, "s3_c": 128, "s4_c": 224,
             "s4_depth": 2, "s2_drop": 0.0, "s3_drop": 0.0, "s4_drop": 0.0, "head_p": 0.3}
    picks.update({f"s{i}_{k}": v for i in (2, 3, 4) for k, v in (("sep", True), ("se", 0.25))})
    seed000 = space.sample(FixedChooser(picks, lambda c: c[0]), 400_000).to_string()
    assert seed000 == ZOO["seed000"].parsed.to_string().replace("c228", "c224")


def test_resnet_space_reaches_full_resolution_compute():
    """Why the space exists: filled 400k candidates of the default space rarely spend
    seed000's 54M MACs (results/budget/README.md, "Why"); about 40% of this space's do."""
    from nas.analysis import analyze

    def heavy_share(name: str) -> float:
        filled = [g for g, _ in samples(name, 400_000, 300, seed=3)
                  if 340_000 <= count_params(g) <= 400_000]
        assert len(filled) >= 8, name
        return sum(analyze(g).macs >= 54e6 for g in filled) / len(filled)

    assert heavy_share("resnet") >= 0.2 > 0.05 >= heavy_share("default")


@pytest.mark.parametrize("name", ["default", "small", "resnet"])
def test_spaces_list_choices_from_cheap_to_costly(name):
    """The convention ``param_range`` relies on: first choices give the smallest net and
    last ones the largest, which the greedy search cannot improve on."""
    assert param_range(name, 200_000) == param_range(name, 200_000, refine=True)


def test_ranges_cover_the_seeds_budgets():
    lo, hi = overall_range("default")
    assert lo < 10_000 and hi > 1_000_000
    for budget in (82_474, 150_738, 197_378, 390_528):  # seeds 003, 004, 002, 000
        low, high = param_range("default", budget)
        assert low < budget < high


def test_unknown_space_and_unreachable_budget():
    with pytest.raises(NasError, match=r"unknown search space 'nope'.*default"):
        load_space("nope")
    with pytest.raises(NasError, match=r"smallest network in space 'small' has [\d,]+ params"):
        check_budget("small", 500)
    check_budget("small", 30_000)
    assert "default" in space_names() and "small" in space_names()


def test_a_registered_space_is_found_by_name(monkeypatch):
    from nas.search import space_registry

    monkeypatch.setattr(space_registry, "_REGISTRY", dict(space_registry._REGISTRY))

    @space_registry.register("one conv (tests)\nmore text", name="tiny_test")
    def sample(t, budget):
        return Genome.from_string(f"cv_c{t.suggest_categorical('s1_c', (8, 16))}/head")

    assert "tiny_test" in space_names()
    s = load_space("tiny_test")
    assert s.description == "one conv (tests)" and s.sample is sample
    assert load_space("small").name == "small"  # files register under their file name


def test_a_space_file_that_registers_nothing_is_a_one_line_error(monkeypatch):
    import sys
    import types

    module = types.ModuleType("search_spaces.unregistered")
    module.DESCRIPTION = "old style"
    module.sample = lambda t, budget: None
    module.__file__ = "search_spaces/unregistered.py"
    monkeypatch.setitem(sys.modules, "search_spaces.unregistered", module)
    with pytest.raises(NasError, match="registers no sample function: decorate it"):
        load_space("unregistered")
