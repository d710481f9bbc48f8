"""The fidelity report's learning-curve predictor columns (issue 47)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from nas.fidelity.report import CURVE_KS, CURVE_PREDICTORS, _cost_images, add_curve_predictions


def _df(n: int = 12, epochs: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    macs = np.exp(rng.uniform(13, 17, n))
    final = 0.7 + 0.02 * np.log(macs / macs.min())
    t = np.arange(1, epochs + 1)
    curves = final[:, None] - rng.uniform(0.1, 0.3, (n, 1)) * (t ** -0.5 - epochs ** -0.5)
    df = pd.DataFrame({"name": [f"r{i}" for i in range(n)],
                       "arch_id": [f"a{i}" for i in range(n)],
                       "macs": macs, "params": 1e5, "depth": 8.0,
                       "ref": curves[:, -1], "ref_images": 1000.0 * epochs})
    for k in range(1, epochs):
        df[f"ref_e{k}"] = curves[:, k - 1]
    df.loc[0, "ref"] = np.nan  # its reference has not finished
    return df


PLAN = SimpleNamespace(ref=SimpleNamespace(epochs=6, name="ref"))


def test_adds_one_out_of_fold_column_per_predictor_and_k() -> None:
    out = add_curve_predictions(_df(), PLAN)
    cols = [f"ref_e{k}:{n}" for k in CURVE_KS for n in CURVE_PREDICTORS]
    assert all(c in out for c in cols)
    assert out.loc[0, cols].isna().all()  # unfinished: no prediction
    vals = out.loc[1:, cols].to_numpy(float)
    assert np.isfinite(vals).all() and ((vals >= 0) & (vals <= 1)).all()


def test_costs_what_its_reference_epochs_cost() -> None:
    df = _df()
    assert _cost_images("ref_e3:ridge", df, PLAN) == pytest.approx(
        _cost_images("ref_e3", df, PLAN)) == pytest.approx(3000.0)


def test_unchanged_without_enough_finished_references_or_static_figures() -> None:
    few = _df(5)
    assert add_curve_predictions(few, PLAN).columns.equals(few.columns)
    bare = _df().drop(columns="depth")
    assert add_curve_predictions(bare, PLAN).columns.equals(bare.columns)
