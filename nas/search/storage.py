"""Where a search lives: storage URLs, opening/creating the study, safe multi-process use.

- default: sqlite at ``studies/<study>.db``, in WAL mode with a 60 s busy timeout, so
  several worker processes share it without "database is locked" errors;
- ``sqlite:///path.db``, ``postgresql://user@host/db``, ``mysql://...``: RDB storages with
  Optuna's heartbeat (a killed worker's trial is failed after the grace period of
  ``nas.search.distributed`` and retried once);
- ``journal:///path.log`` or a path ending in ``.log``/``.journal``: Optuna's journal file
  storage (append-only log with a file lock; the storage Optuna recommends for many
  processes on one machine or NFS).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import BaseStorage, RDBStorage
from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage
from optuna.trial import TrialState

from nas.errors import NasError
from nas.search.distributed import (
    check_sqlite_file,
    create_rdb,
    fail_and_retry,
    heartbeat_kwargs,
    storage_error,
)

# Heartbeats, retries and metric names are "experimental" in Optuna since 2.8-3.2; they
# are exactly what multi-worker safety needs, so the warning is noise for our users.
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

STUDIES_DIR = Path("studies")
SQLITE_TIMEOUT_S = 60  # how long a writer waits for sqlite's lock before failing
JOURNAL_SUFFIXES = (".log", ".journal")
URL_HELP = ("expected sqlite:///file.db, postgresql://user@host/db, mysql://user@host/db, "
            "journal:///file.log or a path ending in .db/.log")


def default_study_name(space: str, budget: int) -> str:
    """``default-200k`` for the default space at 200,000 params."""
    size = f"{budget // 1000}k" if budget % 1000 == 0 else str(budget)
    return f"{space}-{size}"


def storage_url(storage: str | None, study: str) -> str:
    """The URL for ``--storage`` (None: ``sqlite:///studies/<study>.db``; a bare path:
    sqlite or journal by its suffix)."""
    if storage is None:
        return f"sqlite:///{STUDIES_DIR / f'{study}.db'}"
    if "://" in storage:
        return storage
    if storage.endswith(JOURNAL_SUFFIXES):
        return f"journal:///{storage}"
    return f"sqlite:///{storage}"


def _one_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def _sqlite_path(url: str) -> Path:
    path = Path(url.removeprefix("sqlite:///"))
    check_sqlite_file(path)  # unreadable, not SQLite, another program's database: NasError
    con = sqlite3.connect(path, timeout=SQLITE_TIMEOUT_S)
    try:  # WAL: readers never block the writer; persistent in the file
        con.execute("PRAGMA journal_mode=WAL")
    except sqlite3.DatabaseError as e:
        raise NasError(f"{path}: not a usable SQLite database ({_one_line(e)})") from e
    finally:
        con.close()
    return path


def make_storage(url: str, heartbeat: bool = True) -> BaseStorage:
    """An Optuna storage for ``url``; NasError (one line, with a hint) when it can't open."""
    if url.startswith("journal://"):
        path = Path(url.removeprefix("journal:///"))  # like sqlite: 4 slashes = absolute
        path.parent.mkdir(parents=True, exist_ok=True)
        return JournalStorage(JournalFileBackend(str(path), JournalFileOpenLock(str(path))))
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        _sqlite_path(url)
        kwargs["engine_kwargs"] = {"connect_args": {"timeout": SQLITE_TIMEOUT_S}}
    elif url.startswith(("postgresql", "mysql")):
        kwargs["engine_kwargs"] = {"pool_pre_ping": True}
    if heartbeat:
        kwargs.update(heartbeat_kwargs())  # env NAS_HEARTBEAT_INTERVAL / NAS_GRACE_PERIOD
    try:
        return create_rdb(url, **kwargs)  # retried while workers race to create tables
    except Exception as e:  # sqlalchemy/driver errors differ per backend
        raise storage_error(url, e, URL_HELP) from None


def open_study(url: str, name: str, directions: list[str], sampler: Any,
               attrs: dict[str, Any], recorded: dict[str, Any] | None = None) -> optuna.Study:
    """Create or resume study ``name``; NasError if it exists with other settings.

    ``attrs`` (space, budget, limits, objectives) are stored on a new study and compared
    on resume: mixing budgets or spaces in one study would corrupt its Pareto front.
    ``recorded`` (the data spec) is stored when missing and never compared.
    """
    storage = make_storage(url)
    try:
        study = optuna.create_study(storage=storage, study_name=name, sampler=sampler,
                                    directions=directions, load_if_exists=True)
    except NasError:
        raise
    except Exception as e:
        raise NasError(f"cannot open study {name!r} in {url}: {_one_line(e)}") from None
    old = study.user_attrs
    if not old:
        for k, v in attrs.items():
            study.set_user_attr(k, v)
        study.set_metric_names(["val_acc", "params", "macs"][:len(directions)])
    for k, v in attrs.items():
        if k in old and old[k] != v:
            raise NasError(f"study {name!r} in {url} was created with {k}={old[k]!r}, not "
                           f"{v!r}: rerun with the same flags, or pick a new --study")
    for k, v in (recorded or {}).items():
        if k not in old:
            study.set_user_attr(k, v)
    return study


def worker_id() -> str:
    """``host:pid``: who runs a trial, so a rerun on this host can fail its dead ones."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_dead_local_trials(study: optuna.Study) -> list[int]:
    """Fail RUNNING trials started on this host by a process that no longer exists.

    After a SIGKILL the killed trial stays RUNNING; with heartbeats it would be failed
    after the heartbeat grace period, without (journal storage) never. Numbers of the failed trials.
    """
    host = socket.gethostname()
    failed = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        who = str(t.user_attrs.get("worker", ""))
        h, _, pid = who.rpartition(":")
        # failed like a heartbeat-stale trial, and re-queued once
        if h == host and pid.isdigit() and not _alive(int(pid)) and fail_and_retry(study, t):
            failed.append(t.number)
    return failed


def fail_stale(study: optuna.Study) -> None:
    """Optuna's heartbeat check (RDB storages) plus ``fail_dead_local_trials``."""
    if isinstance(getattr(study._storage, "_backend", study._storage), RDBStorage):
        optuna.storages.fail_stale_trials(study)
    fail_dead_local_trials(study)
