"""Fit, calibrate and validate the surrogate on the recorded curves; write ``fitted.json``.

    python -m nas.searchbench.fit [--results results] [--out nas/searchbench/fitted.json]
                                  [--report results/searchbench/calibration.json]

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

from nas.searchbench import surrogate
from nas.searchbench.data import Net, complete_nets

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


def space_figures(budget: int = 200_000, fill_to: float = 0.85, n: int = 200,
                  seed: int = 0) -> list[tuple[str, int, int]]:
    """(arch_id, params, MACs) of ``n`` random topologies of the default space widened
    into [fill_to x budget, budget] as ``--fill`` does: the benchmark's population."""
    import random

    from nas.analysis.static import macs, params_of
    from nas.fidelity.plan import RandomChooser
    from nas.search.fill import fill
    from nas.search.space import load_space

    sample, rng, out = load_space("default").sample, random.Random(seed), []
    for _ in range(50 * n):
        g = fill(sample(RandomChooser(rng), budget).replace_head(c=10, i=3), budget,
                 fill_to, params_of)
        if g is not None and params_of(g) <= budget:
            out.append((g.arch_id, params_of(g), macs(g, 32)))
            if len(out) == n:
                break
    return out


def validate(nets: Sequence[Net], f: surrogate.Fitted, seeds: Sequence[int] = range(100)
             ) -> dict[str, Any]:
    """The figures the report states: held-out ranking of real nets, and the rung taus of
    the real curves and of the surrogate (on the real nets' architectures, and on the
    benchmark's population: filled random nets of the default space at 200k)."""
    y = np.array([n.final for n in nets])
    pred = surrogate.loo_predictions(nets)
    tau, lo, hi = bootstrap_tau(pred, y)
    figures = [(n.arch_id, n.params, n.macs) for n in nets]
    return {
        "nets": len(nets), "curves": sum(len(n.curves) for n in nets),
        "heldout_tau": tau, "heldout_tau_ci": [lo, hi],
        "heldout_rmse": float(np.sqrt(np.mean((pred - y) ** 2))),
        "final_sd": float(y.std()),
        "real_taus": surrogate.rung_taus(np.array([n.mean_curve for n in nets])),
        "target_taus": surrogate.TARGET_TAUS,
        "surrogate_taus": surrogate.population_taus(f, figures, seeds),
        "surrogate_taus_space200k": surrogate.population_taus(f, space_figures(), seeds[:20]),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--results", type=Path, default=Path("results"))
    p.add_argument("--out", type=Path, default=surrogate.FITTED)
    p.add_argument("--report", type=Path, default=None, help="also write the figures here")
    a = p.parse_args(argv)
    nets = complete_nets(a.results)
    raw = surrogate.fit(nets)
    figures = [(n.arch_id, n.params, n.macs) for n in nets]
    f = surrogate.calibrate(raw, figures)
    a.out.write_text(f.to_json() + "\n")
    report = validate(nets, f)
    text = json.dumps(report, indent=1)
    print(text)
    if a.report is not None:
        a.report.write_text(text + "\n")
    return report


if __name__ == "__main__":
    main()
