"""Re-queued (WAITING) trials on sqlite: no two processes pop the same one (issue 16.3).

Optuna's pop of a WAITING trial reads it, then sets it RUNNING; on sqlite the read ran
outside any lock, so two workers could both pop one trial and both train it
(optuna#4002). These tests race real processes on one sqlite file through
``nas.study.storage.make_storage``, the storage ``nas search`` uses.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import optuna

from nas.study.storage import make_storage
from tests.reliability import helpers

QUEUED = 200
POPPER = """
import os, sys, time, optuna
from pathlib import Path
from nas.study.storage import make_storage
optuna.logging.set_verbosity(optuna.logging.ERROR)
url, out, queued, ready = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
study = optuna.load_study(study_name="q", storage=make_storage(url))
(ready / str(os.getpid())).touch()
while len(list(ready.iterdir())) < 2:  # start popping together
    time.sleep(0.01)
with open(out, "w") as f:
    while True:
        t = study.ask()
        if t.number >= queued:  # a fresh trial: the queue is empty
            study.tell(t, state=optuna.trial.TrialState.FAIL)
            break
        f.write(f"{t.number}\\n")
        f.flush()
        try:
            study.tell(t, 0.0)
        except Exception:  # popped twice: the other process told it first
            pass
"""


def test_two_processes_never_pop_the_same_queued_trial(tmp_path):
    """2 processes pop 200 enqueued trials from one sqlite study at once: each trial is
    popped exactly once (before the fix, dozens were popped twice)."""
    url = f"sqlite:///{tmp_path / 'q.db'}"
    study = optuna.create_study(study_name="q", storage=make_storage(url))
    for i in range(QUEUED):
        study.enqueue_trial({"x": i}, skip_if_exists=False)
    outs = [tmp_path / f"p{i}.txt" for i in range(2)]
    ready = tmp_path / "ready"
    ready.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", POPPER, url, str(out), str(QUEUED),
                               str(ready)],
                              env=helpers.env(), stderr=subprocess.PIPE, text=True)
             for out in outs]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    popped = Counter(int(n) for out in outs for n in out.read_text().split())
    twice = sorted(n for n, c in popped.items() if c > 1)
    assert not twice, f"{len(twice)} trials popped twice: {twice[:20]}"
    assert sorted(popped) == list(range(QUEUED))
    assert all(out.read_text() for out in outs), "one process popped everything"
