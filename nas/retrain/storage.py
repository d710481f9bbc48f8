"""Open a study from what a user types: a sqlite file, a journal file or a storage URL.

Opening must never write to the target: a typo or a non-Optuna file gives a one-line
``NasError`` instead of Optuna silently creating an empty database there.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import BaseStorage, RDBStorage
from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage

from nas.errors import NasError

SQLITE_MAGIC = b"SQLite format 3\x00"
OPTUNA_TABLES = {"studies", "trials", "version_info"}


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def _check_sqlite(path: Path) -> None:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = con.execute("select name from sqlite_master where type='table'").fetchall()
        finally:
            con.close()
    except sqlite3.Error as e:
        raise NasError(f"{path}: unreadable SQLite file ({_one_line(e)})") from e
    if not {r[0] for r in rows} >= OPTUNA_TABLES:
        raise NasError(f"{path}: a SQLite file but not an Optuna study database")


def _check_journal(path: Path) -> None:
    with path.open("rb") as f:
        first = f.readline()
    try:
        ok = "op_code" in json.loads(first)
    except (ValueError, TypeError):
        ok = False
    if not ok:
        raise NasError(f"{path}: not an Optuna storage (expected a SQLite study database, "
                       "a journal file or a storage URL)")


SQLITE_TIMEOUT_S = 60  # wait for a running search's write lock rather than fail


def _rdb(url: str) -> RDBStorage:
    kwargs = {"connect_args": {"timeout": SQLITE_TIMEOUT_S}} if url.startswith("sqlite") else {}
    try:
        return RDBStorage(url, engine_kwargs=kwargs, skip_table_creation=True)
    except Exception as e:  # sqlalchemy/driver errors vary by backend
        from nas.search.distributed import storage_error  # the driver's reason + a hint

        raise storage_error(url, e) from e


def _file_storage(path: Path) -> BaseStorage:
    if not path.exists():
        raise NasError(f"{path}: no such study file (pass the .db written by `nas search` "
                       "or a storage URL)")
    if not path.is_file():
        raise NasError(f"{path}: not a file (pass a study .db file or a storage URL)")
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise NasError(f"{path}: cannot read ({_one_line(e)})") from e
    if head == SQLITE_MAGIC:
        _check_sqlite(path)
        return _rdb(f"sqlite:///{path.resolve()}")
    _check_journal(path)
    # the lock `nas search` uses, so reading while it appends is safe
    return JournalStorage(JournalFileBackend(str(path), JournalFileOpenLock(str(path))))


def open_storage(target: str | Path) -> BaseStorage:
    """A storage for ``target``: a file path (sqlite or journal) or any storage URL
    (``journal:///file.log`` as ``nas search --storage`` writes it)."""
    text = str(target)
    if "://" not in text:
        return _file_storage(Path(text))
    for scheme in ("sqlite:///", "journal:///"):
        if text.startswith(scheme) and text != "sqlite:///:memory:":
            return _file_storage(Path(text.removeprefix(scheme)))
    return _rdb(text)


def study_names(storage: BaseStorage) -> list[str]:
    return sorted(optuna.get_all_study_names(storage))


def resolve_name(storage: BaseStorage, target: str | Path, study_name: str | None) -> str:
    """The study to use: ``study_name`` if given, else the only study in the storage."""
    names = study_names(storage)
    if study_name is not None:
        if study_name not in names:
            raise NasError(f"no study {study_name!r} in {target}; it holds: "
                           f"{', '.join(names) or 'no studies'}")
        return study_name
    if not names:
        raise NasError(f"{target} holds no studies")
    if len(names) > 1:
        raise NasError(f"{target} holds {len(names)} studies, pick one with --study: "
                       f"{', '.join(names)}")
    return names[0]


def open_study(target: str | Path, study_name: str | None = None) -> optuna.Study:
    """Load a study from a path or URL; ``study_name`` is needed only if it holds several."""
    storage = open_storage(target)
    name = resolve_name(storage, target, study_name)
    return optuna.load_study(study_name=name, storage=storage)


def raw_storage(study: optuna.Study) -> BaseStorage:
    """The backend under Optuna's per-process cache, for writes the cache would not see."""
    storage = study._storage
    return getattr(storage, "_backend", storage)


def set_finished_user_attrs(study: optuna.Study, trial_id: int, attrs: dict[str, Any]) -> bool:
    """Add user attrs to a finished trial (Optuna only allows it on running ones).

    Retrain results belong on the trial the dashboard shows, so on SQL storages the rows
    are upserted directly. Journal storages replay a log that refuses such writes: there
    this returns False and the figures live in the results and the trial note only.
    """
    storage = raw_storage(study)
    if not isinstance(storage, RDBStorage):
        return False
    from optuna.storages._rdb import models

    session = storage.scoped_session()
    try:
        for key, value in attrs.items():
            row = (session.query(models.TrialUserAttributeModel)
                   .filter_by(trial_id=trial_id, key=key).one_or_none())
            if row is None:
                session.add(models.TrialUserAttributeModel(
                    trial_id=trial_id, key=key, value_json=json.dumps(value)))
            else:
                row.value_json = json.dumps(value)
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
    return True
