"""Put the report into the study itself, for optuna-dashboard.

Figures go in as plotly graph objects (shown on the study page), the HTML report and
CSV files as study artifacts in a file-system artifact store, and every trained trial on
the front or retrained gets a markdown note with its architecture table. The artifact
directory is recorded on the study (system attr ``nas:artifact_dir``) so ``nas
dashboard`` can serve the files without being told where they are.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import optuna
import plotly.graph_objects as go
from optuna.artifacts import FileSystemArtifactStore, upload_artifact
from optuna_dashboard import save_note, save_plotly_graph_object

from nas.analysis import analyze
from nas.study.adapter import TrialRef, set_system_attr, system_attrs
from nas.study.record import TrialRecord

ARTIFACT_DIR_ATTR = "nas:artifact_dir"
ARTIFACT_IDS_ATTR = "nas:artifact_ids"


def arch_table(genome: str, input_size: int = 32) -> str:
    """The ``nas show`` table as markdown: per block output shape, params, MACs, RF."""
    a = analyze(genome, input_size)
    lines = [f"`{a.genome}`", "", f"Per block, for one {input_size}x{input_size} image:", "",
             "| stage | block | output | params | MACs | RF |",
             "| --- | --- | --- | ---: | ---: | ---: |"]
    for layer in a.layers:
        shape = "x".join(map(str, layer.out_shape))
        lines.append(f"| {layer.stage} | `{layer.block}` | {shape} | {layer.params:,} | "
                     f"{layer.macs:,} | {layer.rf} |")
    head = a.params - sum(layer.params for layer in a.layers)
    lines += [f"|  | head |  | {head:,} |  |  |",
              f"| **total** |  |  | **{a.params:,}** | **{a.macs:,}** | **{a.rf}** |"]
    return "\n".join(lines)


def _or(value: object, default: object) -> object:
    return default if value is None else value


def trial_note(r: TrialRecord) -> str:
    facts = [f"proxy val_acc **{r.val_acc:.4f}** ({r.epochs} epochs)"]
    if r.latency_ms is not None:
        facts.append(f"latency **{r.latency_ms:.3f} ms** (median of {_or(r.latency_runs, '?')}"
                     " forward passes, batch 1, one thread, the search's CPU)")
    if r.test_acc is not None:
        facts.append(f"retrained: final val_acc **{_or(r.final_val_acc, float('nan')):.4f}**,"
                     f" test_acc **{r.test_acc:.4f}** ({_or(r.retrain_epochs, '?')} "
                     f"epochs, {_or(r.retrain_seeds, 1)} seed(s))")
    return "\n".join([f"## {r.arch_id or ''}", "", *[f"- {f}" for f in facts], "",
                      arch_table(r.genome)])


def attach_figures(study: optuna.Study, figures: Mapping[str, go.Figure]) -> None:
    """Save each figure under a fixed id, so re-running the report replaces it."""
    for key, fig in figures.items():
        save_plotly_graph_object(study, fig, graph_object_id=f"nas-{key}")


def attach_notes(study: optuna.Study, trials: list[TrialRecord]) -> None:
    for r in trials:
        save_note(TrialRef(study, r.trial), trial_note(r))  # type: ignore[arg-type]


def attach_artifacts(study: optuna.Study, files: list[Path], store_dir: Path) -> list[str]:
    """Upload ``files`` as study artifacts; artifacts of an earlier report are removed."""
    store_dir.mkdir(parents=True, exist_ok=True)
    store = FileSystemArtifactStore(str(store_dir))
    attrs: dict[str, Any] = system_attrs(study)
    for old in attrs.get(ARTIFACT_IDS_ATTR, []):
        set_system_attr(study, f"artifacts:{old}", "null")
        with contextlib.suppress(Exception):  # already gone: nothing to clean
            store.remove(old)
    ids = [upload_artifact(artifact_store=store, file_path=str(f), study_or_trial=study)
           for f in files]
    set_system_attr(study, ARTIFACT_IDS_ATTR, ids)
    set_system_attr(study, ARTIFACT_DIR_ATTR, str(store_dir.resolve()))
    return ids
