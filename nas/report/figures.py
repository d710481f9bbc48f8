"""Plotly figures of a study, each from the trials table (``frame.trials_frame``).

Accuracies are plotted as fractions 0..1 as stored; parameters on a log axis, since
candidates span one to two orders of magnitude. Every point's hover names its trial,
architecture, MACs and measured latency (ms, batch 1, one thread, the search's CPU).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import optuna
import pandas as pd
import plotly.graph_objects as go

from nas.study.pareto import trained_trials
from nas.study.record import TrialRecord

HOVER = ("trial %{customdata[0]}<br>%{customdata[1]}<br>params %{x:,}<br>val_acc %{y:.4f}"
         "<br>MACs %{customdata[2]:,}<br>latency %{customdata[3]:.3f} ms")
CUSTOM = ["trial", "arch_id", "macs", "latency_ms"]  # the hover's customdata columns


def _trained(df: pd.DataFrame) -> pd.DataFrame:
    """Trials trained in full: with successive halving, those that reached the top rung
    (a halted candidate's val_acc is a mid-schedule figure: ``rungs_figure`` shows it)."""
    done = df["status"] == "trained"
    if "halted" in df:
        done &= ~df["halted"].eq(True)
    return df[done]


def _custom(df: pd.DataFrame) -> list[list[object]]:
    return df[CUSTOM].values.tolist()


def _vline(fig: go.Figure, x: float, text: str, line: dict, y: float) -> None:
    """A labelled vertical line on the log params axis. Annotations on a log axis take
    log10(x) (add_vline's own annotation would land far off the chart)."""
    fig.add_vline(x=x, line=line)
    fig.add_annotation(x=math.log10(x), y=y, xref="x", yref="paper", text=text,
                       showarrow=False, textangle=-90, font={"size": 10},
                       xanchor="right", yanchor="top" if y else "bottom")


def pareto_figure(df: pd.DataFrame, budget: int | None = None,
                  zoo: Mapping[str, int] | None = None) -> go.Figure:
    """Val accuracy vs params: all trained trials, the front, retrained models, budget
    line and the zoo baselines' parameter counts (dotted lines; those within twice the
    budget, so a small search is not squashed against the left edge)."""
    tr = _trained(df)
    front = tr[tr["pareto"]].sort_values("params")
    fig = go.Figure()
    fig.add_scatter(x=tr["params"], y=tr["val_acc"], mode="markers", name="trained trials",
                    marker={"color": "#9ecae1", "size": 7}, customdata=_custom(tr),
                    hovertemplate=HOVER)
    fig.add_scatter(x=front["params"], y=front["val_acc"], mode="lines+markers",
                    name="Pareto front", line={"shape": "hv", "color": "#08519c"},
                    marker={"size": 9}, customdata=_custom(front), hovertemplate=HOVER)
    done = tr[tr["test_acc"].notna()] if "test_acc" in tr else tr.iloc[:0]
    if len(done):
        fig.add_scatter(x=done["params"], y=done["val_acc"], mode="markers",
                        name="retrained (proxy val_acc)", customdata=_custom(done),
                        marker={"symbol": "star", "size": 16, "color": "#e6550d"},
                        hovertemplate=HOVER)
        fig.add_scatter(x=done["params"], y=done["test_acc"], mode="markers",
                        name="retrained: test_acc", customdata=_custom(done),
                        marker={"symbol": "diamond", "size": 11, "color": "#31a354"},
                        hovertemplate=HOVER.replace("val_acc", "test_acc"))
    if budget:
        _vline(fig, budget, f"budget {budget:,}", {"color": "red", "dash": "dash"}, 1.0)
    hi = 2 * max(budget or 0, int(tr["params"].max()) if len(tr) else 0)
    for name, params in (zoo or {}).items():
        if params > hi:  # far off to the right: it would squash the trials into a corner
            continue
        _vline(fig, params, name, {"color": "#999", "dash": "dot", "width": 1}, 0.0)
    fig.update_layout(title="Pareto front: validation accuracy vs parameters",
                      xaxis_title="parameters", xaxis_type="log",
                      yaxis_title="accuracy (proxy validation; test for retrained)",
                      legend={"orientation": "h", "y": -0.2})
    return fig


def macs_figure(df: pd.DataFrame) -> go.Figure:
    tr = _trained(df)
    fig = go.Figure(go.Scatter(
        x=tr["macs"], y=tr["val_acc"], mode="markers", customdata=_custom(tr),
        marker={"color": tr["params"], "colorscale": "Viridis", "showscale": True,
                "colorbar": {"title": "params"}},
        hovertemplate=HOVER.replace("params %{x:,}", "MACs %{x:,}")))
    fig.update_layout(title="Validation accuracy vs MACs (per image)", xaxis_type="log",
                      xaxis_title="multiply-accumulates", yaxis_title="proxy validation accuracy")
    return fig


def latency_figure(df: pd.DataFrame) -> go.Figure:
    """Val accuracy vs measured latency (ms per image, batch 1, one thread, the search
    machine's CPU) with the front over the two: the nets to deploy where single images
    are served on such a CPU, which the params front can miss (MACs rank batch-1 latency
    poorly here: results/deploy.md)."""
    tr = _trained(df)
    tr = tr[tr["latency_ms"].notna()] if "latency_ms" in tr else tr.iloc[:0]
    fig = go.Figure()
    if tr.empty:
        fig.add_annotation(text="no latency_ms recorded (a study searched before nas timed "
                                "every candidate)", showarrow=False)
    else:
        fig.add_scatter(x=tr["latency_ms"], y=tr["val_acc"], mode="markers",
                        name="trained trials", customdata=_custom(tr),
                        marker={"color": tr["params"], "colorscale": "Viridis",
                                "showscale": True, "colorbar": {"title": "params"}},
                        hovertemplate=HOVER)
        front = tr[tr["pareto_latency"]].sort_values("latency_ms")
        fig.add_scatter(x=front["latency_ms"], y=front["val_acc"], mode="lines+markers",
                        name="front (val acc vs latency)", customdata=_custom(front),
                        line={"shape": "hv", "color": "#08519c"}, hovertemplate=HOVER)
    fig.update_layout(title="Validation accuracy vs measured latency (batch 1, one thread)",
                      xaxis_title="latency ms (median forward pass, this CPU)",
                      yaxis_title="proxy validation accuracy",
                      legend={"orientation": "h", "y": -0.2})
    return fig


def history_figure(df: pd.DataFrame) -> go.Figure:
    """Val accuracy per trial number with the running best: is the search still gaining?"""
    tr = _trained(df).sort_values("trial")
    fig = go.Figure()
    fig.add_scatter(x=tr["trial"], y=tr["val_acc"], mode="markers", name="trained trial",
                    customdata=_custom(tr), hovertemplate=HOVER.replace("params %{x:,}", ""))
    fig.add_scatter(x=tr["trial"], y=tr["val_acc"].cummax(), mode="lines", name="best so far",
                    line={"shape": "hv"})
    fig.update_layout(title="Optimisation history", xaxis_title="trial",
                      yaxis_title="proxy validation accuracy")
    return fig


def rungs_figure(trials: list[TrialRecord], rungs: list[int]) -> go.Figure:
    """Successive halving's learning curves: each candidate's validation accuracy at
    every rung it reached (epochs on x), top-rung ones in colour, halted ones grey."""
    fig = go.Figure()
    for r in sorted(trials, key=lambda r: r.number):
        if not r.rung_accs:
            continue
        top = not r.halted and len(r.rung_accs) == len(rungs)
        fig.add_scatter(
            x=list(rungs[:len(r.rung_accs)]), y=list(r.rung_accs), mode="lines+markers",
            name=f"#{r.number}{'' if top else ' (halted)'}", showlegend=top,
            line={"width": 2 if top else 1, **({} if top else {"color": "#bbbbbb"})},
            hovertemplate=(f"trial {r.number}<br>{r.arch_id}<br>{r.params or 0:,} params"
                           "<br>epoch %{x}: val_acc %{y:.4f}<extra></extra>"))
    fig.update_layout(title="Successive halving: validation accuracy at each rung",
                      xaxis_title="epochs trained (rungs " + ", ".join(map(str, rungs)) + ")",
                      yaxis_title="validation accuracy", legend={"title": "top rung"})
    return fig


def counts_figure(counts: pd.DataFrame) -> go.Figure:
    fig = go.Figure(go.Bar(x=counts["status"], y=counts["count"], text=counts["count"]))
    fig.update_layout(title="Trials by outcome (rejected = screened out before training)",
                      yaxis_title="trials")
    return fig


def importance_figure(trials: list[TrialRecord]) -> go.Figure:
    """PED-ANOVA importance (Optuna's default evaluator) of the sampled choices for proxy
    val_acc, over trained trials only.

    Define-by-run spaces give trials different parameter sets; Optuna keeps the ones all
    trials share. With too few trials there is nothing to fit: the figure says so.
    """
    fig = go.Figure()
    try:
        imp = _importances(trained_trials(trials))
    except (RuntimeError, ValueError) as e:
        imp, why = {}, str(e).splitlines()[0] if str(e) else type(e).__name__
    else:
        why = "no parameters shared by all trained trials"
    if imp:
        names = list(imp)[::-1]
        fig.add_bar(x=[imp[n] for n in names], y=names, orientation="h")
    else:
        fig.add_annotation(text=f"not enough data for importance: {why}", showarrow=False)
    fig.update_layout(title="Parameter importance for proxy val_acc (PED-ANOVA)",
                      xaxis_title="importance (normalised)", height=max(450, 18 * len(imp)))
    return fig


def _importances(trials: list[TrialRecord]) -> dict[str, float]:
    """Importances on a throwaway single-objective copy (objective = proxy val_acc);
    its per-parameter 'few trials' warnings are expected on small studies."""
    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            view = optuna.create_study(directions=["maximize"])
            view.add_trials([optuna.trial.create_trial(
                params=r.trial.params, distributions=r.trial.distributions, value=r.val_acc)
                for r in trials if r.trial is not None])
            return optuna.importance.get_param_importances(view)
    finally:
        optuna.logging.set_verbosity(level)
