"""Keep freed memory in the process instead of handing it back to the OS.

glibc's malloc serves every allocation above 32 MiB (its largest dynamic mmap
threshold) with a fresh ``mmap`` and returns it with ``munmap`` when freed. A CPU
training step at batch 256 allocates and frees activations of that size dozens of
times, and each fresh mapping is zero-filled page by page on first touch: on this
2-core CPU about 30% of a training run's CPU time was kernel time. Turning mmap off
for the heap and never trimming it makes those buffers reused: 9-14% more training
images per second (``nas bench seed004/seed003 --threads 1``, results/bench.md).

The price is that the process keeps its peak heap until it exits, which a training
process does anyway. No effect on other allocators or platforms.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_MAX = -4
_done = False


def keep_freed_memory() -> bool:
    """Switch glibc malloc to reuse freed buffers; True if it applied (Linux/glibc).

    Idempotent and cheap; called at the start of every training run on CPU.
    """
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and friends have no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    # a trim threshold of 2**31-1 bytes: the heap never shrinks below its peak
    _done = bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, 2**31 - 1))
    return _done
