"""Statistics over training seeds: mean +- sample std, and Welch's t-test.

A result that claims one net beats another reports both nets' seeds and a test that
does not assume equal variances (Welch 1947): with 2-3 seeds per side the variances are
poorly known and rarely equal. The test and Student's t tail come from ``scipy.stats``;
this module adds the conventions the tables rely on (see ``welch``).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def mean_std(xs: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0.0 for a single value), in the units of
    ``xs``: one seed still gets a row in a table, with no spread."""
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


@dataclass(frozen=True)
class Welch:
    """Welch's t-test of mean(a) - mean(b): statistic, Welch-Satterthwaite degrees of
    freedom, two-sided p-value."""

    t: float
    df: float
    p: float


def welch(a: Sequence[float], b: Sequence[float]) -> Welch:
    """Two-sided Welch's t-test (``scipy.stats.ttest_ind(equal_var=False)``); needs >= 2
    values per side, since one seed has no variance to weigh. Zero spread on both sides
    gives p = 0 when the means differ (a certain difference, t = +-inf, df NaN) and p = 1
    when they are equal, where scipy would warn and answer NaN."""
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"Welch's t-test needs >= 2 values per side, got {len(a)} and "
                         f"{len(b)}")
    (ma, sa), (mb, sb) = mean_std(a), mean_std(b)
    if sa == 0 and sb == 0:
        return Welch(math.copysign(math.inf, ma - mb) if ma != mb else 0.0, math.nan,
                     0.0 if ma != mb else 1.0)
    from scipy import stats  # here: ~0.8 s to import, and every CLI command loads mean_std

    r = stats.ttest_ind(a, b, equal_var=False)
    return Welch(float(r.statistic), float(r.df), float(r.pvalue))


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with ``df`` (real, > 0) degrees of freedom."""
    from scipy import stats

    return float(2 * stats.t.sf(abs(t), df))
