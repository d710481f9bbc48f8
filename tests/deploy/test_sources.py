"""What ``nas export`` exports: a model.pt, a retrain results folder, or a study's picks."""

from __future__ import annotations

import csv
from pathlib import Path

import optuna
import pytest

from nas.deploy.sources import model_files, retrained_picks
from nas.errors import NasError
from tests.deploy.conftest import save_tiny

GENOMES = ("cv_c4/head_c4", "cv_c6/head_c4", "cv_c8/head_c4")


def fake_retrain(folder: Path) -> list[str]:
    """summary.csv + <arch_id>/model.pt as `nas retrain` leaves them (ranks shuffled)."""
    from nas.genome import Genome

    ids = [Genome.from_string(g).arch_id for g in GENOMES]
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "summary.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["rank", "arch_id", "genome"])
        w.writeheader()
        for rank, (arch, g) in zip((2, 3, 1), zip(ids, GENOMES, strict=True), strict=True):
            w.writerow({"rank": rank, "arch_id": arch, "genome": g})
    for arch, g in zip(ids, GENOMES, strict=True):
        save_tiny(folder / arch / "model.pt", g)
    return ids  # ranks: ids[2] first, then ids[0], ids[1]


def test_a_model_file_or_its_folder(model_pt):
    assert model_files(str(model_pt)) == model_files(str(model_pt.parent))
    assert model_files(str(model_pt))[0].path == model_pt


def test_results_folder_in_rank_order(tmp_path):
    ids = fake_retrain(tmp_path / "res")
    picks = retrained_picks(str(tmp_path / "res"))
    assert [p.path.parent.name for p in picks] == [ids[2], ids[0], ids[1]]
    assert [p.path.parent.name for p in model_files(str(tmp_path / "res"), top=2)] == [
        ids[2], ids[0]]


def test_study_reads_results_of_its_name_and_its_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    study = optuna.create_study(storage="sqlite:///s.db", study_name="mine")
    study.set_user_attr("data", "some.npz")
    ids = fake_retrain(tmp_path / "results" / "mine")
    picks = model_files("s.db", top=1)
    assert len(picks) == 1 and picks[0].path.parent.name == ids[2]
    assert picks[0].trained_on == "some.npz"
    optuna.create_study(storage="sqlite:///s.db", study_name="other")
    with pytest.raises(NasError, match="--study"):
        model_files("s.db")
    with pytest.raises(NasError, match="no retrained models"):
        model_files("s.db", study_name="other")


@pytest.mark.parametrize(("target", "kw", "needle"), [
    ("nope.pt", {}, "nope.pt: no such model file"),
    ("nope.db", {}, "no such model file or study"),
    ("MODEL", {"top": 2}, "--top and --study apply to studies"),
    ("MISSING", {}, "listed in"),
])
def test_bad_targets(tmp_path, monkeypatch, model_pt, target, kw, needle):
    monkeypatch.chdir(tmp_path)
    if target == "MODEL":
        target = str(model_pt)
    if target == "MISSING":
        ids = fake_retrain(tmp_path / "res")
        (tmp_path / "res" / ids[0] / "model.pt").unlink()
        target = str(tmp_path / "res")
    with pytest.raises(NasError, match=needle):
        model_files(target, **kw)
