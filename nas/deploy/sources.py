"""What ``nas export`` exports: one ``model.pt``, or the retrained picks of a study.

``retrained_picks`` is the only code here that knows what ``nas retrain`` writes
(``results/<study>/summary.csv`` and ``<arch_id>/model.pt``); it reads those files, not
retrain's internals, so it can move onto a study layer without touching the rest.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from nas.errors import NasError

RESULTS = Path("results")


@dataclass(frozen=True)
class ModelFile:
    """A saved model to export, and the data it was trained on when known."""

    path: Path
    trained_on: str | None = None


def _summary_rows(summary: Path) -> list[dict[str, str]]:
    with summary.open(newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "arch_id" not in rows[0]:
        raise NasError(f"{summary}: no retrained models listed (expected nas retrain's "
                       "summary.csv)")
    return sorted(rows, key=lambda r: int(r.get("rank") or 0))


def retrained_picks(target: str, study_name: str | None = None, top: int | None = None
                    ) -> list[ModelFile]:
    """The ``top`` retrained models of a study, best rank first.

    ``target`` is a results folder holding ``summary.csv`` (as ``nas retrain --out``
    wrote it) or a study (.db/journal file or storage URL), whose results are read from
    ``results/<study name>/`` and whose ``data`` attribute names the training data.
    """
    folder, trained_on = Path(target), None
    if not (folder / "summary.csv").is_file():
        from nas.study import open_study  # one-line errors for unknown studies

        study = open_study(target, study_name)
        folder = RESULTS / study.study_name
        trained_on = str(study.user_attrs.get("data", "cifar10"))
        if not (folder / "summary.csv").is_file():
            raise NasError(f"study {study.study_name!r} has no retrained models in {folder} "
                           f"(run `nas retrain {target}` first)")
    rows = _summary_rows(folder / "summary.csv")[:top]
    picks = [ModelFile(folder / r["arch_id"] / "model.pt", trained_on) for r in rows]
    for p in picks:
        if not p.path.is_file():
            raise NasError(f"{p.path}: listed in {folder / 'summary.csv'} but missing")
    return picks


def model_files(target: str, study_name: str | None = None, top: int | None = None
                ) -> list[ModelFile]:
    """``target`` as models to export: a model.pt (or a folder holding one) or a study."""
    path = Path(target)
    single = path if path.is_file() and path.suffix == ".pt" else path / "model.pt"
    if single.is_file() and not (path / "summary.csv").is_file():
        if top is not None or study_name is not None:
            raise NasError(f"{target} is one model: --top and --study apply to studies")
        return [ModelFile(single)]
    if path.suffix == ".pt":
        raise NasError(f"{target}: no such model file")
    if "://" not in target and not path.exists():
        raise NasError(f"{target}: no such model file or study (pass a model.pt, a study "
                       ".db or journal file, a storage URL, or a retrain results folder)")
    return retrained_picks(target, study_name, top)
