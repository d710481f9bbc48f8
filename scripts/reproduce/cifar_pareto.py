"""The Pareto figure of results/cifar/README.md: for each budget, every trained search trial
(proxy val acc vs params, front highlighted) above the retrained `nas` picks and the zoo
baselines (test acc under the shared recipe). Writes ``<out>/pareto.html`` (self-contained)
and, when ``chromium`` is on PATH, ``<out>/pareto.png`` (a headless screenshot).

    python scripts/reproduce/cifar_pareto.py [results/cifar] [studies]
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import optuna
import pandas as pd
import plotly.graph_objects as go
from cifar_table import baseline_runs  # scripts/ is on sys.path when run as a script
from plotly.subplots import make_subplots

from nas.study import open_study, pareto_front, trained_trials

BUDGETS = (100_000, 200_000, 400_000)
WIDTH, HEIGHT = 1500, 820


def _proxy(fig: go.Figure, studies: Path, budget: int, col: int) -> int:
    """Row 1: proxy val acc of every trained trial, the front as a step line; returns the
    smallest parameter count drawn."""
    db = studies / f"cifar-{budget // 1000}k.db"
    trials = trained_trials(open_study(db))
    front = sorted(pareto_front(trials), key=lambda r: r.params)
    for ts, name, style in ((trials, "trained trial", {"color": "#9ecae1", "size": 6}),
                            (front, "Pareto front", {"color": "#08519c", "size": 8})):
        fig.add_scatter(x=[r.params for r in ts], y=[r.val_acc for r in ts], row=1, col=col,
                        mode="markers" if ts is trials else "lines+markers", name=name,
                        marker=style, line={"shape": "hv"}, showlegend=col == 1)
    return min(r.params for r in trials)


def _final(fig: go.Figure, out: Path, budget: int, col: int) -> int:
    """Row 2: test acc of the retrained picks and of the baselines within the budget;
    returns the smallest parameter count drawn."""
    found = pd.read_csv(out / f"cifar-{budget // 1000}k" / "summary.csv")
    fig.add_scatter(x=found["params"], y=found["test_acc"], row=2, col=col,
                    mode="markers+text", text=found["arch_id"], textposition="bottom center",
                    name="nas pick (retrained)", showlegend=col == 1,
                    marker={"symbol": "star", "size": 15, "color": "#e6550d"})
    base = baseline_runs(out, budget)
    fig.add_scatter(x=[b["params"] for b in base], y=[b["test_acc"] for b in base],
                    row=2, col=col, mode="markers+text", text=[b["name"] for b in base],
                    textposition="top center", name="zoo baseline", showlegend=col == 1,
                    marker={"symbol": "circle", "size": 10, "color": "#636363"})
    return min([*found["params"], *(b["params"] for b in base)])


def figure(out: Path, studies: Path) -> go.Figure:
    fig = make_subplots(rows=2, cols=len(BUDGETS), vertical_spacing=0.12,
                        subplot_titles=[f"search, budget {b // 1000}k" for b in BUDGETS]
                        + [f"5 epochs on 20k, test once, budget {b // 1000}k" for b in BUDGETS])
    for col, budget in enumerate(BUDGETS, start=1):
        lo = min(_proxy(fig, studies, budget, col), _final(fig, out, budget, col))
        for row in (1, 2):  # one params range per budget, so the two rows line up
            fig.add_vline(x=budget, line={"color": "red", "dash": "dash"}, row=row, col=col)
            fig.update_xaxes(range=[math.log10(lo / 1.5), math.log10(budget * 1.2)],
                             row=row, col=col)
    fig.update_xaxes(type="log", title_text="parameters")
    fig.update_yaxes(title_text="proxy val acc", row=1, col=1)
    fig.update_yaxes(title_text="test acc", row=2, col=1)
    fig.update_layout(width=WIDTH, height=HEIGHT, legend={"orientation": "h", "y": -0.1},
                      margin={"t": 40, "b": 40}, template="plotly_white")
    return fig


def screenshot(html: Path, png: Path) -> bool:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return False
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        f"--user-data-dir={profile}", f"--screenshot={png.resolve()}",
                        f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars",
                        "--virtual-time-budget=5000", html.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    return png.exists()


def main(out: Path, studies: Path) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    html = out / "pareto.html"
    figure(out, studies).write_html(html, include_plotlyjs=True, full_html=True,
                                    config={"displayModeBar": False})
    print(html)
    if screenshot(html, out / "pareto.png"):
        print(out / "pareto.png")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(Path(args[0] if args else "results/cifar"), Path(args[1] if len(args) > 1 else "studies"))
