"""A study as a pandas table: one row per trial with the search's user attrs.

``status`` is the search's own (``nas.search.results``: trained, stopped, duplicate,
rejected, surplus, in_flight, failed, ...); a running trial reads ``running``, and a
trial without one (not written by ``nas search``) gets its Optuna state in lower case.
"""

from __future__ import annotations

import optuna
import pandas as pd
from optuna.trial import FrozenTrial, TrialState

from nas.retrain.select import pareto_ranks, trained_trials

ATTRS = ("arch_id", "params", "macs", "rf", "val_acc", "epochs", "train_seconds",
         "final_val_acc", "test_acc", "reject_reason", "genome")


def status(t: FrozenTrial) -> str:
    if t.state in (TrialState.RUNNING, TrialState.WAITING):
        return "running"
    return str(t.user_attrs.get("status") or t.state.name.lower())


def trials_frame(study: optuna.Study) -> pd.DataFrame:
    """Every trial: number, state, status, pareto (bool), the ATTRS and its params."""
    trials = study.get_trials(deepcopy=False)
    front = {t.number for t in (pareto_ranks(trained_trials(study)) or [[]])[0]}
    rows = []
    for t in trials:
        row = {"trial": t.number, "state": t.state.name, "status": status(t),
               "pareto": t.number in front,
               "datetime_complete": t.datetime_complete}
        row.update({k: t.user_attrs.get(k) for k in ATTRS})
        row.update({f"param_{k}": v for k, v in t.params.items()})
        rows.append(row)
    cols = ["trial", "state", "status", "pareto", "datetime_complete", *ATTRS]
    return pd.DataFrame(rows, columns=cols if not rows else None)


def status_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Trial counts per status (and per reject reason), for the feasibility figure."""
    if df.empty:
        return pd.DataFrame({"status": [], "count": []})
    # group by the reason's first word (params / macs / rf ...), not its exact numbers
    reason = df["reject_reason"].fillna("").astype(str).str.extract(r"^\W*(\w+)")[0]
    label = df["status"].where(df["status"] != "rejected", "rejected: " + reason)
    out = label.value_counts().rename_axis("status").reset_index(name="count")
    return out.sort_values("status").reset_index(drop=True)
