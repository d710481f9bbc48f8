"""Claims on seeds, so several ``nas retrain`` processes of one command share its work.

Two terminals (two GPUs, two CPU cores) running the same ``nas retrain`` split the seeds:
each seed directory holds a ``.claim`` file that a process locks while it trains that
seed (``fcntl.flock``). The kernel drops the lock when its process dies, even by kill -9,
so a crashed worker leaves no stale claim: the next process resumes the seed from its
checkpoint. Where ``fcntl`` is missing (Windows), every claim succeeds at once and the
processes must not share an ``--out``: the single-process behaviour.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

CLAIM = ".claim"


@contextlib.contextmanager
def claim(d: Path, *, wait: bool) -> Iterator[bool]:
    """Hold the claim on directory ``d`` for the ``with`` block; yields whether it is held.

    ``wait=False`` yields False at once when another process holds it (that process is
    training there: do something else first); ``wait=True`` blocks until it is free
    (the other process finished, or died)."""
    d.mkdir(parents=True, exist_ok=True)
    fd = os.open(d / CLAIM, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is None:
            yield True
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
