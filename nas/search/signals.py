"""SIGTERM handled like Ctrl-C: the running trial is marked FAIL and the search stops.

A scheduler or ``kill`` sends SIGTERM; Python's default dies at once (exit 143) and leaves
the running trial RUNNING with status ``training``, which ``nas report`` then counts as in
progress. Raising a ``KeyboardInterrupt`` subclass instead reuses the Ctrl-C path: Optuna
records the trial FAIL, the objective writes ``fail_reason``, the summary says so. Both
go through ``nas.interrupts.stop``, so neither cuts a database write in half.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

from nas.interrupts import redeliver_swallowed, stop

EXIT_TERMINATED = 143  # 128 + SIGTERM: what a shell and a scheduler expect


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived; a ``KeyboardInterrupt`` so every Ctrl-C handler applies."""

    reason = "SIGTERM"


def interrupt_reason(e: BaseException) -> str:
    """The ``fail_reason`` of a trial cut short by ``e``: names the signal that did it."""
    if str(e).startswith("interrupted"):  # says why already (a worker's parent died)
        return str(e)
    return f"interrupted ({getattr(e, 'reason', 'Ctrl-C')})"


def _raise_terminated(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not cut the FAIL write
    stop(Terminated())


def _raise_interrupt(signum: int, frame: Any) -> None:
    stop(KeyboardInterrupt())


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises ``Terminated``, and Ctrl-C (if Python's default
    handler has it) ``KeyboardInterrupt``, both held while a storage call runs
    (``nas.interrupts.stop``); no-op off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    hook = sys.unraisablehook
    old = signal.signal(signal.SIGTERM, _raise_terminated)
    redeliver_swallowed(signal.SIGTERM, _raise_terminated, Terminated)
    old_int = signal.getsignal(signal.SIGINT)
    if old_int is signal.default_int_handler:
        signal.signal(signal.SIGINT, _raise_interrupt)
        redeliver_swallowed(signal.SIGINT, _raise_interrupt, KeyboardInterrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)
        if old_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, old_int)
        sys.unraisablehook = hook  # the redelivery hooks off
