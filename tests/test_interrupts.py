"""A stop signal raised inside a weakref callback is delivered again, not lost.

Run in a fresh interpreter: pytest installs its own ``sys.unraisablehook``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import os, signal, sys, time, weakref
from nas.interrupts import redeliver_swallowed

class Stop(KeyboardInterrupt):
    pass

def handler(signum, frame):
    signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    raise Stop("stop")

class Thing:
    pass

def callback(ref):
    if MODE == "other":
        raise ValueError("not a stop")
    os.kill(os.getpid(), signal.SIGUSR2)  # the handler runs here, inside the callback
    sum(range(1000))

signal.signal(signal.SIGUSR2, handler)
if MODE != "bare":
    redeliver_swallowed(signal.SIGUSR2, handler, Stop)
if MODE == "chained":  # a Ctrl-C hook on top must leave the subclass to its own hook
    redeliver_swallowed(signal.SIGINT, signal.default_int_handler, KeyboardInterrupt)
try:
    thing = Thing()
    ref = weakref.ref(thing, callback)
    del thing  # runs the callback: Python swallows what it raises
    time.sleep(2)  # the re-sent signal arrives from a thread
    print("went on")
except Stop:
    print("stopped")
"""


def _run(mode: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", f"MODE = {mode!r}\n{SCRIPT}"],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("mode, out, ignored", [
    ("bare", "went on", True),  # what Python does alone: the stop is lost
    ("hooked", "stopped", False),  # raised again, at the next ordinary line, silently
    ("chained", "stopped", False),  # by the hook of its own type, not Ctrl-C's
    ("other", "went on", True),  # other swallowed exceptions still reach the old hook
])
def test_a_swallowed_stop_is_raised_again(mode, out, ignored):
    p = _run(mode)
    assert p.stdout.strip() == out, p.stderr
    assert ("Exception ignored" in p.stderr) == ignored, p.stderr


def test_stop_raises_at_once_outside_an_atomic_block():
    from nas.interrupts import stop

    with pytest.raises(KeyboardInterrupt):
        stop(KeyboardInterrupt())


def test_stop_inside_atomic_blocks_is_raised_when_the_outermost_ends():
    from nas.interrupts import atomic, stop

    steps = []
    with pytest.raises(KeyboardInterrupt, match="first"), atomic():
        with atomic():
            stop(KeyboardInterrupt("first"))
            stop(KeyboardInterrupt("second"))  # the first one is kept
            steps.append("inner")
        steps.append("outer")
    assert steps == ["inner", "outer"]
    with atomic():  # nothing left pending
        steps.append("again")


def test_atomic_does_not_hold_stops_for_other_threads():
    import threading

    from nas.interrupts import atomic, stop

    raised = []

    def other() -> None:
        with atomic():
            try:
                stop(KeyboardInterrupt())
            except KeyboardInterrupt:
                raised.append(True)

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert raised == [True]


def test_interruptible_opens_a_hole_in_atomic_blocks():
    from nas.interrupts import atomic, interruptible, stop

    steps = []
    with pytest.raises(KeyboardInterrupt, match="held"), atomic():
        stop(KeyboardInterrupt("held"))
        with interruptible():  # the held stop is raised on entry
            steps.append("hole")
    assert steps == []
    with pytest.raises(KeyboardInterrupt, match="later"), atomic():
        with pytest.raises(KeyboardInterrupt, match="now"), interruptible():
            stop(KeyboardInterrupt("now"))  # raised at once inside the hole
        stop(KeyboardInterrupt("later"))  # held again after it, to the block's end
        steps.append("after")
    assert steps == ["after"]
