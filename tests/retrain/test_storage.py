"""STUDY arguments: sqlite path or URL, --study only when needed, one-line errors."""

import sqlite3
import subprocess
import sys

import optuna
import pytest

from nas.errors import NasError
from nas.study import open_study
from tests.retrain.studies import make_study


def test_path_and_url_open_the_same_study(tmp_path):
    path = make_study(tmp_path / "s.db")
    assert open_study(path).study_name == "tiny"
    assert open_study(f"sqlite:///{path}").study_name == "tiny"


def test_several_studies_need_study_flag(tmp_path):
    path = make_study(tmp_path / "s.db")
    optuna.create_study(study_name="other", storage=f"sqlite:///{path}")
    with pytest.raises(NasError, match="pick one with --study: other, tiny"):
        open_study(path)
    assert open_study(path, "other").study_name == "other"
    with pytest.raises(NasError, match="no study 'nope'"):
        open_study(path, "nope")


def test_missing_file_is_not_created(tmp_path):
    with pytest.raises(NasError, match="no such study file"):
        open_study(tmp_path / "missing.db")
    with pytest.raises(NasError, match="no such study file"):
        open_study(f"sqlite:///{tmp_path / 'missing.db'}")
    assert not (tmp_path / "missing.db").exists()


def test_foreign_files_are_refused_untouched(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    with pytest.raises(NasError, match="not an Optuna storage"):
        open_study(text)
    db = tmp_path / "other.db"
    sqlite3.connect(db).execute("create table t (x)").connection.commit()
    with pytest.raises(NasError, match="not an Optuna study database"):
        open_study(db)
    tables = sqlite3.connect(db).execute("select name from sqlite_master").fetchall()
    assert tables == [("t",)]


def test_cli_prints_one_line_error(tmp_path):
    r = subprocess.run([sys.executable, "-m", "nas", "report", str(tmp_path / "x.db")],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: ")


def test_journal_file_and_url(tmp_path):
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    log = tmp_path / "s.log"
    storage = JournalStorage(JournalFileBackend(str(log)))
    src = open_study(make_study(tmp_path / "s.db"))
    study = optuna.create_study(study_name="j", storage=storage,
                                directions=["maximize", "minimize"])
    study.add_trials(src.trials)
    for target in (log, f"journal:///{log}"):
        opened = open_study(target)
        assert opened.study_name == "j" and len(opened.trials) == len(src.trials)
