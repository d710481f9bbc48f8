"""A PostgreSQL outage during a search (issue 16.1): the workers ride it out.

Each test has its own server (``own_pg_cluster``), stopped as a crash would
(``pg_ctl stop -m immediate``) while every worker is in the middle of a training, then
started again on the same port and data. The trainings finish during the outage; their
results wait in memory and are written when the server is back. Heartbeat 1 s, grace
3 s (``helpers.env``): without the pause after an outage, the first worker back would
reap the others' trials.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from optuna.trial import TrialState

from nas.study import Status
from tests.postgres import PostgresCluster
from tests.reliability import helpers

N = 6  # trained trials wanted
DROP = "unreachable ("
BACK = "reachable again after"


def _start_all(cluster: PostgresCluster, npz: Path, tmp_path: Path, processes: int,
               workers: int = 1, **extra: object) -> tuple[str, list[subprocess.Popen],
                                                           list[Path], Path]:
    """``processes`` searches (``--workers`` each) on a fresh database; returns once
    three worker processes are training, each waiting 3 s before it trains."""
    url = cluster.create_database(f"o_{uuid.uuid4().hex[:8]}")
    marks = tmp_path / "marks"
    marks.mkdir()
    args = (*helpers.SEARCH, "--trials", str(N), "--storage", url, "--study", "o",
            "--data", str(npz), "--quiet", "--workers", str(workers))
    logs = [tmp_path / f"w{i}.log" for i in range(processes)]
    procs = [helpers.start(*args, "--seed", str(i), cwd=tmp_path, log=logs[i],
                           NAS_TEST_MARK_DIR=marks, NAS_TEST_TRAIN_DELAY=3, **extra)
             for i in range(processes)]

    def training() -> int:
        return len({m.name.split("-")[1] for m in helpers.marks(marks)})

    helpers.wait_for(lambda: training() >= 3, 240, "three workers training", procs[0], logs[0])
    return url, procs, logs, marks


def _outage(cluster: PostgresCluster, seconds: float) -> datetime.datetime:
    """Stop the server for ``seconds``; the (local, naive) time it stopped."""
    halted = datetime.datetime.now()
    cluster.halt()
    time.sleep(seconds)
    cluster.resume()
    return halted


def _wait(procs: list[subprocess.Popen], timeout: float = 600) -> float:
    """Seconds until every process exited."""
    t0 = time.monotonic()
    for p in procs:
        p.wait(timeout=timeout)
    return time.monotonic() - t0


def _rode_it_out(procs: list[subprocess.Popen], logs: list[Path], url: str,
                 halted: datetime.datetime, outage_s: float) -> list[float]:
    """Every process exit 0, no traceback, one line when the storage dropped and one
    when it returned; exactly N trained, none twice, nothing failed or left RUNNING,
    and trainings that finished during the outage kept. The outage lengths the
    processes reported."""
    reported = []
    for p, log in zip(procs, logs, strict=True):
        out = log.read_text()
        assert p.returncode == 0, out
        assert "Traceback" not in out, out
        drops = [line for line in out.splitlines() if DROP in line]
        backs = [line for line in out.splitlines() if BACK in line]
        assert len(drops) == 1 and len(backs) == 1, out
        assert "NAS_STORAGE_PATIENCE" in drops[0], drops[0]
        reported.append(float(re.search(r"after (\d+) s", backs[0]).group(1)))
    ts = helpers.trials(url, "o")
    done = helpers.counted(ts)
    assert len(done) == N, helpers.summary(ts)
    assert not helpers.running(ts), helpers.summary(ts)
    assert not [t for t in ts if t.state == TrialState.FAIL], helpers.summary(ts)
    assert max(Counter(t.user_attrs["arch_id"] for t in done).values()) == 1
    resumed = halted + datetime.timedelta(seconds=outage_s)
    held = [t for t in done if t.datetime_start < halted and t.datetime_complete > resumed]
    assert held, helpers.summary(ts)  # trained before and during, written after the outage
    return reported


def _ride_out(cluster: PostgresCluster, npz: Path, tmp_path: Path, outage_s: float) -> None:
    url, procs, logs, _ = _start_all(cluster, npz, tmp_path, processes=3)
    try:
        halted = _outage(cluster, outage_s)
        finished_s = _wait(procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    reported = _rode_it_out(procs, logs, url, halted, outage_s)
    print(f"{outage_s:.0f} s outage: workers reported it back after {reported} s; all "
          f"finished {finished_s:.1f} s after the server's return")


def test_three_workers_ride_out_a_10_s_outage(own_pg_cluster, tiny_npz, tmp_path):
    _ride_out(own_pg_cluster, tiny_npz, tmp_path, 10)


def test_three_workers_ride_out_a_60_s_outage(own_pg_cluster, tiny_npz, tmp_path):
    _ride_out(own_pg_cluster, tiny_npz, tmp_path, 60)


def test_worker_processes_ride_out_an_outage_and_their_parent_says_it(own_pg_cluster,
                                                                       tiny_npz, tmp_path):
    """`nas search --workers 3`: the same, and the two lines are said once, by the
    parent, not by each worker."""
    url, procs, logs, _ = _start_all(own_pg_cluster, tiny_npz, tmp_path, processes=1,
                                     workers=3)
    try:
        halted = _outage(own_pg_cluster, 10)
        _wait(procs)
    finally:
        if procs[0].poll() is None:
            procs[0].kill()
    _rode_it_out(procs, logs, url, halted, 10)


@pytest.mark.parametrize("processes,workers", [(3, 1), (1, 3)], ids=["3x1", "1x3"])
def test_past_the_patience_each_worker_gives_up_with_one_line(own_pg_cluster, tiny_npz,
                                                              tmp_path, processes, workers):
    """NAS_STORAGE_PATIENCE=4 and a longer outage: each process (3 searches, or one with
    --workers 3) exits 2 with the drop line and one error line, no traceback; once the
    server is back the same command fails the abandoned trials (their workers are gone)
    and completes the count."""
    url, procs, logs, _ = _start_all(own_pg_cluster, tiny_npz, tmp_path, processes,
                                     workers, NAS_STORAGE_PATIENCE=4)
    own_pg_cluster.halt()
    try:
        _wait(procs, timeout=120)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        own_pg_cluster.resume()
    for p, log in zip(procs, logs, strict=True):
        out = log.read_text()
        assert p.returncode == 2, out
        assert "Traceback" not in out, out
        errors = [line for line in out.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, out
        assert "unreachable for over 4 s (NAS_STORAGE_PATIENCE)" in errors[0], out
        assert len([line for line in out.splitlines() if DROP in line]) == 1, out
    before = helpers.trials(url, "o")
    abandoned = {t.number for t in helpers.running(before)}
    assert abandoned, helpers.summary(before)

    args = (*helpers.SEARCH, "--trials", str(N), "--storage", url, "--study", "o",
            "--data", str(tiny_npz), "--quiet")
    helpers.assert_clean_exit(helpers.run(*args, cwd=tmp_path))
    ts = helpers.trials(url, "o")
    assert len(helpers.counted(ts)) == N and not helpers.running(ts), helpers.summary(ts)
    for t in ts:
        if t.number in abandoned:
            assert t.user_attrs["status"] == Status.FAILED, helpers.summary(ts)
            assert t.user_attrs["fail_reason"].startswith("worker "), helpers.summary(ts)
