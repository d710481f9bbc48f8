"""Riding out storage outages: a search's Optuna storage, retried while its server is away.

A search left running overnight on several machines must survive a database restart.
``PatientStorage`` wraps the RDB storage a search writes to (everything else in ``nas``
is unchanged): a call that fails because the server cannot be reached is retried with
backoff for ``NAS_STORAGE_PATIENCE`` seconds (default 600), so a worker whose trial
finished during the outage keeps the result in memory and writes it when the server is
back. One stderr line says when the connection drops and one when it returns; past the
limit the call raises ``StorageUnavailable`` (a ``NasError``: one line, exit 2).

Optuna's heartbeat thread goes through ``record_heartbeat``, which never raises: a
heartbeat that cannot be written is skipped (the next comes one interval later).
Because nobody's heartbeat can be written during an outage, a worker that saw one does
not reap heartbeat-stale trials until every live worker has had time to reconnect.

SQLite has no server to wait for: its errors pass at once, except a full file system,
said as such (``files.space_error``).
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from collections.abc import Callable, Container, Sequence
from typing import Any, TypeVar

import sqlalchemy.exc
from optuna.exceptions import UpdateFinishedTrialError
from optuna.storages import BaseStorage, RDBStorage
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

from nas.errors import NasError
from nas.interrupts import atomic
from nas.study.adapter import HeartbeatStorage, cached, stale_trial_ids
from nas.study.errors import one_line, root_cause, safe_url

ENV_PATIENCE = "NAS_STORAGE_PATIENCE"
PATIENCE_S = 600  # default seconds a search waits for its database server to come back
BACKOFF_START_S = 0.5  # first wait between retries, doubled after each failure ...
BACKOFF_MAX_S = 5.0  # ... up to this: a live worker reconnects within 5 s of the return
T = TypeVar("T")


class StorageUnavailable(NasError):
    """The storage stayed unreachable for longer than the patience."""


def patience_seconds() -> int:
    """``NAS_STORAGE_PATIENCE`` (whole seconds >= 0; 0: give up at the first failure)."""
    text = os.environ.get(ENV_PATIENCE, "")
    if text == "":
        return PATIENCE_S
    if not text.isdigit():
        raise NasError(f"{ENV_PATIENCE}={text!r}: expected a whole number of seconds >= 0")
    return int(text)


def is_connection_error(e: BaseException) -> bool:
    """True when ``e`` (or an exception it was raised from) says the database server
    cannot be reached or dropped the connection: SQLAlchemy's OperationalError and
    InterfaceError (refused, reset, shut down, starting up, deadlock retried) or any
    error that invalidated the connection. Optuna wraps them in StorageInternalError."""
    seen: set[int] = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError):
            return True
        if isinstance(e, sqlalchemy.exc.DBAPIError) and e.connection_invalidated:
            return True
        e = e.__cause__ or e.__context__  # type: ignore[assignment]
    return False


def reason(e: BaseException) -> str:
    """The database driver's own first line ("connection refused", "server closed the
    connection unexpectedly"), else that of the innermost exception."""
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, sqlalchemy.exc.DBAPIError) and cur.orig is not None:
            return one_line(cur.orig)
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return one_line(root_cause(e))


def duration(seconds: float) -> str:
    """``10 min`` or ``45 s``: how a time limit reads in a message."""
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)} min"
    return f"{seconds:.0f} s"


def say_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Outage:
    """When this process lost its storage (shared by the main and heartbeat threads),
    so that each drop and each return is said once and the patience counts from the
    first failure, whichever thread saw it."""

    def __init__(self, url: str, patience_s: float, say: Callable[[str], None] | None
                 ) -> None:
        self.url, self.patience_s, self.say = safe_url(url), patience_s, say
        self.since: float | None = None  # monotonic time of the first failed call
        self.back_at: float | None = None  # monotonic time the last outage ended
        self._lock = threading.Lock()

    def failed(self, e: BaseException) -> float:
        """Record a failed call; seconds since the outage began (the drop said once)."""
        now = time.monotonic()
        with self._lock:
            if self.since is None:
                self.since = now
                self._say(f"storage {self.url} unreachable ({reason(e)}); retrying for up to "
                          f"{duration(self.patience_s)} ({ENV_PATIENCE}), running trials "
                          "keep their results until it is back")
            return now - self.since

    def succeeded(self) -> None:
        """Record a call that worked: ends an outage (said once)."""
        if self.since is None:  # the common case, without taking the lock
            return
        now = time.monotonic()
        with self._lock:
            if self.since is not None:
                self._say(f"storage {self.url} reachable again after "
                          f"{now - self.since:.0f} s; carrying on")
                self.since, self.back_at = None, now

    def recent(self, within_s: float) -> bool:
        """True during an outage and for ``within_s`` seconds after its end."""
        with self._lock:
            if self.since is not None:
                return True
            return self.back_at is not None and time.monotonic() - self.back_at < within_s

    def give_up(self, e: BaseException) -> StorageUnavailable:
        return StorageUnavailable(
            f"storage {self.url} unreachable for over {duration(self.patience_s)} "
            f"({ENV_PATIENCE}): {reason(e)}; finished trials are kept; rerun the same "
            "command once the server is back (a trial cut short is retried)")

    def _say(self, line: str) -> None:
        if self.say is not None:
            self.say(line)


def backoff(attempt: int) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): doubling, capped, jittered so
    that workers do not all reconnect at the same instant."""
    return min(BACKOFF_MAX_S, BACKOFF_START_S * 2 ** attempt) * random.uniform(0.5, 1.0)


class PatientStorage(HeartbeatStorage):
    """An Optuna storage that delegates every call to ``inner`` (Optuna's cached RDB
    storage), retrying it while the database server is unreachable.

    ``transient(e)`` tells an outage (retried) from any other error (raised at once,
    after ``explain(e)`` has had the chance to turn it into a one-line ``NasError``).
    ``reap_pause_s``: after an outage, seconds during which no trial counts as
    heartbeat-stale (others' heartbeats could not be written either).

    Retrying is safe for every write but two, when the server committed it and the
    connection broke before the reply: a final state write is recognised as done
    (``set_trial_state_values``); a created trial, or a WAITING one set RUNNING, is
    created again or taken for another worker's, and the first stays RUNNING without a
    heartbeat, never trained (it holds no training slot).
    """

    def __init__(self, inner: BaseStorage, outage: Outage, reap_pause_s: float,
                 transient: Callable[[BaseException], bool] = is_connection_error,
                 explain: Callable[[BaseException], NasError | None] | None = None) -> None:
        self.inner, self.outage, self.reap_pause_s = inner, outage, reap_pause_s
        self.transient, self.explain = transient, explain

    def call(self, fn: Callable[..., T], *args: Any,
             after_retry: Callable[[Exception], T] | None = None, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``, retried with backoff while the server is away.

        ``after_retry(e)`` handles an error ``e`` that a retried call raised (for a
        write that committed just before the connection broke); it returns the call's
        result or raises.
        """
        attempt = 0
        while True:
            try:
                with atomic():  # a Ctrl-C waits for the transaction to end
                    result = fn(*args, **kwargs)
            except Exception as e:
                if not self.transient(e):
                    if attempt and after_retry is not None:
                        return after_retry(e)
                    told = self.explain(e) if self.explain is not None else None
                    if told is not None:
                        raise told from None
                    raise
                self._wait(e, attempt)
                attempt += 1
                continue
            self.outage.succeeded()
            return result

    def _wait(self, e: Exception, attempt: int) -> None:
        """Sleep before the next try; StorageUnavailable once the patience is spent.

        Ctrl-C (or SIGTERM) while waiting also ends the patience of this outage: the
        interrupted search's clean-up writes (the trial's FAIL) then fail at once
        instead of waiting out the rest of it.
        """
        down_s = self.outage.failed(e)
        left = self.outage.patience_s - down_s
        if left <= 0:
            raise self.outage.give_up(e) from None
        try:
            time.sleep(min(left, backoff(attempt)))
        except KeyboardInterrupt:
            self.outage.patience_s = min(self.outage.patience_s, down_s)
            raise

    # -- heartbeat: never raises, never waits ---------------------------------------------
    def record_heartbeat(self, trial_id: int) -> None:
        """Record the heartbeat of a running trial, on Optuna's heartbeat thread.

        Never raises (an exception there prints a traceback and stops the heartbeats)
        and never waits: a heartbeat that cannot be written is skipped. A lost
        connection is said once (the main thread may be busy training); other errors,
        such as a full disk, are left to the next write of the main thread to report.
        """
        try:
            self.inner.record_heartbeat(trial_id)  # type: ignore[attr-defined]
        except Exception as e:
            if self.transient(e):
                self.outage.failed(e)
            return
        self.outage.succeeded()

    def stale_trial_ids(self, study_id: int) -> list[int]:
        """Heartbeat-stale trials, none during and shortly after an outage: live workers
        could not write their heartbeats then, and need up to one backoff plus one
        heartbeat interval after the server's return to write one."""
        if self.outage.recent(self.reap_pause_s):
            return []
        return self.call(stale_trial_ids, self.inner, study_id)

    def get_heartbeat_interval(self) -> int | None:
        return self.inner.get_heartbeat_interval()  # type: ignore[attr-defined]

    def get_heartbeat_stale_trial_callback(
            self) -> Callable[[Any, FrozenTrial], None] | None:
        return self.inner.get_heartbeat_stale_trial_callback()  # type: ignore[attr-defined]

    # -- writes whose retry could repeat a committed write -------------------------------
    def set_trial_state_values(self, trial_id: int, state: TrialState,
                               values: Sequence[float] | None = None) -> bool:
        """Optuna's state write. If the connection broke after the server committed it,
        the retry finds the trial finished: that is this write, done, when the trial
        is in ``state`` (only the worker running a trial finishes it with a result)."""
        def landed(e: Exception) -> bool:
            if isinstance(e, UpdateFinishedTrialError) and state.is_finished() and \
                    self.get_trial(trial_id).state == state:
                return True
            raise e
        return self.call(self.inner.set_trial_state_values, trial_id, state, values,
                         after_retry=landed)

    # -- everything else: plain delegation, retried --------------------------------------
    def create_new_study(self, directions: Sequence[StudyDirection],
                         study_name: str | None = None) -> int:
        return self.call(self.inner.create_new_study, directions, study_name)

    def delete_study(self, study_id: int) -> None:
        self.call(self.inner.delete_study, study_id)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self.call(self.inner.set_study_user_attr, study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self.call(self.inner.set_study_system_attr, study_id, key, value)

    def get_study_id_from_name(self, study_name: str) -> int:
        return self.call(self.inner.get_study_id_from_name, study_name)

    def get_study_name_from_id(self, study_id: int) -> str:
        return self.call(self.inner.get_study_name_from_id, study_id)

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        return self.call(self.inner.get_study_directions, study_id)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return self.call(self.inner.get_study_user_attrs, study_id)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return self.call(self.inner.get_study_system_attrs, study_id)

    def get_all_studies(self) -> list[Any]:  # FrozenStudy: not in Optuna's public API
        return self.call(self.inner.get_all_studies)

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None
                         ) -> int:
        return self.call(self.inner.create_new_trial, study_id, template_trial)

    def set_trial_param(self, trial_id: int, param_name: str, param_value_internal: float,
                        distribution: Any) -> None:
        self.call(self.inner.set_trial_param, trial_id, param_name, param_value_internal,
                  distribution)

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int
                                                ) -> int:
        return self.call(self.inner.get_trial_id_from_study_id_trial_number, study_id,
                         trial_number)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        return self.call(self.inner.get_best_trial, study_id)

    def set_trial_intermediate_value(self, trial_id: int, step: int,
                                     intermediate_value: float) -> None:
        self.call(self.inner.set_trial_intermediate_value, trial_id, step, intermediate_value)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self.call(self.inner.set_trial_user_attr, trial_id, key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self.call(self.inner.set_trial_system_attr, trial_id, key, value)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        return self.call(self.inner.get_trial, trial_id)

    def get_all_trials(self, study_id: int, deepcopy: bool = True,
                       states: Container[TrialState] | None = None) -> list[FrozenTrial]:
        return self.call(self.inner.get_all_trials, study_id, deepcopy=deepcopy,
                         states=states)

    def remove_session(self) -> None:
        self.call(self.inner.remove_session)


def patient(rdb: RDBStorage, url: str, reap_pause_s: float,
            explain: Callable[[BaseException], NasError | None] | None = None,
            say: Callable[[str], None] | None = say_stderr) -> PatientStorage:
    """``rdb`` as a search uses it: Optuna's per-process cache (what ``optuna.load_study``
    would wrap it in) inside a ``PatientStorage``. SQLite has no server to wait for:
    nothing is retried there."""
    server = not url.startswith("sqlite")
    outage = Outage(url, patience_seconds() if server else 0, say)
    return PatientStorage(cached(rdb), outage, reap_pause_s,
                          transient=is_connection_error if server else lambda e: False,
                          explain=explain)
