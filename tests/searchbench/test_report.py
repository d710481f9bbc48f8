"""The benchmark's readings of one search: best found vs images, the allowance's start
rule, the pick, and the JSON line round trip."""

from __future__ import annotations

import math

from nas.searchbench.report import at_allowance, best_found, paired, picked
from nas.searchbench.run import SearchResult, TrialRow

ROWS = (TrialRow(0, 0, 44_800, 0, False, None, None),
        TrialRow(1, 44_800, 1_388_800, 3, True, 0.86, 0.87),
        TrialRow(2, 1_388_800, 1_523_200, 1, False, None, None),
        TrialRow(3, 1_523_200, 2_867_200, 3, True, 0.88, 0.86))


def result(arm: str = "a", seed: int = 0, rows: tuple[TrialRow, ...] = ROWS) -> SearchResult:
    return SearchResult(arm, seed, 5, len(rows), 2, 1, 0, 0, 0, rows[-1].end, 1.0, rows)


def test_a_net_counts_once_its_top_rung_ends() -> None:
    r = result()
    assert math.isnan(best_found(r, 1_000_000))
    assert best_found(r, 1_388_800) == 0.86 and best_found(r, 3e6) == 0.88


def test_the_allowance_is_a_start_rule() -> None:
    r = result()
    assert at_allowance(r, 1_500_000) == 0.86  # trial 3 starts at 1,523,200
    assert at_allowance(r, 1_523_201) == 0.88 and at_allowance(r) == 0.88


def test_the_pick_is_the_best_measured_not_the_best_true() -> None:
    assert picked(result()) == 0.86


def test_json_round_trip() -> None:
    r = result()
    assert SearchResult.from_json(r.to_json()) == r


def test_paired_difference_in_points() -> None:
    lo = [result("b", s, (TrialRow(0, 0, 1, 3, True, 0.80 + s / 100, 0.8),)) for s in range(5)]
    hi = [result("a", s, (TrialRow(0, 0, 1, 3, True, 0.81 + s / 100 + (s % 2) / 1000,
                                   0.8),)) for s in range(5)]
    p = paired(lo + hi, "a", "b", "end", at_allowance)
    assert p.n == 5 and p.wins == 5 and abs(p.mean - 1.04) < 1e-9
    assert p.p_ttest < 0.001
