"""Rank agreement between a proxy and the reference: Kendall tau-b, Spearman rho, top-k
recall and percentile-bootstrap intervals. NumPy only (no SciPy dependency); the tests
check them against small cases computed by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

Stat = Callable[[np.ndarray, np.ndarray], float]


def _pair(x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"need two equally long 1-d sequences, got {a.shape} and {b.shape}")
    return a, b


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b: (concordant - discordant) / sqrt((n0 - tx)(n0 - ty)), which
    corrects for ties in either ranking. NaN when either side is constant or n < 2."""
    a, b = _pair(x, y)
    i, j = np.triu_indices(len(a), k=1)
    sa, sb = np.sign(a[i] - a[j]), np.sign(b[i] - b[j])
    n0 = len(i)
    untied_a, untied_b = np.count_nonzero(sa), np.count_nonzero(sb)
    if untied_a == 0 or untied_b == 0:
        return math.nan
    return float((sa * sb).sum() / math.sqrt(untied_a * untied_b)) if n0 else math.nan


def ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their average rank."""
    order = np.argsort(x, kind="stable")
    r = np.empty(len(x), dtype=np.float64)
    r[order] = np.arange(1, len(x) + 1)
    for v in np.unique(x):
        tied = x == v
        r[tied] = r[tied].mean()
    return r


def spearman_rho(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho: Pearson correlation of the (average-tie) ranks. NaN when constant."""
    a, b = _pair(x, y)
    ra, rb = ranks(a), ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    den = math.sqrt(float((ra * ra).sum() * (rb * rb).sum()))
    return float((ra * rb).sum() / den) if den else math.nan


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
    return _percentiles(lambda idx: stat(a[idx], b[idx]), len(a), reps, level, seed)


def bootstrap_diff_ci(stat: Stat, x: Sequence[float], z: Sequence[float], y: Sequence[float],
                      reps: int = 2000, level: float = 0.95, seed: int = 0
                      ) -> tuple[float, float]:
    """Percentile bootstrap interval of ``stat(x, y) - stat(z, y)``: how much better proxy
    ``x`` ranks the reference ``y`` than proxy ``z`` does. Architectures are resampled
    jointly (paired), so the luck of the sample that both proxies share cancels; an
    interval above 0 means ``x`` is the better proxy on this space and budget."""
    a, c = _pair(x, z)
    _, b = _pair(x, y)
    return _percentiles(lambda idx: stat(a[idx], b[idx]) - stat(c[idx], b[idx]), len(a),
                        reps, level, seed)


def _percentiles(value: Callable[[np.ndarray], float], n: int, reps: int, level: float,
                 seed: int) -> tuple[float, float]:
    """The (1 - level) / 2 and (1 + level) / 2 quantiles of ``value(idx)`` over ``reps``
    resamples ``idx`` of ``range(n)`` with replacement; NaN values are skipped."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(reps):
        v = value(rng.integers(0, n, n))
        if not math.isnan(v):
            values.append(v)
    if not values:
        return math.nan, math.nan
    lo, hi = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)
