"""Predict a net's final validation accuracy from the first k epochs of its curve.

Every predictor is fitted on complete curves of ONE recipe (nas.lcurve.recipe: epoch k
of a 30-epoch one-cycle schedule is not epoch k of a 15-epoch one) for one prefix length
k, then scores a new candidate from its first k validation accuracies (fractions) and its
static figures in microseconds (numpy only). Fitting takes milliseconds.

- ``raw``: the accuracy at epoch k (what successive halving ranks by today).
- ``pow3``, ``curve_ens``: parametric curve families after Domhan et al. 2015, made
  usable from 1-3 points by a learned prior: each family is linear in its two
  parameters once its shape is fixed (pow3 ``c - a t^-alpha``, exp ``c - a e^-beta t``,
  log ``c + a log t``); the shape and a Gaussian prior over (c, a) come from the training
  curves, the candidate's prefix gives the posterior (Bayesian linear regression), and
  the value at the schedule's end is extrapolated plus the training curves' mean
  residual there (the one-cycle schedule's end-of-annealing gain, which these families
  cannot express). ``curve_ens`` averages the three families (Domhan's ensemble, equal
  weights).
- ``ridge``: ridge regression (numpy) of the gain ``final - acc_k`` on curve features
  (acc at k, acc at 1, slope over the last 3 epochs) and static ones (log MACs, log
  params, depth), standardised on the training set.
- ``static``: a control, not a curve predictor: the same ridge on the static features
  alone (no epoch of training), to tell what the curve adds to them.
- ``knn``: curve matching (Chandrashekaran and Lane 2017): the mean gain to the end of
  the 5 training curves whose first k epochs are nearest (Euclidean).

LC-PFN (Adriaensen et al. 2023) needs its pretrained transformer's weights, which this
project does not ship, so it is not here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Static:
    """Static figures of a genome: MACs per 32 px image, trainable params, depth
    (compute blocks, as the zero-cost ``depth`` score counts them)."""

    macs: float
    params: float
    depth: float

    def features(self) -> Array:
        return np.array([np.log(self.macs), np.log(self.params), self.depth])


@dataclass
class Predictor:
    """A fitted predictor: ``predict(prefix, static)`` is the predicted validation
    accuracy (fraction) at the end of the recipe's ``epochs``-epoch schedule, from the
    first ``k`` epochs' validation accuracies."""

    name: str
    k: int
    epochs: int
    score: Callable[[Array, Static], float] = field(repr=False)

    def predict(self, prefix: Sequence[float], static: Static) -> float:
        p = np.asarray(prefix, dtype=float)
        if len(p) < self.k:
            raise ValueError(f"{self.name}: needs {self.k} epochs, got {len(p)}")
        return float(np.clip(self.score(p[: self.k], static), 0.0, 1.0))


def fit(name: str, curves: Array, statics: Sequence[Static], k: int) -> Predictor:
    """Fit predictor ``name`` (``NAMES``) for prefix length ``k`` on complete ``curves``
    (n x epochs validation accuracies, one recipe) and their genomes' ``statics``."""
    curves = np.asarray(curves, dtype=float)
    if not 1 <= k < curves.shape[1]:
        raise ValueError(f"k = {k} outside 1..{curves.shape[1] - 1}")
    return Predictor(name, k, curves.shape[1], FITTERS[name](curves, list(statics), k))


# -- raw -------------------------------------------------------------------------------

def _raw(curves: Array, statics: list[Static], k: int) -> Callable[[Array, Static], float]:
    return lambda p, s: float(p[-1])


# -- parametric families with a learned prior ------------------------------------------

FAMILIES: dict[str, tuple[Callable[[Array, float], Array], tuple[float, ...]]] = {
    # basis (epochs t, shape) -> (len(t), 2) design for (c, a); shape grid
    "pow3": (lambda t, s: np.stack([np.ones_like(t), -(t ** -s)], 1),
             (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)),
    "exp": (lambda t, s: np.stack([np.ones_like(t), -np.exp(-s * t)], 1),
            (0.05, 0.1, 0.2, 0.3, 0.5, 1.0)),
    "log": (lambda t, s: np.stack([np.ones_like(t), np.log(t)], 1), (0.0,)),
}


@dataclass(frozen=True)
class Family:
    """One family at one shape, with its prior fitted on training curves."""

    basis: Callable[[Array, float], Array]
    shape: float
    mean: Array  # prior mean of (c, a)
    cov: Array  # prior covariance of (c, a)
    noise: float  # residual variance of one epoch's accuracy around the fit
    end_bias: float  # mean training residual at the last epoch

    def extrapolate(self, prefix: Array, epochs: int) -> float:
        """Posterior mean of the curve at ``epochs`` given ``prefix`` (epochs 1..k)."""
        x = self.basis(np.arange(1.0, len(prefix) + 1), self.shape)
        prec = np.linalg.inv(self.cov) + x.T @ x / self.noise
        rhs = np.linalg.solve(self.cov, self.mean) + x.T @ prefix / self.noise
        w = np.linalg.solve(prec, rhs)
        return float(self.basis(np.array([float(epochs)]), self.shape)[0] @ w + self.end_bias)


def _family(curves: Array, basis: Callable[[Array, float], Array], shape: float) -> Family:
    """Least-squares (c, a) of each training curve; their mean and covariance (plus a
    small ridge) are the prior."""
    t = np.arange(1.0, curves.shape[1] + 1)
    x = basis(t, shape)
    w, *_ = np.linalg.lstsq(x, curves.T, rcond=None)  # (2, n)
    resid = curves - (x @ w).T
    cov = np.cov(w) + 1e-6 * np.eye(2) if curves.shape[0] > 2 else np.eye(2) * 1e-2
    return Family(basis, shape, w.mean(1), cov, float(resid[:, :-1].var()) + 1e-8,
                  float(resid[:, -1].mean()))


def fit_family(name: str, curves: Array, k: int) -> Family:
    """The shape of family ``name`` whose extrapolation from k epochs best predicts the
    training curves' final accuracy (squared error, in-sample), with its prior."""
    basis, shapes = FAMILIES[name]
    best: tuple[float, Family] | None = None
    for shape in shapes:
        fam = _family(curves, basis, shape)
        err = float(np.mean([(fam.extrapolate(c[:k], curves.shape[1]) - c[-1]) ** 2
                             for c in curves]))
        if best is None or err < best[0]:
            best = (err, fam)
    assert best is not None
    return best[1]


def _parametric(names: tuple[str, ...]) -> Callable[..., Callable[[Array, Static], float]]:
    def fitter(curves: Array, statics: list[Static], k: int) -> Callable[[Array, Static], float]:
        fams = [fit_family(n, curves, k) for n in names]
        epochs = curves.shape[1]
        return lambda p, s: float(np.mean([f.extrapolate(p, epochs) for f in fams]))
    return fitter


# -- ridge -----------------------------------------------------------------------------

RIDGE_LAMBDA = 1.0  # on standardised features; fixed before any result was seen


def curve_features(prefix: Array, static: Static) -> Array:
    """acc at k, acc at 1, slope per epoch over the last (up to) 3 epochs, then log MACs,
    log params, depth."""
    j = max(0, len(prefix) - 3)
    slope = (prefix[-1] - prefix[j]) / max(1, len(prefix) - 1 - j)
    return np.concatenate([[prefix[-1], prefix[0], slope], static.features()])


@dataclass(frozen=True)
class Ridge:
    """A fitted ridge model: ``curve`` True predicts the gain ``final - acc_k`` from
    ``curve_features``; False (the ``static`` control) predicts ``final`` from the static
    features alone. Plain lists: it round-trips through JSON (``asdict``)."""

    curve: bool
    mu: list[float]
    sd: list[float]
    w: list[float]
    b: float

    def __call__(self, p: Array, s: Static) -> float:
        x = curve_features(p, s) if self.curve else s.features()
        z = (x - np.asarray(self.mu)) / np.asarray(self.sd)
        return float((p[-1] if self.curve else 0.0) + self.b + z @ np.asarray(self.w))


def fit_ridge(curves: Array, statics: list[Static], k: int, curve: bool = True) -> Ridge:
    """Ridge (``RIDGE_LAMBDA``) on standardised features, intercept unpenalised."""
    if curve:
        x = np.stack([curve_features(c[:k], s) for c, s in zip(curves, statics, strict=True)])
        y = curves[:, -1] - curves[:, k - 1]
    else:
        x, y = np.stack([s.features() for s in statics]), curves[:, -1]
    mu, sd = x.mean(0), x.std(0) + 1e-12
    z = (x - mu) / sd
    w = np.linalg.solve(z.T @ z + RIDGE_LAMBDA * np.eye(z.shape[1]), z.T @ (y - y.mean()))
    return Ridge(curve, mu.tolist(), sd.tolist(), w.tolist(), float(y.mean()))


def _ridge(curves: Array, statics: list[Static], k: int) -> Callable[[Array, Static], float]:
    return fit_ridge(curves, statics, k, curve=True)


def _static(curves: Array, statics: list[Static], k: int) -> Callable[[Array, Static], float]:
    return fit_ridge(curves, statics, k, curve=False)


# -- curve matching --------------------------------------------------------------------

KNN = 5


def _knn(curves: Array, statics: list[Static], k: int) -> Callable[[Array, Static], float]:
    heads, gains = curves[:, :k], curves[:, -1] - curves[:, k - 1]
    n = min(KNN, len(curves))

    def score(p: Array, s: Static) -> float:
        near = np.argsort(np.linalg.norm(heads - p, axis=1), kind="stable")[:n]
        return float(p[-1] + gains[near].mean())
    return score


FITTERS: dict[str, Callable[[Array, list[Static], int], Callable[[Array, Static], float]]] = {
    "raw": _raw,
    "pow3": _parametric(("pow3",)),
    "curve_ens": _parametric(("pow3", "exp", "log")),
    "ridge": _ridge,
    "knn": _knn,
    "static": _static,
}
NAMES = tuple(FITTERS)


# -- fitted models shipped with the package --------------------------------------------

FITTED = Path(__file__).with_name("fitted.json")  # written by scripts/curves_fit.py
DEFAULT_RECIPE = "e30_n45000_b256_lr0.2"  # the budget study's sh recipe (rungs 1-3-10-30)
SHIPPED = ("ridge", "static")  # the predictors fitted.json holds (plus "raw": no fit)


def fitted_models(curves: Array, statics: Sequence[Static]) -> dict[str, dict[str, Any]]:
    """``SHIPPED`` predictors fitted on all ``curves`` for every k in 1..epochs-1, as
    JSON-ready dicts (name -> k -> Ridge fields)."""
    curves = np.asarray(curves, dtype=float)
    return {name: {str(k): asdict(fit_ridge(curves, list(statics), k, name == "ridge"))
                   for k in range(1, curves.shape[1])} for name in SHIPPED}


@cache
def _shipped() -> dict[str, Any]:
    return json.loads(FITTED.read_text())


def fitted_recipes() -> tuple[str, ...]:
    """The recipe keys (nas.lcurve.recipe) ``predictor`` has fitted models for."""
    return tuple(_shipped()["recipes"])


def predictor(name: str, k: int, recipe: str = DEFAULT_RECIPE) -> Predictor:
    """Predictor ``name`` ("raw", or one of ``SHIPPED``) for candidates of ``recipe`` that
    have run ``k`` epochs, fitted on every recorded complete curve of that recipe
    (nas/lcurve/fitted.json). KeyError if no recorded curve of that recipe or k exists:
    a search on another recipe then has nothing to promote by but the raw accuracy.

    ``predictor("ridge", 3).predict(curve[:3], Static(macs, params, depth))`` is the
    predicted validation accuracy (fraction) at the end of the 30-epoch schedule.
    """
    models = _shipped()["recipes"][recipe]
    epochs = int(models["epochs"])
    if name == "raw":
        if not 1 <= k < epochs:
            raise KeyError(f"k = {k} outside 1..{epochs - 1} for {recipe}")
        return Predictor(name, k, epochs, _raw(np.empty((0, epochs)), [], k))
    return Predictor(name, k, epochs, Ridge(**models["models"][name][str(k)]))
