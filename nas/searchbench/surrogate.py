"""Surrogate learning curves of the budget study's 30-epoch recipe (pure numpy/scipy).

A net's *true final accuracy* F (validation fraction after 30 epochs, the expectation
over training seeds) is a ridge regression on static features (log10 params, log10 MACs:
what grouped cross-validation kept, ``fit.py``) plus an architecture-specific residual
drawn from N(0, resid_sd): what the features do not explain, so part of the landscape is
revealed by training only. Its curve is F minus a gap curve, plus noise:

    acc(e) = F - [m(e) + slope_scale * s(e) z(F) + shape_scale * sum_k c_k(e) n_k] + eps(e)

for e = 1..T (T = 30 epochs): m is the real nets' mean gap (final minus accuracy after e
epochs), s its regression on F's standard score z(F) (better nets start slower, as the
real ones do), c_k the first ``K`` principal components of what is left (a functional
PCA of the real curves; n_k ~ N(0, 1) per architecture), eps(e) ~ N(0, noise_scale *
(s_inf + s_0 / sqrt(e))), the seed-to-seed spread of the picks' retrains. A power law
a (e^-b - T^-b) fitted per curve was tried first: it overstated the spread of the
10-epoch gap 2.4x (0.015 against the real 0.006), so late rungs ranked worse than real
ones. Everything is seeded by (benchmark seed, arch_id): one net gives one curve.

``slope_scale``, ``shape_scale`` and ``noise_scale`` are calibrated (``calibrate``) so
that Kendall tau of the accuracy at 1, 3 and 10 epochs against the 30-epoch one, over
the real nets' architectures, reproduces the measured 0.33, 0.50 and 0.77
(results/budget/README.md, 23 nets of PROTOCOL v2).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from scipy import stats

from nas.searchbench.data import EPOCHS, Net

FITTED = Path(__file__).with_name("fitted.json")  # the committed fit (``python -m ...fit``)
TARGET_TAUS = {1: 0.33, 3: 0.50, 10: 0.77}  # results/budget/README.md, 23 nets, v2 rungs
RIDGE = 1.0  # ridge penalty on standardised features (grouped CV: 1-20 rank alike)
ACC_RANGE = (0.10, 0.999)  # a curve stays a valid accuracy fraction
COMPONENTS = 3  # principal components of the gap curves (of 37 nets: most of the spread)
CALIBRATION_GRID = ((0.0, 0.25, 0.5, 0.75, 1.0), (0.5, 0.75, 1.0, 1.25, 1.5),
                    (0.5, 1.0, 1.5, 2.0))  # slope, shape, noise scales tried


def features(params: int, macs: int) -> np.ndarray:
    """The static features of the final-accuracy model: log10 params, log10 MACs/image."""
    return np.array([np.log10(params), np.log10(macs)], dtype=float)


@dataclass(frozen=True)
class Fitted:
    """The fitted surrogate (JSON in ``fitted.json``). Accuracies are fractions.

    ``x_mean``/``x_sd``/``weights``/``intercept``: the ridge model of F on standardised
    features; ``resid_sd``: the spread of what it leaves (leave one net out);
    ``final_lo``/``final_hi``: the model's mean is clipped to the real finals' range (+ a
    margin), so no extrapolation invents 95% nets; ``final_mean``/``final_sd``: F's
    standard score; ``gap_mean``/``gap_slope``/``gap_pcs`` (T values each): the gap
    curve's mean, slope on z(F) and principal components; ``noise``: (s_inf, s_0).
    """

    x_mean: list[float]
    x_sd: list[float]
    weights: list[float]
    intercept: float
    resid_sd: float
    final_lo: float
    final_hi: float
    final_mean: float
    final_sd: float
    gap_mean: list[float]
    gap_slope: list[float]
    gap_pcs: list[list[float]]
    noise: list[float]
    slope_scale: float = 1.0
    shape_scale: float = 1.0
    noise_scale: float = 1.0
    nets: int = 0  # architectures fitted on
    curves: int = 0  # complete curves fitted on

    def predict(self, params: int, macs: int) -> float:
        """The model's mean final accuracy for these static figures (clipped)."""
        z = (features(params, macs) - np.array(self.x_mean)) / np.array(self.x_sd)
        return float(np.clip(self.intercept + z @ np.array(self.weights),
                             self.final_lo, self.final_hi))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> Fitted:
        return cls(**json.loads(text))


def load(path: Path = FITTED) -> Fitted:
    """The committed fit."""
    return Fitted.from_json(path.read_text())


class Surrogate:
    """Curves of one benchmark instance (``seed``): deterministic per architecture."""

    def __init__(self, fitted: Fitted, seed: int) -> None:
        self.f, self.seed = fitted, int(seed)

    def _rng(self, arch_id: str, stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, int(arch_id, 16), stream])

    def final(self, arch_id: str, params: int, macs: int) -> float:
        """True final accuracy (fraction): the model's mean plus this net's residual."""
        resid = self._rng(arch_id, 0).normal(0.0, self.f.resid_sd)
        return float(np.clip(self.f.predict(params, macs) + resid, *ACC_RANGE))

    def curve(self, arch_id: str, params: int, macs: int, epochs: int = EPOCHS
              ) -> np.ndarray:
        """Validation accuracy after epochs 1..``epochs`` of the T-epoch schedule, as one
        training run would measure it (noise included)."""
        f = self.f
        final = self.final(arch_id, params, macs)
        z = (final - f.final_mean) / f.final_sd
        pcs = np.array(f.gap_pcs)
        n = self._rng(arch_id, 1).standard_normal(len(pcs))
        gap = (np.array(f.gap_mean) + f.slope_scale * z * np.array(f.gap_slope)
               + f.shape_scale * n @ pcs)
        e = np.arange(1, EPOCHS + 1, dtype=float)
        noise = self._rng(arch_id, 2).standard_normal(EPOCHS) * noise_sd(f, e)
        return np.clip(final - gap + noise, *ACC_RANGE)[:epochs]


def noise_sd(f: Fitted, epochs: np.ndarray) -> np.ndarray:
    """Per-epoch sd of the validation accuracy between training seeds (fraction)."""
    s_inf, s_0 = f.noise
    return f.noise_scale * (s_inf + s_0 / np.sqrt(epochs))


def _ridge(x: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray,
                                                              np.ndarray, float]:
    """(x mean, x sd, weights, intercept) of a ridge fit on standardised columns."""
    mu, sd = x.mean(0), x.std(0) + 1e-12
    z = (x - mu) / sd
    w = np.linalg.solve(z.T @ z + lam * np.eye(z.shape[1]), z.T @ (y - y.mean()))
    return mu, sd, w, float(y.mean())


def loo_predictions(nets: Sequence[Net], lam: float = RIDGE) -> np.ndarray:
    """Each net's final predicted by the ridge model fitted on the others: leave one
    architecture out (every run of a net is one group)."""
    x = np.array([features(n.params, n.macs) for n in nets])
    y = np.array([n.final for n in nets])
    out = np.empty(len(nets))
    for i in range(len(nets)):
        keep = np.arange(len(nets)) != i
        mu, sd, w, b = _ridge(x[keep], y[keep], lam)
        out[i] = b + ((x[i] - mu) / sd) @ w
    return out


def seed_noise(nets: Sequence[Net]) -> tuple[float, float]:
    """(s_inf, s_0) of s(e) = s_inf + s_0 / sqrt(e), fitted to the per-epoch sd between
    the runs of the nets with two or more complete curves."""
    multi = [np.array(n.curves) for n in nets if len(n.curves) >= 2]
    if not multi:
        return 0.004, 0.008
    sd = np.sqrt(np.mean([c.var(axis=0, ddof=1) for c in multi], axis=0))
    e = np.arange(1, len(sd) + 1)
    coef, *_ = np.linalg.lstsq(np.column_stack([np.ones_like(sd), 1 / np.sqrt(e)]), sd,
                               rcond=None)
    return float(max(coef[0], 0.0)), float(max(coef[1], 0.0))


def gap_model(nets: Sequence[Net], k: int = COMPONENTS
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, slope on z(F), first ``k`` principal components scaled to unit scores) of
    the gap curves final - acc(e) of the nets' mean curves (T values each)."""
    curves = np.array([n.mean_curve for n in nets])
    gaps = curves[:, -1:] - curves
    z = (curves[:, -1] - curves[:, -1].mean()) / curves[:, -1].std()
    design = np.column_stack([np.ones_like(z), z])
    coef, *_ = np.linalg.lstsq(design, gaps, rcond=None)
    _, sv, vt = np.linalg.svd(gaps - design @ coef, full_matrices=False)
    pcs = vt[:k] * (sv[:k, None] / np.sqrt(len(nets) - 1))
    return coef[0], coef[1], pcs


def fit(nets: Sequence[Net], lam: float = RIDGE) -> Fitted:
    """The surrogate fitted on ``nets`` (uncalibrated: every scale 1)."""
    x = np.array([features(n.params, n.macs) for n in nets])
    y = np.array([n.final for n in nets])
    mu, sd, w, b = _ridge(x, y, lam)
    resid_sd = float(np.std(y - loo_predictions(nets, lam)))
    mean, slope, pcs = gap_model(nets)
    return Fitted([*map(float, mu)], [*map(float, sd)], [*map(float, w)], b, resid_sd,
                  float(y.min() - 0.02), float(y.max() + 0.005), float(y.mean()),
                  float(y.std()), _floats(mean), _floats(slope),
                  [_floats(c) for c in pcs], [*seed_noise(nets)], nets=len(nets),
                  curves=sum(len(n.curves) for n in nets))


def _floats(v: np.ndarray) -> list[float]:
    return [round(float(x), 6) for x in v]


def rung_taus(curves: np.ndarray, epochs: Sequence[int] = tuple(TARGET_TAUS)
              ) -> dict[int, float]:
    """Kendall tau-b of the accuracy after each of ``epochs`` against the last epoch's,
    over the rows of ``curves`` (one net per row)."""
    return {e: float(stats.kendalltau(curves[:, e - 1], curves[:, -1]).statistic)
            for e in epochs}


def population_taus(f: Fitted, figures: Sequence[tuple[str, int, int]],
                    seeds: Sequence[int]) -> dict[int, float]:
    """Mean over benchmark ``seeds`` of ``rung_taus`` of the surrogate's curves of the
    nets ``figures`` (arch_id, params, MACs)."""
    per_seed = []
    for s in seeds:
        sur = Surrogate(f, s)
        per_seed.append(rung_taus(np.array([sur.curve(a, p, m) for a, p, m in figures])))
    return {e: float(np.mean([t[e] for t in per_seed])) for e in per_seed[0]}


def calibrate(f: Fitted, figures: Sequence[tuple[str, int, int]],
              targets: dict[int, float] = TARGET_TAUS, seeds: Sequence[int] = range(40),
              grid: Sequence[Sequence[float]] = CALIBRATION_GRID) -> Fitted:
    """``f`` with the (slope_scale, shape_scale, noise_scale) of the grid (one axis each)
    whose mean taus over ``seeds`` on the nets ``figures`` come nearest ``targets``
    (squared error)."""
    best, err = f, float("inf")
    for slope, shape, noise in itertools.product(*grid):
        g = replace(f, slope_scale=slope, shape_scale=shape, noise_scale=noise)
        taus = population_taus(g, figures, seeds)
        e = sum((taus[ep] - t) ** 2 for ep, t in targets.items())
        if e < err:
            best, err = g, e
    return best
