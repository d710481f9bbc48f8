"""The fidelity report: one row per architecture, one row per proxy, a figure.

Proxies are every zero-cost score, every cheap run (with precise BN and, suffixed
``_stale``, with the running statistics training left), the reference's accuracy after
each earlier epoch (``ref_e<k>``), and the rank averages declared in
results/fidelity/PLAN.md. Each is compared with the reference's final validation accuracy
over the architectures whose reference has finished. Beside them, the learning-curve
predictors of nas.curves.predict (issue 47), ``ref_e<k>:<predictor>``: the reference's
final accuracy predicted from its first k epochs and the static figures.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nas.curves.evaluate import Table, out_of_fold
from nas.curves.predict import Static
from nas.fidelity.agreement import (
    bootstrap_ci,
    bootstrap_diff_ci,
    kendall_tau,
    ranks,
    spearman_rho,
    top_recall,
)
from nas.fidelity.plan import Plan
from nas.fidelity.store import arch_facts, finished

PAIRED_WITH = ("params", "synflow")  # rank-averaged with each cheap run (PLAN.md)
BASELINE = "e2_s10k"  # the search's proxy before this study: 2 epochs on 10k images
CURVE_PREDICTORS = ("ridge", "pow3", "curve_ens", "knn")  # nas.curves.predict.NAMES
CURVE_KS = (1, 3, 5)  # reference epochs the predictors start from
STATIC = ("macs", "params", "depth")


def arch_table(study: Any, plan: Plan) -> pd.DataFrame:
    """One row per architecture: zero-cost scores, cheap-run and reference accuracies."""
    facts, done = arch_facts(study), finished(study)
    rows = []
    for arch in plan.archs:
        row: dict[str, Any] = {"name": arch.name, "arch_id": arch.arch_id}
        fact = facts.get(arch.arch_id, {})
        row.update(fact.get("zero_cost", {}))
        row.update({f"{k}_seconds": ms / 1000 for k, ms in fact.get("zero_cost_ms", {}).items()})
        for run in plan.runs:
            t = done.get((arch.arch_id, run.name))
            if t is None:
                continue
            a = t.user_attrs
            row[run.name] = a["val_acc"]
            row[f"{run.name}_stale"] = a.get("val_acc_stale")
            row[f"{run.name}_seconds"] = a.get("seconds")
            row[f"{run.name}_images"] = a.get("images")
            if run is plan.ref:
                for k, acc in enumerate(a["history"][:-1], 1):
                    row[f"ref_e{k}"] = acc
        row["genome"] = arch.genome
        rows.append(row)
    return pd.DataFrame(rows)


def proxy_columns(df: pd.DataFrame, plan: Plan) -> dict[str, str]:
    """proxy column -> its kind (zero-cost, cheap run, stale BN, reference epoch, combo)."""
    from nas.zerocost import SCORES

    kinds = {s: "zero-cost" for s in SCORES if s in df}
    for run in plan.runs[:-1]:
        kinds[run.name] = "cheap run"
        kinds[f"{run.name}_stale"] = "cheap run, stale BN"
    kinds.update({c: "reference epoch" for c in df if c.startswith("ref_e")})
    kinds["ref_stale"] = "reference, stale BN"
    return {c: k for c, k in kinds.items() if c in df}


def add_combinations(df: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Rank averages of each cheap run with each of ``PAIRED_WITH`` (PLAN.md's six)."""
    out = df.copy()
    for run in plan.runs[:-1]:
        for other in PAIRED_WITH:
            if run.name in out and other in out:
                ok = out[run.name].notna() & out[other].notna()
                col = pd.Series(np.nan, index=out.index)
                col[ok] = (ranks(out.loc[ok, run.name].to_numpy()) +
                           ranks(out.loc[ok, other].to_numpy())) / 2
                out[f"{run.name}+{other}"] = col
    return out


def add_curve_predictions(df: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Columns ``ref_e<k>:<predictor>``: each architecture's final reference accuracy
    predicted from the reference's first k epochs plus its MACs, params and depth, by a
    predictor fitted out of fold (5 folds of architectures) on the other architectures'
    reference curves (nas.curves.evaluate.out_of_fold). They cost what ``ref_e<k>``
    costs. Unchanged without at least 6 finished references with those figures."""
    epochs = plan.ref.epochs
    cols = [*(f"ref_e{k}" for k in range(1, epochs)), "ref"]
    if any(c not in df for c in (*cols, *STATIC)):
        return df
    ok = df[[*cols, *STATIC]].notna().all(axis=1)
    if ok.sum() < 6:
        return df
    statics = tuple(Static(*row) for row in df.loc[ok, list(STATIC)].to_numpy(float))
    t = Table("fidelity reference", tuple(df.loc[ok, "arch_id"]),
              df.loc[ok, cols].to_numpy(float), statics, int(ok.sum()), {})
    out = df.copy()
    for k in (k for k in CURVE_KS if k < epochs):
        for name in CURVE_PREDICTORS:
            col = pd.Series(np.nan, index=out.index)
            col[ok] = out_of_fold(t, name, k)
            out[f"ref_e{k}:{name}"] = col
    return out


def proxy_stats(df: pd.DataFrame, kinds: dict[str, str], plan: Plan,
                reps: int = 2000, baseline: str = BASELINE) -> pd.DataFrame:
    """Per proxy: Kendall tau, Spearman rho (95% bootstrap intervals), top-quarter recall,
    architectures compared, cost as training images per architecture, and its tau minus
    ``baseline``'s with a paired bootstrap interval (NaN without that column)."""
    rows = []
    ref_images = df.get(f"{plan.ref.name}_images", pd.Series(dtype=float)).mean()
    for col, kind in kinds.items():
        ok = df["ref"].notna() & df[col].notna()
        x, y = df.loc[ok, col].to_numpy(float), df.loc[ok, "ref"].to_numpy(float)
        if len(x) < 3:
            continue
        tau, rho = kendall_tau(x, y), spearman_rho(x, y)
        t_lo, t_hi = bootstrap_ci(kendall_tau, x, y, reps)
        r_lo, r_hi = bootstrap_ci(spearman_rho, x, y, reps)
        images = _cost_images(col, df, plan)
        rows.append({"proxy": col, "kind": kind, "n": len(x), "kendall_tau": tau,
                     "tau_lo": t_lo, "tau_hi": t_hi, "spearman_rho": rho, "rho_lo": r_lo,
                     "rho_hi": r_hi, "top25_recall": top_recall(x, y),
                     "train_images": images,
                     "cost_vs_ref": images / ref_images if ref_images else math.nan,
                     "seconds": _cost_seconds(col, df, plan),
                     **_versus(df, col, baseline, reps)})
    return pd.DataFrame(rows).sort_values("kendall_tau", ascending=False, ignore_index=True)


def _versus(df: pd.DataFrame, col: str, baseline: str, reps: int) -> dict[str, float]:
    """``col``'s Kendall tau minus ``baseline``'s on the architectures both have, with a
    paired bootstrap 95% interval: whether ``col`` is a better proxy than the search's."""
    if baseline not in df:
        return {"d_tau": math.nan, "d_lo": math.nan, "d_hi": math.nan}
    ok = df["ref"].notna() & df[col].notna() & df[baseline].notna()
    x, z, y = (df.loc[ok, c].to_numpy(float) for c in (col, baseline, "ref"))
    d = kendall_tau(x, y) - kendall_tau(z, y)
    lo, hi = bootstrap_diff_ci(kendall_tau, x, z, y, reps)
    return {"d_tau": d, "d_lo": lo, "d_hi": hi}


def _cost_images(col: str, df: pd.DataFrame, plan: Plan) -> float:
    """Training images per architecture a proxy costs (zero-cost scores: 0)."""
    base = col.split("+")[0].split(":")[0].removesuffix("_stale")
    if base.startswith("ref_e"):
        per_epoch = df[f"{plan.ref.name}_images"].mean() / plan.ref.epochs
        return float(int(base.removeprefix("ref_e")) * per_epoch)
    if f"{base}_images" in df:
        return float(df[f"{base}_images"].mean())
    return 0.0


def _cost_seconds(col: str, df: pd.DataFrame, plan: Plan) -> float:
    """Median seconds per architecture a proxy took on the machine that ran the study
    (training plus its validations; zero-cost scores: the score's own time; a rank
    average: the sum of its parts). NaN when not recorded."""
    parts = col.split("+")
    if len(parts) > 1:
        return float(sum(_cost_seconds(p, df, plan) for p in parts))
    base = col.split(":")[0].removesuffix("_stale")
    if base.startswith("ref_e"):
        per_epoch = df[f"{plan.ref.name}_seconds"].median() / plan.ref.epochs
        return float(int(base.removeprefix("ref_e")) * per_epoch)
    key = f"{base}_seconds"
    return float(df[key].median()) if key in df else math.nan


def bn_effect(df: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Per run: mean val accuracy with precise BN and with stale statistics, and how many
    architectures the stale figure puts within 5 points of chance."""
    chance = 1.0 / 10
    rows = []
    for run in plan.runs:
        if run.name not in df:
            continue
        ok = df[run.name].notna()
        acc, stale = df.loc[ok, run.name], df.loc[ok, f"{run.name}_stale"]
        rows.append({"run": run.name, "n": int(ok.sum()), "precise_bn": acc.mean(),
                     "stale_bn": stale.mean(), "mean_gain": (acc - stale).mean(),
                     "stale_near_chance": int((stale < chance + 0.05).sum()),
                     "precise_near_chance": int((acc < chance + 0.05).sum())})
    return pd.DataFrame(rows)


def report(config: Any, out: Path) -> str:
    """Write archs.csv, proxies.csv, bn.csv, proxies.md and fidelity.html to ``out``;
    return the Markdown summary."""
    from nas.fidelity.run import open_study

    study, plan = open_study(config, create=False)
    df = arch_table(study, plan)
    done = int(df["ref"].notna().sum()) if "ref" in df else 0
    head = f"{done} of {len(plan.archs)} architectures have a finished reference"
    if done < 3:
        return head + " (at least 3 are needed for rank statistics)"
    df = add_curve_predictions(add_combinations(df, plan), plan)
    kinds = proxy_columns(df, plan)
    kinds.update({c: "combination" for c in df if "+" in c})
    kinds.update({c: "curve predictor" for c in df if ":" in c})
    stats, bn = proxy_stats(df, kinds, plan), bn_effect(df, plan)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "archs.csv", index=False)
    stats.to_csv(out / "proxies.csv", index=False)
    bn.to_csv(out / "bn.csv", index=False)
    md = "\n\n".join([head + ".", markdown_stats(stats), markdown_bn(bn)]) + "\n"
    (out / "proxies.md").write_text(md)
    write_figure(df, stats, out / "fidelity.html")
    return md


def markdown_stats(stats: pd.DataFrame) -> str:
    lines = ["| proxy | kind | n | Kendall tau [95% CI] | Spearman rho [95% CI] | top-25% "
             f"recall | train images / arch | cost vs ref | median s / arch | tau - "
             f"`{BASELINE}` [95% CI, paired] |",
             "| --- | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for r in stats.itertuples():
        lines.append(f"| `{r.proxy}` | {r.kind} | {r.n} | {r.kendall_tau:.2f} "
                     f"[{r.tau_lo:.2f}, {r.tau_hi:.2f}] | {r.spearman_rho:.2f} "
                     f"[{r.rho_lo:.2f}, {r.rho_hi:.2f}] | {r.top25_recall:.2f} | "
                     f"{r.train_images:,.0f} | {r.cost_vs_ref:.3f} | {r.seconds:,.2f} | "
                     f"{_signed(r.d_tau, r.d_lo, r.d_hi)} |")
    return "\n".join(lines)


def _signed(d: float, lo: float, hi: float) -> str:
    return "n/a" if math.isnan(d) else f"{d:+.2f} [{lo:+.2f}, {hi:+.2f}]"


def markdown_bn(bn: pd.DataFrame) -> str:
    lines = ["| run | n | val acc, precise BN | val acc, stale BN | mean gain | stale within "
             "5 pts of chance | precise within 5 pts of chance |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in bn.itertuples():
        lines.append(f"| `{r.run}` | {r.n} | {r.precise_bn:.4f} | {r.stale_bn:.4f} | "
                     f"{r.mean_gain:+.4f} | {r.stale_near_chance} | {r.precise_near_chance} |")
    return "\n".join(lines)


def write_figure(df: pd.DataFrame, stats: pd.DataFrame, path: Path, top: int = 12) -> None:
    """Each of the ``top`` proxies (by tau) against the reference, one panel each."""
    from plotly.subplots import make_subplots

    chosen = stats.head(top)
    cols = 4
    rows = max(1, math.ceil(len(chosen) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[
        f"{r.proxy} (tau {r.kendall_tau:.2f})" for r in chosen.itertuples()])
    for i, r in enumerate(chosen.itertuples()):
        ok = df["ref"].notna() & df[r.proxy].notna()
        fig.add_scatter(x=df.loc[ok, r.proxy], y=df.loc[ok, "ref"], mode="markers",
                        text=df.loc[ok, "name"], showlegend=False,
                        row=i // cols + 1, col=i % cols + 1)
    fig.update_yaxes(title_text="reference val acc", col=1)
    fig.update_layout(height=300 * rows, width=1200,
                      title="Each proxy against the reference (validation accuracy)")
    fig.write_html(path, include_plotlyjs="cdn")
