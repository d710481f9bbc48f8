"""``python driver.py <nas args>``: the ``nas`` CLI with test hooks set by environment.

The hooks also apply in the worker processes of ``--workers N`` (spawned, they import
this file as ``__mp_main__``).

The reliability tests start real processes (to SIGKILL and SIGINT them, and to be
separate "machines" on one study); these hooks make a process reach a known point and
wait there, so that a signal lands in the middle of a trial or between two epochs:

- ``NAS_TEST_MARK_DIR``: each proxy training writes ``<dir>/train-<pid>-<n>`` (n = 1, 2,
  ... trainings by this process) when it starts;
- ``NAS_TEST_HANG_FROM``: the n-th and later proxy trainings of this process sleep for
  an hour before training (so they are RUNNING when the test kills the process);
- ``NAS_TEST_HOST``: trials record this host name as their worker, as if this process
  ran on another machine (only Optuna's heartbeat can then tell that it died);
- ``NAS_TEST_EPOCH_LOG``: every checkpoint save appends the epoch count to this file;
- ``NAS_TEST_EPOCH_SLEEP``: seconds to sleep after each checkpoint save;
- ``NAS_TEST_TRAIN_DELAY``: seconds every proxy training waits before it starts (so
  that trials of several workers overlap);
- ``NAS_TEST_PAIR_SPACE``: adds search space ``pair`` (two architectures: one choice
  ``s1_c`` of 8 or 16 channels), to make workers want the same architecture.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def _hook_search() -> None:
    import nas.search.evaluators.base as trainer_seam
    import nas.search.objective as objective

    mark_dir = os.environ.get("NAS_TEST_MARK_DIR")
    hang_from = int(os.environ.get("NAS_TEST_HANG_FROM", "0") or 0)
    delay = float(os.environ.get("NAS_TEST_TRAIN_DELAY", "0") or 0)
    host = os.environ.get("NAS_TEST_HOST")
    real_train = trainer_seam.train  # what every training evaluator trains with
    count = [0]

    def train(*args, **kwargs):  # type: ignore[no-untyped-def]
        count[0] += 1
        if mark_dir:
            Path(mark_dir, f"train-{os.getpid()}-{count[0]}").touch()
        if hang_from and count[0] >= hang_from:
            time.sleep(3600)
        time.sleep(delay)
        return real_train(*args, **kwargs)

    trainer_seam.train = train
    if host:
        objective.worker_id = lambda: f"{host}:{os.getpid()}"


def _hook_checkpoints() -> None:
    import nas.train.checkpoint as ckpt

    log = os.environ.get("NAS_TEST_EPOCH_LOG")
    pause = float(os.environ.get("NAS_TEST_EPOCH_SLEEP", "0") or 0)
    real_save = ckpt.save

    def save(path, state):  # type: ignore[no-untyped-def]
        real_save(path, state)
        if log:
            with open(log, "a") as f:
                f.write(f"{len(state['history'])}\n")
        if pause:
            time.sleep(pause)

    ckpt.save = save


def _pair_space() -> None:
    from nas.genome import Genome
    from nas.search.space_registry import register

    @register("two architectures (tests)", name="pair")
    def sample(t, budget):  # type: ignore[no-untyped-def]
        c = t.suggest_categorical("s1_c", (8, 16))
        return Genome.from_string(f"cv_c{c}/ds_c{c}_s2/head")


def main() -> None:
    if os.environ.get("NAS_TEST_PAIR_SPACE"):
        _pair_space()
    _hook_search()
    _hook_checkpoints()
    from nas.cli.main import cli

    sys.argv[0] = "nas"
    cli()


if __name__ == "__main__":
    main()
elif __name__ == "__mp_main__":  # a worker process spawned by `nas search --workers N`
    if os.environ.get("NAS_TEST_PAIR_SPACE"):
        _pair_space()
    _hook_search()
    _hook_checkpoints()
