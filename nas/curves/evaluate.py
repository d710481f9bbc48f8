"""Measure the predictors on recorded curves: grouped cross-validation, Kendall tau
against the final validation accuracy, bootstrap intervals over architectures.

One row per architecture: the mean of its distinct complete curves in one recipe (seeds of
a baseline, a pick's search run and retrain seeds), so no architecture sits on both sides
of a fold and each counts once in a tau. Statistics come from scipy.stats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import kendalltau

from nas.curves.predict import Static, fit
from nas.curves.recorded import Curve

Array = np.ndarray


@dataclass(frozen=True)
class Table:
    """The complete curves of one recipe, one row per architecture."""

    recipe: str
    arch_ids: tuple[str, ...]
    curves: Array  # (archs, epochs) mean validation accuracy per epoch, fractions
    statics: tuple[Static, ...]
    n_curves: int
    sources: dict[str, int]  # curves per source

    @property
    def finals(self) -> Array:
        return self.curves[:, -1]


def table(curves: Sequence[Curve], recipe: str) -> Table:
    """The complete curves of ``recipe`` (a ``Recipe.key``) with known static figures,
    averaged per architecture; identical curves (a retrain seed that is its search run)
    count once."""
    by_arch: dict[str, dict[tuple[float, ...], Curve]] = {}
    for c in curves:
        if c.recipe.key == recipe and c.complete and None not in (c.macs, c.params, c.depth):
            by_arch.setdefault(c.arch_id, {})[c.val[: c.recipe.epochs]] = c
    ids = tuple(sorted(by_arch))
    rows = np.array([np.mean(list(by_arch[a]), axis=0) for a in ids])
    statics = tuple(_static(next(iter(by_arch[a].values()))) for a in ids)
    used = [c for a in ids for c in by_arch[a].values()]
    return Table(recipe, ids, rows, statics, len(used), dict(Counter(c.source for c in used)))


def _static(c: Curve) -> Static:
    return Static(float(c.macs or 0), float(c.params or 0), float(c.depth or 0))


def group_kfold(groups: Sequence[str], n_splits: int, seed: int = 0
                ) -> list[tuple[Array, Array]]:
    """(train, test) row indices of ``n_splits`` folds that never split a group: the
    groups are shuffled with ``seed`` and dealt round-robin."""
    names = np.array(sorted(set(groups)))
    np.random.default_rng(seed).shuffle(names)
    fold_of = {g: i % n_splits for i, g in enumerate(names)}
    folds = np.array([fold_of[g] for g in groups])
    return [(np.flatnonzero(folds != f), np.flatnonzero(folds == f)) for f in range(n_splits)]


def out_of_fold(t: Table, name: str, k: int, n_splits: int = 5, seed: int = 0) -> Array:
    """Predicted final accuracy of every architecture by predictor ``name`` from its first
    ``k`` epochs, each fitted on the folds that do not hold that architecture."""
    pred = np.full(len(t.arch_ids), np.nan)
    for train, test in group_kfold(t.arch_ids, n_splits, seed):
        p = fit(name, t.curves[train], [t.statics[i] for i in train], k)
        pred[test] = [p.predict(t.curves[i, :k], t.statics[i]) for i in test]
    return pred


def tau(x: Array, y: Array) -> float:
    """Kendall tau-b (scipy.stats.kendalltau); nan where one side is constant."""
    return float(kendalltau(x, y).statistic)


@dataclass(frozen=True)
class Interval:
    """A point estimate and its percentile bootstrap 95% interval."""

    value: float
    low: float
    high: float


def within_tau(x: Array, y: Array, strata: Array | None = None) -> float:
    """Kendall tau-b over the pairs within one stratum only (e.g. one parameter budget):
    the per-stratum taus weighted by their number of pairs. ``strata`` None: plain tau.

    A search ranks candidates of one budget against each other; across budgets a bigger
    net ends better, which any size figure ranks for free."""
    if strata is None:
        return tau(x, y)
    taus, pairs = [], []
    for s in np.unique(strata):
        m = strata == s
        if m.sum() > 2:
            taus.append(tau(x[m], y[m]))
            pairs.append(m.sum() * (m.sum() - 1) / 2)
    ok = ~np.isnan(taus)
    return float(np.average(np.array(taus)[ok], weights=np.array(pairs)[ok]))


def bootstrap_taus(scores: dict[str, Array], final: Array, n: int = 2000, seed: int = 0,
                   strata: Array | None = None) -> dict[str, Array]:
    """Kendall tau of each score with ``final`` on ``n`` resamples of the architectures
    (with replacement, within each stratum if ``strata``; the same resamples for every
    score, so differences are paired). The out-of-fold predictions are held fixed (the
    models are not refitted)."""
    rng = np.random.default_rng(seed)
    groups = [np.arange(len(final))] if strata is None else \
        [np.flatnonzero(strata == s) for s in np.unique(strata)]
    idx = np.concatenate([g[rng.integers(0, len(g), size=(n, len(g)))] for g in groups], 1)
    # columns come stratum by stratum, each stratum keeping its size
    st = None if strata is None else np.concatenate([strata[g] for g in groups])
    return {name: np.array([within_tau(s[i], final[i], st) for i in idx])
            for name, s in scores.items()}


def interval(point: float, draws: Array) -> Interval:
    lo, hi = np.nanpercentile(draws, [2.5, 97.5])
    return Interval(point, float(lo), float(hi))
