"""Issue 47's table: do learning-curve predictors rank nets by their final validation
accuracy better than the raw accuracy after k epochs?

    python scripts/curves_table.py [results] [--out results/curves] [--resamples 1000]

Reads every recorded curve (nas.curves.recorded, validation accuracies only, read-only),
keeps the complete curves of each recipe below (one row per architecture), predicts each
architecture's final accuracy from its first k epochs out of fold (5 folds grouped by
architecture, nas.curves.evaluate) and writes ``table.csv`` and ``table.md`` to ``--out``:
Kendall tau-b (scipy.stats.kendalltau) with the final validation accuracy, percentile
bootstrap 95% intervals over architectures (paired: one set of resamples for all scores),
and each predictor minus the raw accuracy. Seconds on one core.
"""

from __future__ import annotations

import argparse
import csv
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from nas.curves.evaluate import (
    Table,
    bootstrap_taus,
    interval,
    out_of_fold,
    table,
    tau,
    within_tau,
)
from nas.curves.predict import NAMES, fit
from nas.curves.recorded import Curve, load_recorded

RECIPES = {  # recipe key -> what it is
    "e30_n45000_b256_lr0.2": "budget study: 30-epoch R30 schedule (sh trials to the top "
                             "rung, baselines, retrain seeds)",
    "e20_n45000_b256_lr0.2": "search arms b-e: 20-epoch sh schedule (top-rung trials), "
                             "recipe trials",
    "e15_n45000_b256_lr0.2": "fidelity study: 15-epoch reference runs (20 uniform samples <= 200k "
                             "+ seed003, seed004)",
}
KS = (1, 2, 3, 5, 10)
PRIMARY = "e30_n45000_b256_lr0.2"
CURVE_PREDICTORS = ("pow3", "curve_ens", "ridge", "knn")  # candidates for "best"
DECIDE_KS = (1, 3)


def scores_at(t: Table, k: int) -> dict[str, np.ndarray]:
    """Every score of every architecture at prefix k: predictors out of fold, MACs."""
    out = {n: out_of_fold(t, n, k) for n in NAMES}
    out["macs"] = np.log([s.macs for s in t.statics])
    return out


def best_predictor(t: Table) -> str:
    """The curve predictor with the highest mean out-of-fold tau at k = 1 and 3 on the
    primary recipe (chosen on the same data it is then tested on: see the README)."""
    mean = {n: np.mean([tau(out_of_fold(t, n, k), t.finals) for k in DECIDE_KS])
            for n in CURVE_PREDICTORS}
    return max(mean, key=lambda n: mean[n])


BUDGETS = (100_000, 200_000, 400_000)  # the budget study's and search arms' budgets
# recipes pooling several budgets (the fidelity study sampled one, <= 200k: pooled is
# already within its budget)
WITHIN = ("e30_n45000_b256_lr0.2", "e20_n45000_b256_lr0.2")


def tiers(t: Table) -> np.ndarray:
    """The smallest budget that holds each architecture's params: a search compares
    candidates of one budget, so this view counts only pairs within a tier."""
    return np.array([next((b for b in BUDGETS if s.params <= b), BUDGETS[-1])
                     for s in t.statics])


def rows_for(t: Table, best: str, resamples: int, within: bool
             ) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    strata = tiers(t) if within else None
    for k in (k for k in KS if k < t.curves.shape[1]):
        scores = scores_at(t, k)
        draws = bootstrap_taus(scores, t.finals, resamples, seed=k, strata=strata)
        point = {n: within_tau(s, t.finals, strata) for n, s in scores.items()}
        base = dict(recipe=t.recipe, view="within budget" if within else "pooled", k=k,
                    n_archs=len(t.arch_ids), n_curves=t.n_curves)
        for n in scores:
            iv = interval(point[n], draws[n])
            rows.append({**base, "score": n, "tau": iv.value, "low": iv.low, "high": iv.high})
        for n in (*CURVE_PREDICTORS, "static"):
            for ref in ("raw", "macs"):
                iv = interval(point[n] - point[ref], draws[n] - draws[ref])
                rows.append({**base, "score": f"{n} - {ref}", "tau": iv.value,
                             "low": iv.low, "high": iv.high})
    return [r | {"best": r["score"].split(" ")[0] == best} for r in rows]


def anchor(curves: list[Curve]) -> str:
    """Issue 47's anchor: the 23 nets trained to 30 epochs that scripts/budget_rungs.py
    used at a7f5838 (top-rung trials of the four v2 200k/400k searches, seed means of
    the 5 R30 baselines' seeds 0 and 1), raw tau at 1, 3 and 10 epochs."""
    searches = {f"budget:{s}-{b}" for s in ("random", "tpe") for b in ("200k", "400k")}
    rows = [np.array(c.val) for c in curves if c.source in searches and c.complete
            and c.recipe.key == PRIMARY]
    base: dict[str, list[np.ndarray]] = {}
    for c in curves:
        if c.source == "run:budget/runs/R30" and c.name != "seed002" and c.seed in (0, 1):
            base.setdefault(str(c.name), []).append(np.array(c.val))
    rows += [np.mean(v, axis=0) for v in base.values()]
    final = np.array([r[-1] for r in rows])
    taus = ", ".join(f"{k} ep {tau(np.array([r[k - 1] for r in rows]), final):.2f}"
                     for k in (1, 3, 10))
    return f"anchor (issue 47: 0.33, 0.50, 0.77 over 23 nets): {len(rows)} nets, {taus}"


def predict_us(t: Table, k: int = 3) -> dict[str, float]:
    """Median microseconds per candidate of each fitted predictor (this CPU)."""
    out = {}
    for n in NAMES:
        p = fit(n, t.curves, list(t.statics), k)
        times = []
        for c, s in zip(t.curves, t.statics, strict=True):
            t0 = time.perf_counter()
            p.predict(c[:k], s)
            times.append(time.perf_counter() - t0)
        out[n] = 1e6 * float(np.median(times))
    return out


def cell(rows: list[dict[str, object]], key: tuple[str, str], k: int, score: str) -> str:
    r = next((r for r in rows
              if (r["recipe"], r["view"], r["k"], r["score"]) == (*key, k, score)), None)
    if r is None:
        return "-"
    sign = "+" if " - " in score else ""
    return f"{r['tau']:{sign}.2f} [{r['low']:{sign}.2f}, {r['high']:{sign}.2f}]"


def markdown(rows: list[dict[str, object]], views: list[tuple[Table, bool]], best: str,
             header: str) -> str:
    out = [header, ""]
    cols = ["raw", *CURVE_PREDICTORS, "static", "macs", f"{best} - raw", f"{best} - macs"]
    for t, within in views:
        src = ", ".join(f"{s} {n}" for s, n in sorted(t.sources.items()))
        view = "within budget" if within else "pooled"
        tier = ""
        if within:
            b, n = np.unique(tiers(t), return_counts=True)
            tier = " Pairs within one budget tier only (" + ", ".join(
                f"<= {x // 1000}k: {m}" for x, m in zip(b, n, strict=True)) + " archs)."
        out += [f"### {t.recipe}, {view}: {RECIPES[t.recipe]}", "",
                f"{len(t.arch_ids)} architectures ({t.n_curves} complete curves: {src})."
                + tier, "",
                "| k | " + " | ".join(f"`{c}`" for c in cols) + " |",
                "| ---: |" + " --- |" * len(cols)]
        for k in (k for k in KS if k < t.curves.shape[1]):
            out.append(f"| {k} | " + " | ".join(cell(rows, (t.recipe, view), k, c)
                                               for c in cols) + " |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("root", nargs="?", default="results", type=Path)
    p.add_argument("--out", default=Path("results/curves"), type=Path)
    p.add_argument("--resamples", type=int, default=1000)
    a = p.parse_args(argv)
    t0 = time.time()
    curves = load_recorded(a.root)
    tables = [table(curves, r) for r in RECIPES]
    best = best_predictor(tables[0])
    views = [(t, w) for t in tables for w in (False, True) if t.recipe in WITHIN or not w]
    rows = [r for t, w in views for r in rows_for(t, best, a.resamples, w)]
    a.out.mkdir(parents=True, exist_ok=True)
    with (a.out / "table.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows({k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}
                    for r in rows)
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    us = ", ".join(f"{n} {v:.0f}" for n, v in predict_us(tables[0]).items())
    cmd = " ".join(["python scripts/curves_table.py", *argv])
    header = "\n".join([
        f"Written by `{cmd}` at commit `{sha}` on {cpu()}, in {time.time() - t0:.0f} s; "
        f"{a.resamples} bootstrap "
        "resamples. Validation accuracies of recorded curves only (no test figure read).",
        "", f"- best curve predictor (highest mean tau at k = 1, 3 on {PRIMARY}): `{best}`",
        f"- {anchor(curves)}",
        f"- microseconds per candidate (median, k = 3, fitted on {PRIMARY}): {us}"])
    (a.out / "table.md").write_text(markdown(rows, views, best, header))
    print((a.out / "table.md").read_text())


def cpu() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        return next(line.split(":", 1)[1].strip() for line in out.splitlines()
                    if line.startswith("Model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main(sys.argv[1:])
