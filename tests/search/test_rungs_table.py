"""Successive halving decisions as tables: rung tables in, promotions out (pure functions
of ``nas.search.rungs``; no Optuna, no torch)."""

from __future__ import annotations

import pytest

from nas.search.rungs import Entry, mo_order, promoted, rung_epochs


def table(*rows: tuple[float, int]) -> list[Entry]:
    """Entries keyed 0, 1, ... in arrival order: (val acc, params)."""
    return [Entry(i, acc, params) for i, (acc, params) in enumerate(rows)]


def promotions(rung: list[Entry], eta: int) -> set[int]:
    """Keys promoted when each is decided against the whole rung (a full rung)."""
    return {e.key for e in rung if promoted(e, rung, eta)}


def on_arrival(rung: list[Entry], eta: int) -> list[bool]:
    """ASHA: each decided on arrival, against those that arrived before it and itself."""
    return [promoted(e, rung[:i + 1], eta) for i, e in enumerate(rung)]


P = 1000  # params when only accuracy should matter

FULL_RUNGS = [
    # (rung table, eta, keys promoted): keep max(1, n // eta) of n
    pytest.param(table((0.5, P)), 2, {0}, id="alone"),
    pytest.param(table((0.5, P)), 4, {0}, id="alone-eta4"),
    pytest.param(table((0.5, P), (0.6, P)), 3, {1}, id="two-eta3-keeps-1"),
    pytest.param(table((0.5, P), (0.6, P), (0.4, P), (0.7, P)), 2, {1, 3}, id="eta2-of-4"),
    pytest.param(table((0.5, P), (0.6, P), (0.4, P), (0.7, P), (0.3, P)), 2, {1, 3},
                 id="eta2-of-5-floor"),
    pytest.param(table(*[(a / 10, P) for a in range(6)]), 3, {5, 4}, id="eta3-of-6"),
    pytest.param(table(*[(a / 10, P) for a in range(5)]), 3, {4}, id="eta3-of-5"),
    pytest.param(table(*[(a / 10, P) for a in range(8)]), 4, {7, 6}, id="eta4-of-8"),
    pytest.param(table(*[(a / 10, P) for a in range(7)]), 4, {6}, id="eta4-of-7"),
    # ties: equal accuracy and params -> the earlier trial first
    pytest.param(table((0.5, P), (0.5, P), (0.5, P), (0.5, P)), 2, {0, 1}, id="tie-all"),
    pytest.param(table((0.4, P), (0.5, P), (0.5, P)), 3, {1}, id="tie-best-earlier"),
    # equal accuracy, fewer params dominates
    pytest.param(table((0.5, 900), (0.5, 300), (0.5, 600)), 3, {1}, id="tie-acc-fewer-params"),
    # a dominated net ranks below every front net, whatever its accuracy
    pytest.param(table((0.9, 100), (0.8, 300), (0.5, 50), (0.1, 400), (0.2, 500),
                       (0.3, 600)), 3, {0, 2}, id="front-before-dominated"),
    # within a front, higher accuracy first (the big accurate net before the small one)
    pytest.param(table((0.5, 100), (0.7, 200), (0.9, 300), (0.95, 400)), 2, {3, 2},
                 id="one-front-by-acc"),
    # front {0, 3}, then the second front {1, 2} by accuracy: 1 (0.85) before 2 (0.8)
    pytest.param(table((0.9, 100), (0.85, 150), (0.8, 120), (0.7, 90), (0.6, 200),
                       (0.65, 300)), 2, {0, 3, 1}, id="second-front"),
]


@pytest.mark.parametrize(("rung", "eta", "keys"), FULL_RUNGS)
def test_full_rung_promotes_the_top_of_the_multi_objective_order(rung, eta, keys):
    assert promotions(rung, eta) == keys
    keep = max(1, len(rung) // eta)
    assert {e.key for e in mo_order(rung)[:keep]} == keys  # the same rule, sorted


ARRIVALS = [
    # (rung in arrival order, eta, decision of each on arrival)
    pytest.param(table((0.5, P), (0.6, P), (0.4, P), (0.7, P), (0.3, P)), 2,
                 [True, True, False, True, False], id="eta2"),
    pytest.param(table(*[(a / 10, P) for a in range(7)]), 3, [True] * 7,
                 id="eta3-each-better"),
    pytest.param(table(*[(1 - a / 10, P) for a in range(7)]), 3,
                 [True, False, False, False, False, False, False], id="eta3-each-worse"),
    # the 6th of 6 keeps 2 (eta 3): second best of the six arrived so far
    pytest.param(table((0.9, P), (0.1, P), (0.2, P), (0.3, P), (0.4, P), (0.8, P)), 3,
                 [True, False, False, False, False, True], id="eta3-late-second"),
    pytest.param(table((0.9, P), (0.1, P), (0.2, P), (0.3, P), (0.8, P)), 3,
                 [True, False, False, False, False], id="eta3-second-of-5-halts"),
    # eta 4: the 8th arrival is in the top 2
    pytest.param(table((0.9, P), (0.2, P), (0.3, P), (0.1, P), (0.4, P), (0.5, P),
                       (0.6, P), (0.7, P)), 4,
                 [True, False, False, False, False, False, False, True], id="eta4"),
    # all on one front: the small, less accurate net (2) ranks below the accurate ones
    pytest.param(table((0.9, 100), (0.95, 400), (0.5, 50), (0.96, 450)), 2,
                 [True, True, False, True], id="mo-eta2"),
    # equal to the first on both objectives: the earlier trial wins the single slot
    pytest.param(table((0.5, P), (0.5, P)), 2, [True, False], id="tie-second-arrival"),
]


@pytest.mark.parametrize(("rung", "eta", "decisions"), ARRIVALS)
def test_decisions_on_arrival(rung, eta, decisions):
    assert on_arrival(rung, eta) == decisions


def test_a_stale_entry_of_the_candidate_is_replaced_by_its_score_now():
    """``rung`` may hold the candidate itself (e.g. read back from the study): it counts
    once, with the score being decided."""
    rung = table((0.9, P), (0.2, P), (0.1, P))
    me = Entry(2, 0.95, P)
    assert promoted(me, rung, 3)
    assert promoted(me, [*rung[:2], me], 3)
    assert not promoted(Entry(2, 0.05, P), rung, 3)


def test_the_order_does_not_depend_on_the_order_of_the_table():
    rung = table((0.9, 100), (0.8, 300), (0.5, 50), (0.1, 400), (0.5, 50), (0.3, 600))
    assert mo_order(rung) == mo_order(list(reversed(rung)))
    for e in rung:
        assert promoted(e, rung, 3) == promoted(e, list(reversed(rung)), 3)


@pytest.mark.parametrize(("args", "rungs"), [
    ((1, 4, 2), (1, 2, 4)),
    ((1, 5, 2), (1, 2, 5)),  # 5 / 2 rounds to 2 (half to even), then 1
    ((1, 20, 3), (1, 2, 7, 20)),  # the default top rung
    ((2, 40, 3), (2, 4, 13, 40)),  # 40/27 < 2: the lowest rung is --min-epochs itself
    ((1, 4, 4), (1, 4)),
    ((3, 4, 2), (3, 4)),
    ((1, 1, 3), (1,)),
    ((4, 4, 2), (4,)),
    ((1, 81, 3), (1, 3, 9, 27, 81)),
    ((1, 16, 4), (1, 4, 16)),
])
def test_rung_epochs_table(args, rungs):
    assert rung_epochs(*args) == rungs
