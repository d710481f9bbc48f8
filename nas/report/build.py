"""``report``: one self-contained HTML file plus CSV tables for a study.

The HTML inlines plotly.js once (about 4.5 MB) so it opens offline and can be mailed or
attached to the study; the CSVs are the same tables for pandas users.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import optuna
import pandas as pd
import plotly.graph_objects as go

from nas.analysis import count_params
from nas.report.attach import attach_artifacts, attach_figures, attach_notes
from nas.report.figures import (
    counts_figure,
    history_figure,
    importance_figure,
    latency_figure,
    macs_figure,
    pareto_figure,
    rungs_figure,
)
from nas.report.frame import status_counts, trials_frame
from nas.search import strategies
from nas.study.record import records
from nas.study.storage import open_study, read_only
from nas.zoo import ZOO

BUDGET_ATTRS = ("budget", "param_budget", "params_budget", "max_params")
TABLE_COLS = ["trial", "arch_id", "params", "macs", "latency_ms", "rf", "val_acc",
              "final_val_acc", "test_acc", "genome", "given"]


@dataclass(frozen=True)
class Report:
    """Paths written by ``report`` and the counts it found."""

    html: Path
    trials_csv: Path
    pareto_csv: Path
    counts: dict[str, int]
    attached: bool


def study_budget(study: optuna.Study) -> int | None:
    """The search's parameter budget, from the study's user attrs if recorded."""
    for key in BUDGET_ATTRS:
        if isinstance(study.user_attrs.get(key), int | float):
            return int(study.user_attrs[key])
    return None


def zoo_params() -> dict[str, int]:
    return {name: count_params(e.genome) for name, e in ZOO.items()}


def _html(title: str, figures: Mapping[str, go.Figure], tables: Mapping[str, pd.DataFrame],
          summary: str) -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
             "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:"
             "collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}</style>"
             f"</head><body><h1>{html.escape(title)}</h1><p>{summary}</p>"]
    for i, (key, fig) in enumerate(figures.items()):
        parts.append(fig.to_html(full_html=False, include_plotlyjs=i == 0, div_id=f"fig-{key}"))
    for name, df in tables.items():
        parts.append(f"<h2>{html.escape(name)}</h2>" + df.to_html(index=False, na_rep=""))
    return "".join(parts) + "</body></html>\n"


def report(target: str | Path, study_name: str | None = None, *, out: str | Path | None = None,
           budget: int | None = None, attach: bool = True) -> Report:
    """Write ``report.html``, ``trials.csv`` and ``pareto.csv`` under ``out`` (default
    ``results/<study>/``) and, with ``attach``, put figures, notes and files on the study
    (not on a read-only study file: ``Report.attached`` is then False)."""
    study = open_study(target, study_name)
    attach = attach and not read_only(target)
    out_dir = Path(out) if out is not None else Path("results") / study.study_name
    out_dir.mkdir(parents=True, exist_ok=True)
    trials = records(study)
    df = trials_frame(trials)
    counts = status_counts(df)
    budget = budget or study_budget(study)
    figures = {"pareto": pareto_figure(df, budget, zoo_params()), "macs": macs_figure(df),
               "latency": latency_figure(df), "history": history_figure(df),
               "counts": counts_figure(counts), "importance": importance_figure(trials)}
    rungs = strategies.of_study(study.user_attrs).study_rungs(study.user_attrs)
    if rungs:
        figures["rungs"] = rungs_figure(trials, rungs)
    pareto = df[df["pareto"]].sort_values("params")[TABLE_COLS]
    fast = df[df["pareto_latency"]].sort_values("latency_ms")[TABLE_COLS]
    retrained = df[df["final_val_acc"].notna()][TABLE_COLS]  # tested or --no-test
    n = dict(zip(counts["status"], counts["count"], strict=True))
    n_trained = int((df["status"] == "trained").sum()) if len(df) else 0
    summary = (f"{len(df)} trials, {n_trained} trained, {len(pareto)} on the Pareto front, "
               f"budget {budget:,} params. " if budget else
               f"{len(df)} trials, {n_trained} trained, {len(pareto)} on the Pareto front. ")
    summary += f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; accuracies are fractions."
    page = _html(f"nas report: {study.study_name}", figures,
                 {"Pareto front": pareto, "Pareto front: val acc vs latency (ms, batch 1, "
                  "one thread)": fast, "Retrained": retrained, "Trials by outcome": counts},
                 summary)
    paths = out_dir / "report.html", out_dir / "trials.csv", out_dir / "pareto.csv"
    paths[0].write_text(page)
    df.to_csv(paths[1], index=False)
    pareto.to_csv(paths[2], index=False)
    if attach:
        attach_figures(study, figures)
        noted = df[df["pareto"] | df["test_acc"].notna()]["trial"].tolist()
        by_number = {r.number: r for r in trials}
        attach_notes(study, [by_number[i] for i in noted])
        attach_artifacts(study, list(paths), out_dir / "artifacts")
    return Report(*paths, counts={str(k): int(v) for k, v in n.items()}, attached=attach)
