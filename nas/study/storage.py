"""Opening studies on every storage, read-write (``nas search``) or read-only (retrain,
report, dashboard), from what a user types.

- default: sqlite at ``studies/<study>.db``, in WAL mode with a 60 s busy timeout, so
  several worker processes share it without "database is locked" errors; a search's
  transactions take the write lock when they begin (``BEGIN IMMEDIATE``), so that a
  read-then-write (Optuna popping a WAITING trial) is atomic: two workers can never pop
  the same re-queued trial (optuna#4002);
- ``sqlite:///path.db``, ``postgresql://user@host/db``, ``mysql://...``: RDB storages; a
  search turns Optuna's heartbeat on (``nas.study.workers``) and rides out a database
  server's outage for ``NAS_STORAGE_PATIENCE`` seconds (``nas.study.patience``);
- ``journal:///path.log`` or a path ending in ``.log``/``.journal``: Optuna's journal file
  storage (append-only log with a file lock, no server, no heartbeat);
- ``memory://<key>``: Optuna's in-memory storage, one per key for the life of this process
  (every open of the same URL sees the same studies; nothing is written anywhere): the
  training-free benchmark's thousands of short in-process searches (nas.searchbench).

Read-only opening never writes: a typo or a foreign file is a one-line ``NasError``.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import BaseStorage, RDBStorage
from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock, JournalStorage
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from nas.errors import NasError
from nas.study import files
from nas.study.errors import one_line, root_cause, safe_url, storage_error
from nas.study.patience import BACKOFF_MAX_S, patient, say_stderr
from nas.study.workers import heartbeat_kwargs, heartbeat_settings

# Heartbeats, retries and metric names are "experimental" in Optuna since 2.8-3.2; they
# are exactly what multi-worker safety needs, so the warning is noise for our users.
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

STUDIES_DIR = Path("studies")
JOURNAL_SUFFIXES = (".log", ".journal")
URL_HELP = ("expected sqlite:///file.db, postgresql://user@host/db, mysql://user@host/db, "
            "journal:///file.log or a path ending in .db/.log")
METRIC_NAMES = ("val_acc", "params", "macs")  # a study's before it names its own
CREATE_ATTEMPTS = 6  # tries at opening an RDB storage whose tables others create right now
CONNECT_TIMEOUT_S = 10  # PostgreSQL: seconds a connection attempt may take (else: minutes)
MEMORY = "memory://"  # URL prefix of the in-process storages (``memory_storage``)
_MEMORY: dict[str, optuna.storages.InMemoryStorage] = {}


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


def file_path(url: str) -> Path | None:
    """The file behind a sqlite/journal URL (4 slashes = absolute), None for servers."""
    for scheme in ("sqlite:///", "journal:///"):
        if url.startswith(scheme) and url != "sqlite:///:memory:":
            return Path(url.removeprefix(scheme))
    return None


def _journal(path: Path) -> JournalStorage:
    # the lock `nas search` appends with, so reading while it writes is safe
    return JournalStorage(JournalFileBackend(str(path), JournalFileOpenLock(str(path))))


def _creation_race(e: BaseException) -> bool:
    """True for the errors of two processes creating Optuna's tables at once (PostgreSQL:
    a unique violation in pg_type / "already exists"; MySQL/SQLite: "already exists")."""
    text = f"{type(root_cause(e)).__name__} {root_cause(e)}".lower()
    return any(s in text for s in ("uniqueviolation", "duplicate key", "already exists",
                                   "duplicatetable", "integrityerror"))


def create_rdb(url: str, **kwargs: Any) -> RDBStorage:
    """``RDBStorage(url, **kwargs)``, retried when workers started together race to
    create the schema of a fresh database (the loser sees the winner's tables next time).
    Other errors are raised at once."""
    for attempt in range(CREATE_ATTEMPTS):
        try:
            return RDBStorage(url, **kwargs)
        except Exception as e:
            if attempt == CREATE_ATTEMPTS - 1 or not _creation_race(e):
                raise
            time.sleep(random.uniform(0.2, 1.0) * (attempt + 1))
    raise AssertionError("unreachable")


def _rdb(url: str, writable: bool) -> RDBStorage:
    """An RDB storage: a search's (tables created, heartbeat on) or a reader's."""
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["engine_kwargs"] = {"connect_args": {"timeout": files.SQLITE_TIMEOUT_S}}
    elif url.startswith("postgresql"):  # a server that vanished must fail fast, not hang
        kwargs["engine_kwargs"] = {"pool_pre_ping": True,
                                   "connect_args": {"connect_timeout": CONNECT_TIMEOUT_S}}
    elif url.startswith("mysql"):
        kwargs["engine_kwargs"] = {"pool_pre_ping": True}
    if writable:
        kwargs.update(heartbeat_kwargs())  # env NAS_HEARTBEAT_INTERVAL / NAS_GRACE_PERIOD
    else:
        kwargs["skip_table_creation"] = True
    try:
        storage = create_rdb(url, **kwargs)  # retried while workers race to create tables
    except Exception as e:  # sqlalchemy/driver errors differ per backend
        raise storage_error(url, e, URL_HELP if writable else "") from None
    if writable and url.startswith("sqlite"):
        immediate_transactions(storage.engine)
    return storage


def immediate_transactions(engine: Engine) -> None:
    """Make every transaction of a sqlite ``engine`` begin with ``BEGIN IMMEDIATE``.

    Python's sqlite3 begins a transaction only at the first write, so Optuna's "read the
    WAITING trial, set it RUNNING" runs its read outside any lock and two processes both
    pop the same trial (optuna#4002: 25 of 200 popped twice). Taking sqlite's write lock
    at the start makes each transaction serial; the others wait (busy timeout, 60 s).
    PostgreSQL and MySQL lock the row themselves (SELECT ... FOR UPDATE).
    """
    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    engine.dispose()  # connections opened while creating the tables lack the setting


def memory_storage(url: str) -> optuna.storages.InMemoryStorage:
    """The in-memory storage of ``memory://<key>``: created at its first use, the same
    object for every later open of that URL in this process; ``forget`` drops it."""
    return _MEMORY.setdefault(url, optuna.storages.InMemoryStorage())


def forget(url: str) -> None:
    """Drop the in-memory storage of ``url`` (its studies are gone; no-op if none)."""
    _MEMORY.pop(url, None)


def make_storage(url: str, announce: bool = True) -> BaseStorage:
    """Read-write storage for a search at ``url``; files are created when absent.

    RDB storages ride out database outages (``nas.study.patience``); ``announce=False``
    keeps the lines saying so off stderr (the worker processes of ``--workers N``,
    whose parent says them once).
    """
    if url.startswith(MEMORY):
        return memory_storage(url)
    path = file_path(url)
    if path is not None and url.startswith("journal:"):
        path.parent.mkdir(parents=True, exist_ok=True)
        if files.head(path):  # an existing log must be Optuna's
            files.check_journal(path)
        return _journal(path)
    if path is not None:
        files.check_new_sqlite(path)  # unreadable, not SQLite, another program's database
        files.use_wal(path)
    explain = None if path is None else _disk_full(path.parent)
    return patient(_rdb(url, writable=True), url, reap_pause_s=reap_pause_s(),
                   explain=explain, say=say_stderr if announce else None)


def reap_pause_s() -> float:
    """Seconds after an outage during which no trial counts as heartbeat-stale: a live
    worker reconnects within one backoff (BACKOFF_MAX_S) and writes its heartbeat within
    one interval, and is given the grace period on top, as if it had written one at the
    server's return."""
    interval, grace = heartbeat_settings()
    return grace + interval + BACKOFF_MAX_S


def _disk_full(folder: Path) -> Callable[[BaseException], NasError | None]:
    """How a sqlite error of a search is explained: "no space left" when the file
    system holding the study is full (sqlite says "disk I/O error" or "database or disk
    is full"), else left as it is."""
    def explain(e: BaseException) -> NasError | None:
        return files.space_error(folder) if isinstance(root_cause(e), sqlite3.Error) else None
    return explain


def open_storage(target: str | Path) -> BaseStorage:
    """A reader's storage for ``target`` (no tables created, no heartbeat): a file path
    (sqlite or journal, told apart by content) or any storage URL (``journal:///file.log``
    as ``nas search`` writes it). Readers that annotate the study (report, retrain) check
    ``read_only`` first; on a read-only folder or file system the file opens immutable."""
    text = str(target)
    if text.startswith(MEMORY):
        return memory_storage(text)
    path = Path(text) if "://" not in text else file_path(text)
    if path is None:
        return _rdb(text, writable=False)
    if files.existing_kind(path) == "journal":
        return _journal(path)
    uri = files.immutable_uri(path.resolve())  # a read-only folder or file system
    if uri is not None:
        # SQLAlchemy unquotes the URL's database part once: keep SQLite's %XX intact
        return _rdb(f"sqlite:///{uri.replace('%', '%25')}&uri=true", writable=False)
    return _rdb(f"sqlite:///{path.resolve()}", writable=False)


def read_only(target: str | Path) -> bool:
    """True when ``target`` is a study file (or file URL) that cannot be written, so
    a reader must not try to write to it (``nas report`` attaching its figures)."""
    text = str(target)
    path = Path(text) if "://" not in text else file_path(text)
    return path is not None and path.exists() and not files.writable(path)


def study_names(storage: BaseStorage) -> list[str]:
    return sorted(optuna.get_all_study_names(storage))


def existing_attrs(storage: BaseStorage, name: str) -> dict[str, Any] | None:
    """The user attrs of study ``name`` in ``storage``; None when there is no such study
    yet (a search resolves its study-dependent defaults from them before creating it)."""
    if name not in study_names(storage):
        return None
    return optuna.load_study(study_name=name, storage=storage).user_attrs


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
    return optuna.load_study(study_name=resolve_name(storage, target, study_name),
                             storage=storage)


def _say_new_study(name: str, url: str, others: list[str]) -> None:
    """One stderr line when a search adds a study next to others: a mistyped --study
    must not silently start from zero in a storage that holds the intended one."""
    print(f"created a new study {name!r} in {safe_url(url)}, which also holds: "
          f"{', '.join(others)} (pass --study to resume one of those)", file=sys.stderr)


def _check_metrics(study: optuna.Study, names: list[str], url: str) -> None:
    """NasError if the study optimises other objectives than ``names`` (studies created
    before ``objective_names`` was an attr are told apart by their metric names)."""
    old = study.metric_names
    if old is not None and list(old) != names:
        raise NasError(f"study {study.study_name!r} in {safe_url(url)} optimises "
                       f"{', '.join(old)}, not {', '.join(names)}: rerun with the same "
                       "objective flags (--macs-objective, --latency-objective), or pick a "
                       "new --study")


def check_attrs(old: dict[str, Any], attrs: dict[str, Any], name: str, url: str) -> None:
    """NasError when study ``name`` was created with other ``attrs`` (space, budget,
    limits, objectives) than this search's: mixing them would corrupt its front."""
    for k, v in attrs.items():
        if k in old and old[k] != v:
            raise NasError(f"study {name!r} in {url} was created with {k}={old[k]!r}, not "
                           f"{v!r}: rerun with the same flags, or pick a new --study")


def create_study(storage: BaseStorage, url: str, name: str, directions: list[str],
                 attrs: dict[str, Any], recorded: dict[str, Any] | None = None,
                 metric_names: Sequence[str] | None = None) -> optuna.Study:
    """Create or resume study ``name``; NasError if it exists with other settings.

    ``attrs`` (space, budget, limits, objectives) are stored on a new study and compared
    on resume: mixing budgets or spaces in one study would corrupt its Pareto front.
    ``recorded`` (the data spec) is stored when missing and never compared.
    ``metric_names`` (one per direction; default ``METRIC_NAMES``) name the objectives in
    the dashboard and are compared on resume too: a study's values must mean one thing.
    """
    names = list(metric_names or METRIC_NAMES[:len(directions)])
    try:
        others = study_names(storage)
        study = optuna.create_study(storage=storage, study_name=name,
                                    directions=directions, load_if_exists=True)
    except Exception as e:
        raise NasError(f"cannot open study {name!r} in {url}: {one_line(e)}") from None
    if others and name not in others:
        _say_new_study(name, url, others)
    old = study.user_attrs
    if not old:
        for k, v in attrs.items():
            study.set_user_attr(k, v)
        study.set_metric_names(names)
    _check_metrics(study, names, url)  # first: it names the objectives, not just a count
    check_attrs(old, attrs, name, url)
    for k, v in (recorded or {}).items():
        if k not in old:
            study.set_user_attr(k, v)
    return study
