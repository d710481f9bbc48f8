"""A study as a pandas table: one row per trial with its record's figures.

``status`` is the search's own (``nas.study.Status``: trained, stopped, duplicate,
rejected, surplus, in_flight, failed, ...); a running trial reads ``running``, and a
trial without one (not written by ``nas search``) gets its Optuna state in lower case.
"""

from __future__ import annotations

from collections.abc import Iterable

import optuna
import pandas as pd

from nas.study.pareto import pareto_front, trained_trials
from nas.study.record import TrialRecord, records

ATTRS = ("arch_id", "params", "macs", "rf", "latency_ms", "val_acc", "epochs",
         "train_seconds", "images", "rung", "halted", "synflow", "naswot", "grad_norm",
         "zico", "final_val_acc", "test_acc", "reject_reason", "genome", "given",
         "parent", "mutation")
# the front a deployment on a CPU like the search's cares about (batch 1, one thread)
LATENCY_FRONT = (("val_acc", "max"), ("latency_ms", "min"))


def status(r: TrialRecord) -> str:
    if r.running:
        return "running"
    return str(r.status or r.state.name.lower())


def trials_frame(source: optuna.Study | Iterable[TrialRecord]) -> pd.DataFrame:
    """Every trial: number, state, status, pareto (bool: on the val_acc/params front),
    pareto_latency (on the val_acc/latency_ms front), the ATTRS and its params."""
    trials = records(source)
    trained = trained_trials(trials)
    front = {r.number for r in pareto_front(trained)}
    fast = {r.number for r in pareto_front(trained, LATENCY_FRONT)}
    rows = []
    for r in trials:
        row = {"trial": r.number, "state": r.state.name, "status": status(r),
               "pareto": r.number in front, "pareto_latency": r.number in fast,
               "datetime_complete": r.trial.datetime_complete if r.trial else None}
        row.update({k: getattr(r, k) for k in ATTRS})
        row.update({f"param_{k}": v for k, v in (r.trial.params if r.trial else {}).items()})
        rows.append(row)
    cols = ["trial", "state", "status", "pareto", "pareto_latency", "datetime_complete",
            *ATTRS]
    df = pd.DataFrame(rows, columns=cols if not rows else None)
    return df.astype({"parent": "Int64"})  # trial numbers, blank where none (not 0.0)


def status_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Trial counts per status (and per reject reason; successive halving's halted
    candidates apart from those trained to the top rung), for the feasibility figure."""
    if df.empty:
        return pd.DataFrame({"status": [], "count": []})
    # group by the reason's first word (params / macs / rf ...), not its exact numbers
    reason = df["reject_reason"].fillna("").astype(str).str.extract(r"^\W*(\w+)")[0]
    label = df["status"].where(df["status"] != "rejected", "rejected: " + reason)
    label = label.where(~df["halted"].eq(True), "halted below the top rung")  # sh
    out = label.value_counts().rename_axis("status").reset_index(name="count")
    return out.sort_values("status").reset_index(drop=True)
