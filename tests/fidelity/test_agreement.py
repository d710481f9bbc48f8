"""nas.fidelity.agreement: rank coefficients and bootstrap intervals (scipy.stats) on
cases computed by hand."""

import math

import numpy as np
import pytest
from scipy import stats

from nas.fidelity.agreement import bootstrap_ci, kendall_tau, ranks, spearman_rho, top_recall


def test_kendall_by_hand():
    # pairs of (1,2,3,4) vs (1,3,2,4): 5 concordant, 1 discordant -> (5 - 1) / 6
    assert kendall_tau([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(4 / 6)
    assert kendall_tau([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_kendall_tau_b_with_ties_by_hand():
    # x = (1,1,2), y = (1,2,3): pairs (0,1) tied in x; (0,2),(1,2) concordant
    # tau_b = 2 / sqrt((3 - 1) * (3 - 0)) = 2 / sqrt(6)
    assert kendall_tau([1, 1, 2], [1, 2, 3]) == pytest.approx(2 / math.sqrt(6))
    assert math.isnan(kendall_tau([1, 1, 1], [1, 2, 3]))


def test_spearman_by_hand():
    # ranks (1,2,3,4) vs (1,3,2,4): d^2 = 0+1+1+0 = 2 -> 1 - 6*2 / (4*15) = 0.8
    assert spearman_rho([10, 20, 30, 40], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert ranks([5.0, 1.0, 5.0]).tolist() == [2.5, 1.0, 2.5]


def test_top_recall_by_hand():
    ref = [8, 7, 6, 5, 4, 3, 2, 1]  # top quarter: indices 0 and 1
    assert top_recall([8, 7, 1, 1, 1, 1, 1, 1], ref) == 1.0
    assert top_recall([8, 1, 7, 1, 1, 1, 1, 1], ref) == 0.5
    assert top_recall([1, 2, 3, 4, 5, 6, 7, 8], ref) == 0.0


def test_bootstrap_interval_contains_the_estimate_and_is_reproducible():
    x = [0.1, 0.5, 0.2, 0.9, 0.4, 0.7, 0.3, 0.8]
    y = [0.2, 0.4, 0.1, 0.8, 0.5, 0.9, 0.3, 0.6]
    lo, hi = bootstrap_ci(kendall_tau, x, y, reps=500, seed=1)
    assert lo <= kendall_tau(x, y) <= hi and lo < hi
    assert (lo, hi) == bootstrap_ci(kendall_tau, x, y, reps=500, seed=1)
    assert bootstrap_ci(kendall_tau, [1, 2, 3], [1, 2, 3], reps=200) == pytest.approx((1, 1))


def test_undefined_coefficients_are_nan_without_a_warning(recwarn):
    assert math.isnan(spearman_rho([1, 1, 1], [1, 2, 3]))
    assert math.isnan(kendall_tau([1], [2])) and math.isnan(spearman_rho([], []))
    assert not recwarn.list
    assert all(math.isnan(v) for v in bootstrap_ci(kendall_tau, [1], [2], reps=10))


def test_the_interval_is_scipys_percentile_interval_when_every_resample_is_defined():
    rng = np.random.default_rng(5)
    x = rng.random(30)
    y = x + rng.random(30)
    res = stats.bootstrap((x, y), lambda a, b: stats.kendalltau(a, b).statistic,
                          paired=True, vectorized=False, n_resamples=300,
                          method="percentile", rng=np.random.default_rng(3))
    lo, hi = bootstrap_ci(kendall_tau, x, y, reps=300, seed=3)
    assert (lo, hi) == pytest.approx((res.confidence_interval.low,
                                      res.confidence_interval.high))


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        kendall_tau([1, 2], [1, 2, 3])


def test_paired_difference_interval():
    from nas.fidelity.agreement import bootstrap_diff_ci

    ref = list(range(12))
    good = [v + 0.1 * (i % 2) for i, v in enumerate(ref)]  # same order as ref
    bad = [5, 3, 9, 0, 11, 1, 7, 2, 10, 4, 8, 6]  # close to random
    lo, hi = bootstrap_diff_ci(kendall_tau, good, bad, ref, reps=500)
    assert 0 < lo <= hi  # the good proxy is better, with confidence
    lo, hi = bootstrap_diff_ci(kendall_tau, good, good, ref, reps=200)
    assert lo == hi == 0.0  # a proxy against itself: exactly no difference
    lo, hi = bootstrap_diff_ci(kendall_tau, bad, good, ref, reps=500)
    assert lo <= hi < 0
