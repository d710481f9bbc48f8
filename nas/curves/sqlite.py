"""Read an Optuna SQLite study without any chance of writing to it.

The study files under results/ are evidence: opening one through Optuna (or SQLite in
WAL mode in a writable folder) may create ``-shm``/``-wal`` files or migrate its schema.
So the file (and its ``-wal``, if any) is copied to a temporary folder first and read
there with plain SQL; nothing under results/ is ever opened for writing. Keys that hold
test-split figures (``test_acc``, the study's ``retrain:<n>``) are dropped unread.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RawTrial:
    """One trial row: its number, Optuna state name (``COMPLETE`` ...) and user attrs."""

    number: int
    state: str
    attrs: dict[str, Any]


def is_test(key: str) -> bool:
    """Keys that hold (or may hold) test-split figures: never read (issue 47)."""
    return "test" in key or key.startswith("retrain:")


@contextmanager
def snapshot(db: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a temporary copy of ``db`` (with its ``-wal``), removed after."""
    with tempfile.TemporaryDirectory(prefix="nas-curves-") as tmp:
        copy = Path(tmp) / "study.db"
        shutil.copyfile(db, copy)
        wal = Path(f"{db}-wal")
        if wal.exists():
            shutil.copyfile(wal, Path(f"{copy}-wal"))
        con = sqlite3.connect(copy)
        try:
            yield con
        finally:
            con.close()


def read_trials(db: Path) -> tuple[dict[str, Any], list[RawTrial]]:
    """(study user attrs, trials) of the first study in ``db``, attrs JSON-decoded."""
    with snapshot(db) as con:
        study = {k: v for k, v in con.execute(
            "select key, value_json from study_user_attributes") if not is_test(k)}
        rows = con.execute("select trial_id, number, state from trials order by number")
        trials = {tid: RawTrial(num, str(state), {}) for tid, num, state in rows}
        for tid, key, value in con.execute(
                "select trial_id, key, value_json from trial_user_attributes"):
            if tid in trials and not is_test(key):
                trials[tid].attrs[key] = json.loads(value)
    return {k: json.loads(v) for k, v in study.items()}, list(trials.values())
