"""Many workers on one study: training slots, the claim, reaping dead workers, retry-once.

- **Slots.** ``--trials`` is the number of counted (trained) trials wanted; a RUNNING
  trial whose status is ``training`` holds one slot (``TrialRecord.holds_slot``).
- **Claim** (``claim``): write-then-read, so of two workers racing for the last slot or
  for the same architecture, the one that reads second backs off.
- **Reaping.** On RDB storages (sqlite, PostgreSQL, MySQL) a running trial records a
  heartbeat every ``NAS_HEARTBEAT_INTERVAL`` seconds (default 10); one silent for
  ``NAS_GRACE_PERIOD`` seconds (default 40) belongs to a dead worker and the next worker
  to start a trial fails it (``fail_stale``). A trial whose ``host:pid`` worker is on
  this host and gone is failed at once, on any storage (``fail_dead_local_trials``);
  one that never recorded a worker (killed within milliseconds of starting) is failed
  after the grace period (``fail_unclaimed``).
- **Parent death** (``die_with_parent``): a worker process of ``--workers N`` stops, as
  if interrupted, when the ``nas search`` that spawned it dies, even by SIGKILL.
- **Retry once.** Either way a dead worker's trial is re-queued once (``RetryOnce``): a
  WAITING copy with the same parameters, so the same architecture, trained again by
  whichever worker is free. Both times are environment variables so that every worker
  of a study, spawned or on another machine, can be given the same values.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import socket
import sys
import threading
import time
from datetime import datetime
from types import FrameType
from typing import Any

import optuna
from optuna.storages import RetryHeartbeatStaleTrialCallback
from optuna.trial import FrozenTrial, TrialState

from nas.errors import NasError
from nas.interrupts import redeliver_swallowed, stop
from nas.study.adapter import fail_running, set_running_attrs, stale_running
from nas.study.record import (
    NOT_TRAINED,
    VOLATILE,
    Status,
    TrialRecord,
    as_record,
    records,
    write,
)

ENV_HEARTBEAT = "NAS_HEARTBEAT_INTERVAL"
ENV_GRACE = "NAS_GRACE_PERIOD"
HEARTBEAT_S = 10  # default seconds between heartbeats of a running trial
GRACE_S = 40  # default seconds of silence before a running trial counts as dead
MAX_RETRY = 1  # a dead worker's trial is re-queued once; a second death is final
PARENT_POLL_S = 1.0  # seconds between parent checks where prctl is not available
PR_SET_PDEATHSIG = 1  # linux/prctl.h


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
        attrs = {k: v for k, v in trial.user_attrs.items() if k not in VOLATILE}
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


def fail_and_retry(study: optuna.Study, trial: FrozenTrial, reason: str,
                   retry: bool = True) -> bool:
    """Mark a dead worker's RUNNING trial FAIL (status ``failed``, ``fail_reason`` =
    ``reason``, so that ``nas report`` does not count it as still training) and, with
    ``retry``, re-queue it once, as Optuna does for a heartbeat-stale trial. False if
    another process finished or failed it first (then that process re-queues it: never
    twice)."""
    if not set_running_attrs(study, trial, {"status": str(Status.FAILED),
                                            "fail_reason": reason}):
        return False
    failed = fail_running(study, trial)
    if failed is not None and retry:
        RetryOnce()(study, failed)
    return failed is not None


def requeue_interrupted(study: optuna.Study) -> list[int]:
    """Queue again, once, each architecture whose trial was cut short by Ctrl-C, SIGTERM
    or a dead parent (``fail_reason`` 'interrupted ...') and that no other trial holds
    (counted, running, waiting or re-queued before). The user stopped the search, the
    candidate did not fail: without this, a rerun would never train it, and an ``sh``
    run killed at epoch 15 of 20 would not resume from its checkpoint. Returns the
    numbers of the trials re-queued (each gets a WAITING copy with ``retry_of``)."""
    recs = records(study.get_trials(deepcopy=False))
    held = {r.arch_id for r in recs if r.arch_id and (
        r.is_counted or r.state in (TrialState.RUNNING, TrialState.WAITING))}
    done = {r.retry_of for r in recs if r.retry_of is not None}
    out = []
    for r in recs:
        if (r.state != TrialState.FAIL or not (r.fail_reason or "").startswith("interrupted")
                or r.trial is None or not r.arch_id or r.arch_id in held or r.number in done):
            continue
        attrs = {k: v for k, v in r.trial.user_attrs.items() if k not in VOLATILE}
        study.enqueue_trial(r.trial.params, user_attrs={**attrs, "retry_of": r.number})
        held.add(r.arch_id)
        out.append(r.number)
    return out


def fail_dead_local_trials(study: optuna.Study) -> list[int]:
    """Fail RUNNING trials started on this host by a process that no longer exists.

    After a SIGKILL the killed trial stays RUNNING; with heartbeats it would be failed
    after the grace period, without (journal storage) never. Numbers of the failed trials.
    """
    host = socket.gethostname()
    failed = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        h, _, pid = (as_record(t).worker or "").rpartition(":")
        # failed like a heartbeat-stale trial, and re-queued once
        if h == host and pid.isdigit() and not _alive(int(pid)) and \
                fail_and_retry(study, t, f"worker {pid} on {host} died"):
            failed.append(t.number)
    return failed


def fail_unclaimed(study: optuna.Study, now: datetime | None = None) -> list[int]:
    """Fail RUNNING trials that recorded no worker within the grace period.

    The objective writes its ``host:pid`` a few milliseconds after Optuna creates the
    trial; a worker killed in between leaves a trial with neither a worker to look up
    nor a heartbeat (Optuna's stale check skips trials that never beat), RUNNING for
    ever. Past the grace period (by ``datetime_start``, the creating host's clock) it is
    dead. A popped re-queued trial (``fixed_params``) is re-queued again, within the
    retry-once limit; a fresh one had sampled nothing, so nothing is lost. Numbers of the
    failed trials."""
    _, grace = heartbeat_settings()
    now = now or datetime.now()
    failed = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if as_record(t).worker is not None or t.datetime_start is None:
            continue
        silent = (now - t.datetime_start).total_seconds()
        if silent > grace and fail_and_retry(
                study, t, f"worker died before recording itself ({silent:.0f} s ago)",
                retry="fixed_params" in t.system_attrs):
            failed.append(t.number)
    return failed


def fail_own_running(study: optuna.Study, reason: str) -> list[int]:
    """Best effort, after this process lost its storage (a full disk, a server gone for
    good): record its own RUNNING trials FAIL with ``reason`` and re-queue them once.
    When the storage refuses that too, nothing is said: the next search on this host
    fails them as trials of a dead worker."""
    me = worker_id()
    try:
        mine = [t for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                if as_record(t).worker == me]
        return [t.number for t in mine if fail_and_retry(study, t, reason)]
    except Exception:  # the storage that just failed: the rerun reaps them
        return []


def fail_heartbeat_stale(study: optuna.Study) -> list[int]:
    """Optuna's heartbeat check (a no-op without heartbeats), each trial failed with
    the reason written on it; numbers of the failed trials."""
    _, grace = heartbeat_settings()
    return [t.number for t in stale_running(study)
            if fail_and_retry(study, t, f"heartbeat stale for over {grace} s")]


def fail_stale(study: optuna.Study) -> None:
    """``fail_dead_local_trials`` (first: its reason names the dead worker), then
    ``fail_heartbeat_stale`` and ``fail_unclaimed``."""
    fail_dead_local_trials(study)
    fail_heartbeat_stale(study)
    fail_unclaimed(study)


def slots(trials: list[TrialRecord]) -> tuple[int, int]:
    """(counted trials, RUNNING trials holding a training slot)."""
    counted = sum(1 for r in trials if r.is_counted)
    return counted, sum(1 for r in trials if r.holds_slot) - counted


def _claimed(trials: list[TrialRecord], me: int) -> int:
    """Training slots held by trials other than ``me``."""
    return sum(1 for r in trials if r.number != me and r.holds_slot)


def _back_off(trial: optuna.Trial, status: Status, reason: str, **attrs: Any) -> None:
    write(trial, status=status, **attrs, **NOT_TRAINED)
    raise optuna.TrialPruned(reason)


def claim(trial: optuna.Trial, seen: list[TrialRecord], arch_id: str, target: int) -> None:
    """Take a training slot for ``trial`` (architecture ``arch_id``) unless ``target``
    slots are already taken; else the trial is pruned (``surplus`` or ``in_flight``).

    Write-then-read: the claim is written before the others' are counted, so of two
    workers racing for the last slot, or for the same architecture, the one that reads
    second sees both claims and backs off. (If both read after both wrote, both back
    off: a lost sample, never an architecture trained twice.) ``seen`` is the study as
    read before the claim.
    """
    if _claimed(seen, trial.number) >= target:
        _back_off(trial, Status.SURPLUS, "target already reached")
    write(trial, status=Status.TRAINING)
    after = records(trial.study.get_trials(deepcopy=False))
    if _claimed(after, trial.number) >= target:
        _back_off(trial, Status.SURPLUS, "target reached by other workers")
    twin = next((r for r in after if r.number != trial.number and r.arch_id == arch_id
                 and r.holds_slot), None)
    if twin is not None:  # a twin may also have finished since `seen` was read
        _back_off(trial, Status.IN_FLIGHT, f"trial {twin.number} is training this "
                  "architecture", duplicate_of=twin.number)


class ParentDied(KeyboardInterrupt):
    """The ``nas search`` that spawned this worker process died."""


def die_with_parent() -> None:
    """Interrupt this worker process (KeyboardInterrupt, so that its running trial is
    recorded FAIL with the reason) as soon as its parent process dies.

    A SIGKILLed ``nas search --workers N`` cannot stop its workers itself; left alone
    they would go on training unseen. Linux delivers a signal on parent death
    (``prctl(PR_SET_PDEATHSIG)``); elsewhere a thread polls the parent pid every
    ``PARENT_POLL_S`` seconds. No-op in a process that multiprocessing did not start.
    """
    parent = mp.parent_process()
    sig = getattr(signal, "SIGUSR1", None)
    if parent is None or parent.pid is None or sig is None:
        return
    ppid = parent.pid

    def parent_died(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # nothing may cut the FAIL write
        signal.signal(sig, signal.SIG_IGN)
        stop(ParentDied(f"interrupted: parent process {ppid} died"))

    signal.signal(sig, parent_died)
    redeliver_swallowed(sig, parent_died, ParentDied)  # raised in a weakref callback
    if not _set_pdeathsig(sig):
        threading.Thread(target=_watch_parent, args=(ppid, sig), daemon=True).start()
    if os.getppid() != ppid:  # it died before the signal was armed
        os.kill(os.getpid(), sig)


def _set_pdeathsig(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(ppid: int, sig: int) -> None:
    while os.getppid() == ppid:
        time.sleep(PARENT_POLL_S)
    os.kill(os.getpid(), sig)
