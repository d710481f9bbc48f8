"""nas.significance: Welch's t-test and the t tail (scipy.stats) against published values."""

from __future__ import annotations

import math

import pytest

from nas.significance import mean_std, t_two_sided_p, welch


@pytest.mark.parametrize(("t", "df", "p"), [
    (12.706, 1, 0.05), (4.303, 2, 0.05), (2.776, 4, 0.05), (2.228, 10, 0.05),
    (63.657, 1, 0.01), (4.604, 4, 0.01), (0.0, 3, 1.0)])
def test_t_tail_matches_the_t_table(t, df, p):
    assert t_two_sided_p(t, df) == pytest.approx(p, abs=2e-4)
    assert t_two_sided_p(-t, df) == t_two_sided_p(t, df)


def test_welch_matches_a_hand_computed_value():
    # a = (1, 2, 3, 4), b = (3, 4, 5, 6, 7): means 2.5 and 5, variances 5/3 and 5/2;
    # se^2 = 5/12 + 1/2 = 11/12, t = -2.5 / sqrt(11/12) = -2.6112;
    # df = (11/12)^2 / ((5/12)^2 / 3 + (1/2)^2 / 4) = 6.981; p from the t table ~ 0.035
    w = welch([1, 2, 3, 4], [3, 4, 5, 6, 7])
    assert w.t == pytest.approx(-2.5 / math.sqrt(11 / 12))
    assert w.df == pytest.approx((11 / 12) ** 2 / ((5 / 12) ** 2 / 3 + 0.5**2 / 4))
    assert w.p == pytest.approx(t_two_sided_p(w.t, w.df)) and 0.03 < w.p < 0.04


def test_welch_on_the_bf16_seeds_of_results_bench():
    # results/bench.md: fp32 vs bf16 val acc, seeds 0 and 1: p = 0.36, df 1.6
    w = welch([0.7956, 0.7876], [0.7834, 0.7880])
    assert w.t == pytest.approx(1.2787, abs=1e-4)
    assert w.df == pytest.approx(1.596, abs=1e-3)
    assert w.p == pytest.approx(0.3558, abs=1e-4)


def test_welch_edge_cases():
    assert welch([1.0, 1.0], [0.5, 0.5]).p == 0.0
    assert welch([1.0, 1.0], [1.0, 1.0]).p == 1.0
    assert math.isinf(welch([1.0, 1.0], [0.5, 0.5]).t)
    with pytest.raises(ValueError, match=">= 2 values per side"):
        welch([0.8], [0.7, 0.71])


def test_mean_std_is_the_sample_std():
    assert mean_std([1.0, 3.0]) == (2.0, pytest.approx(math.sqrt(2)))
    assert mean_std([0.5]) == (0.5, 0.0)
