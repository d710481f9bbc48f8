"""Stop signals that neither cut a database write in half nor get lost.

A signal handler that raises ``KeyboardInterrupt`` (Ctrl-C, SIGTERM, a worker's dead
parent) raises it wherever the main thread happens to be. Two places go wrong:

- **Inside a storage call** it can leave a transaction open (sqlite's write lock held
  by a connection nobody uses: every later write of every worker waits, then fails with
  "database is locked") or surface from Optuna as an unrelated error. Handlers call
  ``stop(exc)``, which inside an ``atomic()`` block holds the exception until the block
  ends; the storage wrapper runs every call in one.
- **Inside a weakref callback, a ``__del__`` or the garbage collector** Python cannot
  propagate it: it prints "Exception ignored in ..." with a traceback and goes on, so
  the process keeps working after its stop signal. ``redeliver_swallowed`` makes such an
  interrupt happen again, silently, at the next line of ordinary code.

A whole ``study.optimize`` call is one ``atomic()`` block with an ``interruptible()``
hole for the objective: a stop that lands between Optuna creating a trial and the
objective starting (or while Optuna writes the trial's end state) is raised at the
objective's first line, where the trial is marked FAIL, never left RUNNING.

Only the main thread runs signal handlers, so only its ``atomic()`` blocks count.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Hook = Callable[[Any], object]
REDELIVER_S = 0.05  # seconds before a swallowed stop signal is sent again


def redeliver_swallowed(sig: int, handler: Callable[[int, Any], None],
                        kind: type[BaseException]) -> Hook:
    """Install a ``sys.unraisablehook`` that, for a swallowed exception of exactly type
    ``kind`` (so that hooks for ``KeyboardInterrupt`` and for its subclasses each resend
    their own signal), re-installs ``handler`` for ``sig`` and sends ``sig`` to this
    process again (the handler then raises at a bytecode boundary after the hook
    returned); other unraisable exceptions go to the hook that was there. Returns that
    previous hook, for the caller to restore."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if type(unraisable.exc_value) is kind:
            signal.signal(sig, handler)
            # sent a moment later from a thread, so that it lands after this hook returns
            # (raised in the hook, it would be swallowed again); swallowed again anyway,
            # it comes back here
            timer = threading.Timer(REDELIVER_S, os.kill, (os.getpid(), sig))
            timer.daemon = True
            timer.start()
            return
        previous(unraisable)

    sys.unraisablehook = hook
    return previous


class _Held:
    depth = 0  # nesting of atomic() blocks on the main thread
    pending: BaseException | None = None  # the first stop that arrived inside one


def stop(exc: BaseException) -> None:
    """Raise ``exc`` (from a signal handler) now, or, inside an ``atomic()`` block of the
    main thread, as soon as the block ends."""
    if _Held.depth and threading.current_thread() is threading.main_thread():
        _Held.pending = _Held.pending or exc
        return
    raise exc


@contextmanager
def atomic() -> Iterator[None]:
    """A block that ``stop`` does not cut (one storage call: a database transaction); a
    stop that arrived inside is raised when the outermost block ends. A no-op off the
    main thread (Optuna's heartbeat thread writes too)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _Held.depth += 1
    try:
        yield
    finally:
        _Held.depth -= 1
        if _Held.depth == 0:
            _raise_held()


@contextmanager
def interruptible() -> Iterator[None]:
    """A hole in the enclosing ``atomic()`` blocks where ``stop`` raises at once (an
    objective's body: training must stop on Ctrl-C). A stop held before the hole is
    raised on entering it; storage calls inside are ``atomic()`` again. A no-op off the
    main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved, _Held.depth = _Held.depth, 0
    try:
        _raise_held()
        yield
    finally:
        _Held.depth = saved


def _raise_held() -> None:
    """Raise the stop held by an ``atomic()`` block, if any, and forget it."""
    if _Held.pending is not None:
        exc, _Held.pending = _Held.pending, None
        raise exc
