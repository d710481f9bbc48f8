"""``python sh_driver.py <nas args>``: ``driver.py`` plus hooks for ``--strategy sh`` runs.

The hooks apply in the worker processes of ``--workers N`` too (spawned, they import this
file as ``__mp_main__``). On top of ``driver.py``'s (``NAS_TEST_EPOCH_SLEEP`` ...):

- ``NAS_TEST_SH_LOG``: every run checkpoint save appends ``<arch_id> <epochs> <pid>`` to
  this file (the checkpoint is named after the architecture): which epochs of which
  architecture were trained, by which process;
- ``NAS_TEST_SH_HANG_AT=k``: right after the save of a run's epoch ``k`` the process
  sleeps for an hour (so that the test can SIGKILL it there), once for all processes
  (the first one to create ``<NAS_TEST_MARK_DIR>/hang``, which then holds its pid);
- ``NAS_TEST_SH_HANG_HALTED=1``: the same, right after the save that follows a halt
  (a run not promoted at a rung);
- ``NAS_TEST_SH_BARRIER=<dir>:<n>``: a process's first run waits (up to a minute) until
  ``n`` processes have one to start (``<dir>/ready-<pid>`` files), so that all of them
  train, at the same time.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import driver  # tests/reliability/driver.py: the hooks of plain searches


def _claim_hang() -> bool:
    """True for the first process to get here (creates ``<mark dir>/hang``)."""
    path = Path(os.environ["NAS_TEST_MARK_DIR"], "hang")
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return True


def _hook_sh() -> None:
    import nas.search.evaluators.sh as sh
    import nas.train.checkpoint as ckpt

    log = os.environ.get("NAS_TEST_SH_LOG")
    hang_at = int(os.environ.get("NAS_TEST_SH_HANG_AT", "0") or 0)
    hang_halted = bool(os.environ.get("NAS_TEST_SH_HANG_HALTED"))
    real_save, real_call = ckpt.save, sh.RungTracker.__call__
    halted = [False]

    def call(self, m):  # type: ignore[no-untyped-def]
        stop = real_call(self, m)
        halted[0] = bool(stop)
        return stop

    def save(path, state):  # type: ignore[no-untyped-def]
        real_save(path, state)  # driver.py's: its epoch log and sleep
        epochs = len(state["history"])
        if log:
            with open(log, "a") as f:
                f.write(f"{Path(path).stem} {epochs} {os.getpid()}\n")
        if (epochs == hang_at or (hang_halted and halted[0])) and _claim_hang():
            time.sleep(3600)

    sh.RungTracker.__call__ = call
    ckpt.save = save
    import nas.search.evaluators.base as trainer_seam

    barrier = os.environ.get("NAS_TEST_SH_BARRIER")
    if barrier:
        folder, _, n = barrier.rpartition(":")
        real_train = trainer_seam.train

        def train(*args, **kwargs):  # type: ignore[no-untyped-def]
            ready = Path(folder, f"ready-{os.getpid()}")
            if not ready.exists():
                ready.touch()
                t0 = time.monotonic()
                while len(list(Path(folder).glob("ready-*"))) < int(n) and \
                        time.monotonic() - t0 < 60:
                    time.sleep(0.05)
            return real_train(*args, **kwargs)

        trainer_seam.train = train


def _hooks() -> None:
    if os.environ.get("NAS_TEST_PAIR_SPACE"):
        driver._pair_space()
    driver._hook_search()
    driver._hook_checkpoints()
    _hook_sh()


if __name__ == "__main__":
    _hooks()
    from nas.cli.main import cli

    sys.argv[0] = "nas"
    cli()
elif __name__ == "__mp_main__":  # a worker process spawned by `nas search --workers N`
    _hooks()
