"""Many workers on one study: heartbeat settings, retry-once of dead trials, storage errors.

``nas.search.storage`` opens every storage through these helpers:

- ``heartbeat_kwargs()``: Optuna's heartbeat on RDB storages (sqlite, PostgreSQL, MySQL).
  A running trial records a heartbeat every ``NAS_HEARTBEAT_INTERVAL`` seconds (default
  10); one silent for ``NAS_GRACE_PERIOD`` seconds (default 40) belongs to a dead worker,
  and the next worker to start a trial marks it FAIL and re-queues it once
  (``RetryOnce``). Both are environment variables so that every worker of a study,
  spawned or on another machine, can be given the same values.
- ``fail_and_retry(study, trial)``: the same re-queueing for a trial failed by the local
  dead-process check (``fail_dead_local_trials``), so both ways of noticing a dead
  worker end the same way.
- ``check_sqlite_file(path)``: refuses unreadable files, non-SQLite files and other
  programs' SQLite databases before Optuna writes its tables into them.
- ``create_rdb(url, ...)``: ``RDBStorage`` retried while workers started at the same
  moment race to create the tables of a fresh database.
- ``storage_error(url, e)``: one line naming the driver's own reason (not SQLAlchemy's
  wrapper), with a hint on what to check when the server cannot be reached.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.trial import FrozenTrial, TrialState

from nas.errors import NasError

ENV_HEARTBEAT = "NAS_HEARTBEAT_INTERVAL"
ENV_GRACE = "NAS_GRACE_PERIOD"
HEARTBEAT_S = 10  # default seconds between heartbeats of a running trial
GRACE_S = 40  # default seconds of silence before a running trial counts as dead
MAX_RETRY = 1  # a dead worker's trial is re-queued once; a second death is final
# Per-run user attrs a retried trial must not inherit: who runs it and how far it got.
VOLATILE_ATTRS = ("worker", "status", "fail_reason", "curve", "val_acc", "epochs",
                  "train_seconds", "proxy")

CONNECT_HINT = ("is the database server running and reachable from this machine, and do "
                "the user, password and database in the URL exist? (see README, "
                "'Scaling out')")


def _env_seconds(name: str, default: int) -> int:
    text = os.environ.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise NasError(f"{name}={text!r}: expected a whole number of seconds >= 1")
    return value


def heartbeat_settings() -> tuple[int, int]:
    """(heartbeat interval, grace period) in seconds, from the environment or defaults.

    The grace period defaults to four heartbeats (40 s for the default 10 s interval).
    """
    interval = _env_seconds(ENV_HEARTBEAT, HEARTBEAT_S)
    grace = _env_seconds(ENV_GRACE, max(GRACE_S * interval // HEARTBEAT_S, 2 * interval))
    if grace <= interval:
        raise NasError(f"{ENV_GRACE}={grace} must exceed {ENV_HEARTBEAT}={interval}: a live "
                       "trial would be taken for dead between two heartbeats")
    return interval, grace


class RetryOnce(RetryHeartbeatStaleTrialCallback):
    """Optuna's retry callback (a WAITING copy of the dead trial, same parameters, so
    the same architecture) minus the dead run's per-run user attrs, at most ``max_retry``
    times per original trial."""

    def __init__(self, max_retry: int = MAX_RETRY) -> None:
        super().__init__(max_retry=max_retry)

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        attrs = {k: v for k, v in trial.user_attrs.items() if k not in VOLATILE_ATTRS}
        attrs["retry_of"] = trial.number
        clean = optuna.trial.create_trial(
            state=trial.state, params=trial.params, distributions=trial.distributions,
            user_attrs=attrs, system_attrs=trial.system_attrs, values=None)
        clean.number = trial.number
        super().__call__(study, clean)


def heartbeat_kwargs() -> dict[str, Any]:
    """Keyword arguments of ``RDBStorage`` turning the heartbeat and retry-once on."""
    interval, grace = heartbeat_settings()
    return {"heartbeat_interval": interval, "grace_period": grace,
            "heartbeat_stale_trial_callback": RetryOnce()}


def fail_and_retry(study: optuna.Study, trial: FrozenTrial) -> bool:
    """Mark a dead worker's RUNNING trial FAIL and re-queue it once, as Optuna does for a
    heartbeat-stale trial. False if another process finished or failed it first (then
    that process re-queues it: never twice)."""
    storage = study._storage
    try:
        ok = storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)
    except UpdateFinishedTrialError:
        return False
    if ok:
        RetryOnce()(study, storage.get_trial(trial._trial_id))
    return bool(ok)


SQLITE_MAGIC = b"SQLite format 3\x00"
OPTUNA_TABLES = {"studies", "trials", "version_info"}


def check_sqlite_file(path: Path) -> None:
    """NasError unless ``path`` can hold a study: absent (its folder is created), empty,
    or a readable SQLite database that is empty or already an Optuna one. Optuna would
    otherwise add its tables to another program's database."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            return
        if not path.is_file():
            raise NasError(f"{path}: not a file (pass a .db file path or a storage URL)")
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise NasError(f"{path}: cannot read ({e.strerror or type(e).__name__})") from None
    if head == b"":
        return
    if head != SQLITE_MAGIC:
        raise NasError(f"{path}: exists and is not a SQLite database (pass a new path or "
                       "an Optuna study .db)")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute(
                "select name from sqlite_master where type='table'")}
        finally:
            con.close()
    except sqlite3.Error as e:
        raise NasError(f"{path}: unreadable SQLite database ({e})") from None
    if tables and not tables >= OPTUNA_TABLES:
        raise NasError(f"{path}: a SQLite database of something else (tables: "
                       f"{', '.join(sorted(tables)[:5])}), not an Optuna study; pass "
                       "another --storage path")


CREATE_ATTEMPTS = 6  # tries at opening an RDB storage whose tables others create right now


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


def sample_in_study(space: Any, trial: optuna.Trial, budget: int) -> Any:
    """``space.sample(trial, budget)``; NasError (not a traceback) when the study was
    sampled from another version of the space file: a parameter name now offers other
    choices, which Optuna refuses in one study."""
    try:
        return space.sample(trial, budget)
    except ValueError as e:
        if "dynamic value space" not in str(e):
            raise
        asked = list(trial.params)
        raise NasError(f"study {trial.study.study_name!r} was sampled from another version "
                       f"of search space {space.name!r} (parameter after "
                       f"{asked[-1] if asked else 'the first'!r} now has other choices); "
                       "start a new --study for the changed space") from None


def root_cause(e: BaseException) -> BaseException:
    """The innermost exception of a ``raise ... from`` / implicit context chain."""
    seen = {id(e)}
    while True:
        nxt = e.__cause__ or e.__context__
        if nxt is None or id(nxt) in seen:
            return e
        seen.add(id(nxt))
        e = nxt


def storage_error(url: str, e: BaseException, help: str = "") -> NasError:
    """A one-line NasError for a storage that cannot be opened, with a hint (``help`` is
    appended when the problem is not reaching the server, e.g. the URL's form)."""
    cause = root_cause(e)
    lines = str(cause).strip().splitlines()
    reason = lines[0] if lines else type(cause).__name__
    if reason.startswith("(") and ") " in reason:  # sqlalchemy's "(psycopg.X) ..." prefix
        reason = reason.split(") ", 1)[1]
    name = type(cause).__name__
    module = type(cause).__module__ or ""
    connecting = name == "OperationalError" or "connect" in reason.lower()
    if isinstance(cause, ModuleNotFoundError):
        hint = (f"install the database driver (pip install -e '.[postgres]' for "
                f"PostgreSQL): {reason}")
        return NasError(f"cannot open storage {_safe(url)}: {hint}")
    if connecting and not module.startswith("sqlite"):
        return NasError(f"cannot connect to storage {_safe(url)}: {reason}; {CONNECT_HINT}")
    return NasError(f"cannot open storage {_safe(url)}: {reason}" + (f" ({help})" if help
                                                                      else ""))


def _safe(url: str) -> str:
    """The URL with its password masked, for messages."""
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in creds:
        return url
    return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
