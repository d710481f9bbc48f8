"""Fit, calibrate and validate the surrogate on the recorded curves; write ``fitted.json``.

    python -m nas.searchbench.fit [--results results] [--out nas/searchbench/fitted.json]

Prints (and returns as a dict, for results/searchbench/) how well the final-accuracy
model ranks held-out real nets (leave one architecture out, Kendall tau-b with a
percentile bootstrap interval over nets) and the rung agreement the calibrated surrogate
reproduces against the real curves'. About 20 CPU-seconds.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from nas.searchbench import surrogate as S
from nas.searchbench.data import Net, complete_nets

GRID_SHAPE = (0.5, 0.625, 0.75, 0.875, 1.0, 1.25)
GRID_NOISE = (0.25, 0.5, 0.75, 1.0, 1.5)
BOOT = 2000  # bootstrap resamples of the held-out ranking


def bootstrap_tau(x: np.ndarray, y: np.ndarray, reps: int = BOOT, seed: int = 0
                  ) -> tuple[float, float, float]:
    """Kendall tau-b of (x, y) and its 95% percentile bootstrap interval over pairs."""
    rng = np.random.default_rng(seed)
    taus = []
    for _ in range(reps):
        i = rng.integers(0, len(x), len(x))
        t = stats.kendalltau(x[i], y[i]).statistic
        if np.isfinite(t):
            taus.append(t)
    lo, hi = np.percentile(taus, [2.5, 97.5])
    return float(stats.kendalltau(x, y).statistic), float(lo), float(hi)


def validate(nets: Sequence[Net], f: S.Fitted, seeds: Sequence[int] = range(100)
             ) -> dict[str, Any]:
    """The figures the report states: held-out ranking of real nets, and the rung taus of
    the real curves and of the surrogate (on the real nets' architectures)."""
    y = np.array([n.final for n in nets])
    pred = S.loo_predictions(nets)
    tau, lo, hi = bootstrap_tau(pred, y)
    figures = [(n.arch_id, n.params, n.macs) for n in nets]
    return {
        "nets": len(nets), "curves": sum(len(n.curves) for n in nets),
        "heldout_tau": tau, "heldout_tau_ci": [lo, hi],
        "heldout_rmse": float(np.sqrt(np.mean((pred - y) ** 2))),
        "final_sd": float(y.std()),
        "real_taus": S.rung_taus(np.array([n.mean_curve for n in nets])),
        "target_taus": S.TARGET_TAUS,
        "surrogate_taus": S.population_taus(f, figures, seeds),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--results", type=Path, default=Path("results"))
    p.add_argument("--out", type=Path, default=S.FITTED)
    a = p.parse_args(argv)
    nets = complete_nets(a.results)
    raw = S.fit(nets)
    figures = [(n.arch_id, n.params, n.macs) for n in nets]
    f = S.calibrate(raw, figures, grid=GRID_SHAPE, noise_grid=GRID_NOISE)
    a.out.write_text(f.to_json() + "\n")
    report = validate(nets, f)
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
