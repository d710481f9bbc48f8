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
from optuna.trial import FrozenTrial
from optuna_dashboard import save_note, save_plotly_graph_object

from nas.analysis import analyze

ARTIFACT_DIR_ATTR = "nas:artifact_dir"
ARTIFACT_IDS_ATTR = "nas:artifact_ids"


class _TrialRef:
    """What ``optuna_dashboard.save_note`` needs of a trial, for one that has finished
    (``optuna.Trial`` would re-enter the sampler)."""

    def __init__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self.study, self.storage, self._trial_id = study, study._storage, trial._trial_id


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


def trial_note(t: FrozenTrial) -> str:
    a = t.user_attrs
    facts = [f"proxy val_acc **{a['val_acc']:.4f}** ({a.get('epochs', '?')} epochs)"]
    if "test_acc" in a:
        facts.append(f"retrained: final val_acc **{a.get('final_val_acc', float('nan')):.4f}**,"
                     f" test_acc **{a['test_acc']:.4f}** ({a.get('retrain_epochs', '?')} "
                     f"epochs, {a.get('retrain_seeds', 1)} seed(s))")
    return "\n".join([f"## {a.get('arch_id', '')}", "", *[f"- {f}" for f in facts], "",
                      arch_table(a["genome"])])


def attach_figures(study: optuna.Study, figures: Mapping[str, go.Figure]) -> None:
    """Save each figure under a fixed id, so re-running the report replaces it."""
    for key, fig in figures.items():
        save_plotly_graph_object(study, fig, graph_object_id=f"nas-{key}")


def attach_notes(study: optuna.Study, trials: list[FrozenTrial]) -> None:
    for t in trials:
        save_note(_TrialRef(study, t), trial_note(t))  # type: ignore[arg-type]


def attach_artifacts(study: optuna.Study, files: list[Path], store_dir: Path) -> list[str]:
    """Upload ``files`` as study artifacts; artifacts of an earlier report are removed."""
    store_dir.mkdir(parents=True, exist_ok=True)
    store = FileSystemArtifactStore(str(store_dir))
    storage, sid = study._storage, study._study_id
    attrs: dict[str, Any] = storage.get_study_system_attrs(sid)
    for old in attrs.get(ARTIFACT_IDS_ATTR, []):
        storage.set_study_system_attr(sid, f"artifacts:{old}", "null")
        with contextlib.suppress(Exception):  # already gone: nothing to clean
            store.remove(old)
    ids = [upload_artifact(artifact_store=store, file_path=str(f), study_or_trial=study)
           for f in files]
    storage.set_study_system_attr(sid, ARTIFACT_IDS_ATTR, ids)
    storage.set_study_system_attr(sid, ARTIFACT_DIR_ATTR, str(store_dir.resolve()))
    return ids
