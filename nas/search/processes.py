"""Worker processes of ``nas search --workers N``: spawn, watch, stop cleanly.

Each worker is a spawned process that runs ``body(config, worker)`` (the search loop,
``nas.search.runner.work_in_process``) with its signals armed: a parent that dies
(``kill -9``) or a Ctrl-C stops it cleanly, its running trial recorded FAIL. The study is
the only shared state, so the parent only shows progress, forwards Ctrl-C, and reports a
worker's one-line error once.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

import optuna
import torch

from nas.errors import NasError
from nas.interrupts import redeliver_swallowed, stop
from nas.search.progress import Monitor
from nas.search.signals import sigterm_as_interrupt
from nas.study.workers import die_with_parent, fail_dead_local_trials

if TYPE_CHECKING:
    from nas.search.config import SearchConfig

POLL_S = 2.0  # seconds between study reads while waiting for other workers
EXIT_ERROR = 2  # a worker process stopped by a one-line error (its parent prints it)

Body = Callable[["SearchConfig", int], None]  # (config, worker index): a module-level function


def run_workers(body: Body, config: SearchConfig, study: optuna.Study,
                monitor: Monitor) -> list[tuple[int, int | None]]:
    """Run ``config.workers`` processes of ``body`` until all exit, showing the study's
    progress; the (worker, exit code) of those that crashed. A worker's one-line error is
    raised here as ``NasError``; Ctrl-C is forwarded, waited for, and re-raised."""
    ctx = mp.get_context("spawn")
    threads = max(1, (os.cpu_count() or 1) // config.workers)
    # one pipe per worker for its one-line error (no semaphore: a SIGKILLed parent
    # leaves nothing for multiprocessing's resource tracker to warn about)
    pipes = [ctx.Pipe(duplex=False) for _ in range(config.workers)]
    procs = [ctx.Process(target=_worker_main, args=(body, config, i, threads, pipes[i][1]),
                         daemon=False) for i in range(config.workers)]
    for p in procs:
        p.start()
    try:
        _watch(procs, study, monitor)
    except KeyboardInterrupt:
        for p in procs:  # a terminal's Ctrl-C reached them too, a `kill -INT` did not
            if p.is_alive() and p.pid is not None:
                os.kill(p.pid, signal.SIGINT)
        for p in procs:  # each marks its running trial FAIL and exits
            p.join(timeout=30)
        # a signal landing inside Optuna's own state write leaves that trial RUNNING
        fail_dead_local_trials(study)
        raise
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join()
    told = [r.recv() for r, _ in pipes if r.poll()]
    if told:  # a worker's one-line error, said once
        raise NasError(told[0])
    return [(i, p.exitcode) for i, p in enumerate(procs) if p.exitcode not in (0, None)]


def _worker_main(body: Body, config: SearchConfig, worker: int, threads: int,
                 errors: Connection) -> None:
    """Entry point of a worker process (spawned): quiet, its trials show in the study.

    A one-line error (``NasError``: the storage gone for good, a full disk) goes to the
    parent through ``errors``, which prints it once, and the worker exits 2 without a
    traceback; the parent also says when the storage drops and returns.
    """
    try:
        _worker_loop(body, config, worker, threads)
    except NasError as e:
        errors.send(str(e))
        sys.exit(EXIT_ERROR)


def _worker_loop(body: Body, config: SearchConfig, worker: int, threads: int) -> None:
    """Arm the signals, then run ``body``: a parent that dies (or a Ctrl-C) while this
    process still starts up stops it just as cleanly."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    torch.set_num_threads(threads)
    signal.signal(signal.SIGINT, _interrupt_once)
    redeliver_swallowed(signal.SIGINT, _interrupt_once, KeyboardInterrupt)
    try:
        die_with_parent()  # a SIGKILLed `nas search` must not leave its workers training
        with sigterm_as_interrupt():  # a TERM sent to the whole process group
            body(config, worker)
    except KeyboardInterrupt:
        pass
    except Exception as e:
        # An interrupt that lands inside Optuna's own write of a trial state surfaces as
        # an unrelated error (UnboundLocalError in optuna 5); it is still a clean stop.
        if not isinstance(e.__context__, KeyboardInterrupt):
            raise
    finally:  # done or stopped: the parent's forwarded SIGINT must not hit atexit hooks
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupt_once(signum: int, frame: Any) -> None:
    """A terminal's Ctrl-C reaches a worker, then the parent forwards another: only the
    first may interrupt, or the second cuts short the write that marks the trial FAIL."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop(KeyboardInterrupt())


def _watch(procs: list[Any], study: optuna.Study, monitor: Monitor) -> None:
    """Show the study's progress until every worker process has exited. If the storage
    fails for good here too, the workers fail on it as well and report it: stop
    reading, keep waiting."""
    reading = True
    while any(p.is_alive() for p in procs):
        if reading:
            try:
                monitor.update(study.get_trials(deepcopy=False))
            except NasError:
                reading = False
        time.sleep(POLL_S / 2)


def device_of(device: str | None, worker: int) -> str | None:
    """One device per worker, round robin over the CUDA devices, unless one is forced."""
    if device is None and torch.cuda.is_available() and torch.cuda.device_count() > 1:
        return f"cuda:{worker % torch.cuda.device_count()}"
    return device
