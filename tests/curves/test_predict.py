"""nas.curves.predict and nas.curves.evaluate on synthetic curves (no results/ needed)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict

import numpy as np
import pytest

from nas.curves.evaluate import (
    Table,
    bootstrap_taus,
    group_kfold,
    out_of_fold,
    tau,
    within_tau,
)
from nas.curves.predict import NAMES, Ridge, Static, fit, fit_family, fit_ridge, predictor

EPOCHS = 12


def synthetic(n: int = 30, seed: int = 0) -> tuple[np.ndarray, list[Static]]:
    """pow3 curves c - a t^-0.5 whose ceiling c grows with log MACs, plus a little noise:
    the early epochs rank the ends poorly (a varies), the MACs well."""
    rng = np.random.default_rng(seed)
    macs = np.exp(rng.uniform(np.log(1e6), np.log(5e7), n))
    c = 0.65 + 0.2 * np.log(macs / 1e6) / np.log(50) + rng.normal(0, 0.005, n)
    a = rng.uniform(0.1, 0.4, n)
    t = np.arange(1, EPOCHS + 1)
    curves = c[:, None] - a[:, None] * t ** -0.5 + rng.normal(0, 0.002, (n, EPOCHS))
    statics = [Static(m, 1e5, 8.0) for m in macs]
    return curves, statics


@pytest.mark.parametrize("name", NAMES)
def test_every_predictor_fits_and_predicts_fractions_fast(name: str) -> None:
    curves, statics = synthetic()
    for k in (1, 3):
        p = fit(name, curves, statics, k)
        t0 = time.perf_counter()
        out = [p.predict(c[:k], s) for c, s in zip(curves, statics, strict=True)]
        assert (time.perf_counter() - t0) / len(out) < 0.01  # ms per candidate
        assert all(0.0 <= x <= 1.0 for x in out)
    with pytest.raises(ValueError):
        p.predict(curves[0, :1], statics[0])  # k = 3 needs 3 epochs


def test_raw_is_the_last_epoch() -> None:
    curves, statics = synthetic()
    assert fit("raw", curves, statics, 2).predict([0.3, 0.41], statics[0]) == 0.41


def test_pow3_extrapolates_its_own_family() -> None:
    curves, _ = synthetic()
    fam = fit_family("pow3", curves, 5)
    assert fam.shape == 0.5
    err = [abs(fam.extrapolate(c[:5], EPOCHS) - c[-1]) for c in curves]
    assert np.median(err) < 0.01


def test_ridge_uses_macs_out_of_fold() -> None:
    curves, statics = synthetic(40)
    t = Table("synthetic", tuple(f"a{i}" for i in range(40)), curves, tuple(statics), 40, {})
    raw, ridge = (tau(out_of_fold(t, n, 1), t.finals) for n in ("raw", "ridge"))
    assert ridge > raw + 0.15


def test_ridge_round_trips_through_json() -> None:
    curves, statics = synthetic()
    r = fit_ridge(curves, statics, 3)
    back = Ridge(**json.loads(json.dumps(asdict(r))))
    assert back(curves[0, :3], statics[0]) == pytest.approx(r(curves[0, :3], statics[0]))


def test_shipped_predictor() -> None:
    s = Static(54e6, 390528, 13.0)
    assert predictor("raw", 1).predict([0.48], s) == 0.48
    assert 0.5 < predictor("ridge", 3).predict([0.48, 0.62, 0.68], s) <= 1.0
    assert predictor("ridge", 3).epochs == 30
    with pytest.raises(KeyError):
        predictor("ridge", 3, recipe="e7_n1_b1_lr1")
    with pytest.raises(KeyError):
        predictor("ridge", 30)


def test_group_kfold_keeps_groups_together() -> None:
    groups = ["a", "a", "b", "c", "c", "c", "d", "e"]
    folds = group_kfold(groups, 3, seed=1)
    assert sorted(np.concatenate([te for _, te in folds]).tolist()) == list(range(8))
    for train, test in folds:
        assert not {groups[i] for i in train} & {groups[i] for i in test}


def test_within_tau_counts_pairs_within_strata_only() -> None:
    x, y = np.array([1.0, 2, 3, 10, 11, 12]), np.array([3.0, 2, 1, 4, 5, 6])
    assert within_tau(x, y) == pytest.approx(tau(x, y))
    assert within_tau(x, y, np.array([0, 0, 0, 1, 1, 1])) == pytest.approx(0.0)


def test_bootstrap_is_paired_and_seeded() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=20)
    scores = {"same": y.copy(), "noisy": y + rng.normal(size=20)}
    a, b = bootstrap_taus(scores, y, 50, seed=3), bootstrap_taus(scores, y, 50, seed=3)
    assert np.array_equal(a["noisy"], b["noisy"]) and np.allclose(a["same"], 1.0)
    strata = np.repeat([0, 1], 10)
    w = bootstrap_taus(scores, y, 20, seed=0, strata=strata)
    assert np.allclose(w["same"], 1.0)
