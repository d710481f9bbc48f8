"""nas.nondominated: the one non-dominated sort (study fronts and successive halving)."""

from __future__ import annotations

import random

from nas.nondominated import dominates, fronts, levels
from nas.search.rungs import Entry, front_levels


def test_dominates_needs_one_strict_improvement():
    assert dominates((1, 1), (1, 2)) and not dominates((1, 2), (1, 2))
    assert not dominates((0, 3), (1, 2)) and not dominates((1, 2), (0, 3))


def test_fronts_peel_in_order_and_keep_ties_together():
    pts = [(1, 5), (2, 2), (5, 1), (2, 5), (3, 3), (2, 2), (6, 6)]
    assert fronts(pts) == [[0, 1, 2, 5], [3, 4], [6]]
    assert levels(pts) == [0, 0, 0, 1, 1, 0, 2]
    assert fronts([]) == [] and levels([]) == []


def test_no_point_is_dominated_by_its_own_front_or_a_later_one():
    rng = random.Random(0)
    pts = [(rng.randint(0, 9), rng.randint(0, 9), rng.random()) for _ in range(60)]
    ranked = fronts(pts)
    assert sorted(i for f in ranked for i in f) == list(range(60))
    for k, front in enumerate(ranked):
        for i in front:
            later = [j for f in ranked[k:] for j in f]
            assert not any(dominates(pts[j], pts[i]) for j in later)
            if k:  # something in the front just above dominates it
                assert any(dominates(pts[j], pts[i]) for j in ranked[k - 1])


def test_rung_levels_are_the_same_sort_on_accuracy_up_params_down():
    e = [Entry(7, 0.8, 100), Entry(3, 0.7, 50), Entry(9, 0.6, 100), Entry(1, 0.8, 100)]
    assert front_levels(e) == {7: 0, 3: 0, 9: 1, 1: 0}
