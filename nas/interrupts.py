"""Stop signals that must not be lost where Python swallows exceptions.

A signal handler that raises ``KeyboardInterrupt`` (Ctrl-C, SIGTERM, a worker's dead
parent) raises it wherever the main thread happens to be. Inside a weakref callback, a
``__del__`` or the garbage collector Python cannot propagate it: it prints "Exception
ignored in ..." with a traceback and goes on, so the process keeps working after its stop
signal. ``redeliver_swallowed`` makes such an interrupt happen again, silently, at the
next line of ordinary code.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

Hook = Callable[[Any], object]
REDELIVER_S = 0.05  # seconds before a swallowed stop signal is sent again


def redeliver_swallowed(sig: int, handler: Callable[[int, Any], None],
                        kind: type[BaseException]) -> Hook:
    """Install a ``sys.unraisablehook`` that, for a swallowed ``kind`` exception,
    re-installs ``handler`` for ``sig`` and sends ``sig`` to this process again (the
    handler then raises at a bytecode boundary after the hook returned); other
    unraisable exceptions go to the hook that was there. Returns that previous hook,
    for the caller to restore."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, kind):
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
