"""Genome edits: one change at a time, inside the grammar, the head and the stage layout
kept, reproducible from the generator's seed."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from nas.genome import Genome
from nas.genome.mutate import MUTATIONS, mutate
from nas.zoo import ZOO

MIXED = "cv_c16/ds_c32_s2_se0.25,ir_c32_e4_r1/rb_c64_s2,cv_k5_c64_d2/mp/head_h32"


def _strides(g: Genome) -> list[list[int]]:
    return [[b.get("s", 1) for b in s if b.get("s", 1) > 1] for s in g.stages]


@pytest.mark.parametrize("text", [MIXED, *(e.genome for e in ZOO.values())])
def test_a_child_is_a_valid_genome_one_edit_away(text):
    g, rng = Genome.from_string(text), random.Random(0)
    for _ in range(100):
        child, what = mutate(g, rng)
        assert child != g and Genome.from_string(child.to_string()) == child
        assert child.head == g.head and len(child.stages) == len(g.stages)
        assert _strides(child) == _strides(g), what  # resolution schedule unchanged
        n, m = len(child.blocks), len(g.blocks)
        if what.startswith(("deeper", "shallower")):
            assert abs(n - m) == 1, what
        else:  # one block changed in place
            assert n == m and sum(a != b for a, b in zip(child.blocks, g.blocks,
                                                         strict=True)) == 1, what


def test_every_kind_of_edit_occurs_and_the_seed_reproduces_them():
    g = Genome.from_string(MIXED)
    draws = [mutate(g, random.Random(seed)) for seed in range(400)]
    assert set(Counter(w.split(":")[0] for _, w in draws)) == set(MUTATIONS)
    assert [c.to_string() for c, _ in draws[:20]] == \
        [mutate(g, random.Random(seed))[0].to_string() for seed in range(20)]


def test_a_genome_with_nothing_to_change_is_a_clear_error():
    with pytest.raises(ValueError, match="no edit changes genome"):
        mutate(Genome.from_string("mp/head"), random.Random(0))
