"""Rank agreement between a proxy and the reference: Kendall tau-b, Spearman rho, top-k
recall and percentile-bootstrap intervals.

The coefficients and the resampling come from ``scipy.stats``. This module adds what the
fidelity report relies on: NaN (no warning) where a coefficient is undefined (a constant
side, fewer than 2 architectures), and intervals that skip the resamples where it is
undefined rather than turning NaN as a whole (a proxy with many ties, such as depth,
draws some all-tied resamples).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

Stat = Callable[[np.ndarray, np.ndarray], float]


def _pair(x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"need two equally long 1-d sequences, got {a.shape} and {b.shape}")
    return a, b


def _undefined(a: np.ndarray, b: np.ndarray) -> bool:
    """A rank coefficient needs >= 2 values and some spread on each side."""
    return len(a) < 2 or bool(np.all(a == a[0])) or bool(np.all(b == b[0]))


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b (``scipy.stats.kendalltau``), which corrects for ties in either
    ranking. NaN when either side is constant or n < 2."""
    a, b = _pair(x, y)
    if _undefined(a, b):
        return math.nan
    # the p-value is unused; its exact form (small n, no ties) would double the cost
    return float(stats.kendalltau(a, b, method="asymptotic").statistic)


def ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their average rank (``scipy.stats.rankdata``)."""
    return stats.rankdata(x, method="average")


def spearman_rho(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho (``scipy.stats.spearmanr``): Pearson correlation of the average-tie
    ranks. NaN when either side is constant or n < 2."""
    a, b = _pair(x, y)
    return math.nan if _undefined(a, b) else float(stats.spearmanr(a, b).statistic)


def top_k(x: np.ndarray, k: int) -> set[int]:
    """Indices of the ``k`` largest values (ties broken by position, first wins)."""
    return set(np.argsort(-x, kind="stable")[:k].tolist())


def top_recall(proxy: Sequence[float], ref: Sequence[float], fraction: float = 0.25) -> float:
    """Of the reference's top ``fraction`` (at least one), the share the proxy also puts
    in its own top ``fraction``: 1.0 = the proxy finds every one of the best."""
    a, b = _pair(proxy, ref)
    k = max(1, math.ceil(fraction * len(a)))
    return len(top_k(a, k) & top_k(b, k)) / k


def bootstrap_ci(stat: Stat, x: Sequence[float], y: Sequence[float], reps: int = 2000,
                 level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of ``stat(x, y)`` over architectures drawn with
    replacement (pairs kept together). Resamples where the statistic is undefined (all
    values tied) are skipped."""
    a, b = _pair(x, y)
    return _percentiles((a, b), stat, reps, level, seed)


def bootstrap_diff_ci(stat: Stat, x: Sequence[float], z: Sequence[float], y: Sequence[float],
                      reps: int = 2000, level: float = 0.95, seed: int = 0
                      ) -> tuple[float, float]:
    """Percentile bootstrap interval of ``stat(x, y) - stat(z, y)``: how much better proxy
    ``x`` ranks the reference ``y`` than proxy ``z`` does. Architectures are resampled
    jointly (paired), so the luck of the sample that both proxies share cancels; an
    interval above 0 means ``x`` is the better proxy on this space and budget."""
    a, c = _pair(x, z)
    _, b = _pair(x, y)
    return _percentiles((a, c, b), lambda p, q, r: stat(p, r) - stat(q, r), reps, level,
                        seed)


def _percentiles(data: tuple[np.ndarray, ...], value: Callable[..., float], reps: int,
                 level: float, seed: int) -> tuple[float, float]:
    """The (1 - level) / 2 and (1 + level) / 2 quantiles of ``value(*data)`` over ``reps``
    paired resamples (``scipy.stats.bootstrap``, seeded); NaN values are skipped. A
    sample of one architecture has no spread to resample: its interval is NaN."""
    if len(data[0]) < 2:
        return math.nan, math.nan
    with warnings.catch_warnings():  # scipy warns that its own interval is NaN: ours isn't
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)
        res = stats.bootstrap(data, value, n_resamples=reps, vectorized=False, paired=True,
                              confidence_level=level, method="percentile",
                              rng=np.random.default_rng(seed))
    values = res.bootstrap_distribution[~np.isnan(res.bootstrap_distribution)]
    if not len(values):
        return math.nan, math.nan
    lo, hi = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)
