"""Seed claims: a held claim is refused without waiting, freed by release and by death;
two retrain processes of one command split its seeds."""

import csv
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from nas.retrain import retrain
from nas.retrain.claim import claim, fcntl
from tests.retrain.studies import make_data, make_study

pytestmark = pytest.mark.skipif(fcntl is None, reason="claims need fcntl.flock (POSIX)")


def test_a_held_claim_is_refused_then_free_once_released(tmp_path):
    # a second open file of the same claim is refused as another process would be
    with claim(tmp_path, wait=False) as first, claim(tmp_path, wait=False) as second:
        assert first and not second
    with claim(tmp_path, wait=False) as again:
        assert again


def test_a_killed_holder_leaves_no_stale_claim(tmp_path):
    code = ("import os, sys\n"
            "from pathlib import Path\n"
            "from nas.retrain.claim import claim\n"
            f"with claim(Path({str(tmp_path)!r}), wait=False) as held:\n"
            "    assert held\n"
            "    print('held', flush=True)\n"
            "    sys.stdin.readline()\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with claim(tmp_path, wait=False) as held:
        assert not held
    holder.kill()  # SIGKILL: no cleanup code runs; the kernel drops the lock
    holder.wait()
    with claim(tmp_path, wait=False) as held:
        assert held


def test_a_seed_held_elsewhere_is_trained_last_and_then_only_read(tmp_path):
    """Another worker holds seed 0: this one trains seed 1 first, waits, then reads the
    seed 0 result that worker wrote (it trains nothing twice)."""
    db, data = make_study(tmp_path / "s.db"), make_data(tmp_path / "d.npz")
    out = tmp_path / "out"
    kw = dict(top=1, epochs=1, data=data, out=out, device="cpu", progress="none")
    retrain(db, **kw, seeds=1, echo=lambda _: None)  # seed 0 done: what the other wrote
    seed0 = next(out.glob("*/seeds/0"))
    result0 = (seed0 / "result.json").read_text()
    (seed0 / "result.json").rename(seed0 / "done.json")  # ... not yet: it is training
    lines: list[str] = []
    with claim(seed0, wait=False) as held:
        assert held
        worker = threading.Thread(target=retrain, args=(db,),
                                  kwargs={**kw, "seeds": 2, "echo": lines.append})
        worker.start()
        seed1 = seed0.parent / "1" / "result.json"
        deadline = time.monotonic() + 120
        while not seed1.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seed1.exists() and worker.is_alive()  # seed 1 done; waiting for seed 0
        (seed0 / "done.json").rename(seed0 / "result.json")  # the other worker finishes
    worker.join(timeout=120)
    assert not worker.is_alive()
    assert any("seed 0: another process trains it" in s for s in lines)
    assert any("seed 0: already done" in s for s in lines)
    assert (seed0 / "result.json").read_text() == result0
    metrics = json.loads((seed0.parent.parent / "metrics.json").read_text())
    assert [r["seed"] for r in metrics["per_seed"]] == [0, 1]


def test_two_processes_of_one_command_train_each_seed_once(tmp_path):
    db, data = make_study(tmp_path / "s.db"), make_data(tmp_path / "d.npz")
    cmd = [sys.executable, "-m", "nas", "retrain", db, "--top", "1", "--seeds", "3",
           "--epochs", "2", "--data", data, "--out", str(tmp_path / "out"), "--device", "cpu"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
             for _ in range(2)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    trained = sum(3 - out.count("already done") for out in outs)
    assert trained == 3, outs  # every seed trained by one process, read by the other
    with open(tmp_path / "out" / "summary.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and rows[0]["seeds"] == "3"
