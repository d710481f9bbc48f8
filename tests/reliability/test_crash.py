"""Crash safety on one machine: SIGKILL and Ctrl-C during `nas search` / `nas retrain`."""

from __future__ import annotations

import contextlib
import signal
import socket
from collections import Counter
from pathlib import Path

from optuna.trial import TrialState

from nas.study import Status
from tests.reliability import helpers

N = 4


def _search_args(db, npz, n=N):  # type: ignore[no-untyped-def]
    return (*helpers.SEARCH, "--trials", str(n), "--storage", str(db), "--study", "s",
            "--data", str(npz), "--quiet")


def _snapshot(ts):  # type: ignore[no-untyped-def]
    """What must survive a crash: each finished trial's state, values and result."""
    return {t.number: (t.state, t.values, t.user_attrs.get("arch_id"),
                       t.user_attrs.get("val_acc")) for t in ts if t.state.is_finished()}


def _search_hanging_at(n: int, npz, tmp_path):
    """Start a sqlite search whose n-th training hangs; return once it hangs there."""
    db = tmp_path / "s.db"
    marks = tmp_path / "marks"
    marks.mkdir()
    log = tmp_path / "a.log"
    a = helpers.start(*_search_args(db, npz), cwd=tmp_path, log=log, NAS_TEST_MARK_DIR=marks,
                NAS_TEST_HANG_FROM=n)
    helpers.wait_for(lambda: len(helpers.marks(marks)) >= n, 120, f"training number {n}", a, log)
    return db, f"sqlite:///{db}", a, log


def test_sigkill_during_sqlite_search_then_rerun(tiny_npz, tmp_path):
    """SIGKILL in the middle of the 3rd training; the rerun keeps the 2 finished trials,
    fails the killed one at once (its process is gone), retries it and completes."""
    db, url, a, _ = _search_hanging_at(3, tiny_npz, tmp_path)
    helpers.kill(a, signal.SIGKILL)
    a.wait(timeout=30)

    before = helpers.trials(url, "s")
    assert len(helpers.counted(before)) == 2, helpers.summary(before)
    victim = helpers.running(before)
    assert len(victim) == 1 and victim[0].user_attrs["status"] == Status.TRAINING, \
        helpers.summary(before)

    p = helpers.run(*_search_args(db, tiny_npz), cwd=tmp_path)
    helpers.assert_clean_exit(p)
    after = helpers.trials(url, "s")
    assert len(helpers.counted(after)) == N, helpers.summary(after)
    assert not helpers.running(after), helpers.summary(after)
    kept = _snapshot(after)
    for number, snap in _snapshot(before).items():  # nothing finished was lost or changed
        assert kept[number] == snap
    dead = next(t for t in after if t.number == victim[0].number)
    assert dead.state == TrialState.FAIL
    # reaped with a status and a reason: `nas report` must not count it as training
    assert dead.user_attrs["status"] == Status.FAILED, helpers.summary(after)
    assert dead.user_attrs["fail_reason"] == \
        f"worker {a.pid} on {socket.gethostname()} died", helpers.summary(after)
    assert not [t for t in after if t.user_attrs.get("status") == Status.TRAINING]
    retry = [t for t in after if t.system_attrs.get("failed_trial") == dead.number]
    assert len(retry) == 1 and retry[0].user_attrs["arch_id"] == dead.user_attrs["arch_id"]


def test_ctrl_c_during_search_stops_cleanly_and_resumes(tiny_npz, tmp_path):
    """SIGINT while a trial trains: exit 130, one line, no traceback; the trial is FAIL
    with reason 'interrupted', nothing RUNNING; the rerun adds only the missing trials."""
    db, url, a, log = _search_hanging_at(2, tiny_npz, tmp_path)
    a.send_signal(signal.SIGINT)
    assert a.wait(timeout=60) == 130, log.read_text()
    out = log.read_text()
    assert "Traceback" not in out, out
    assert "interrupted: 1/4 trained trials kept" in out, out

    before = helpers.trials(url, "s")
    assert not helpers.running(before), helpers.summary(before)
    assert len(helpers.counted(before)) == 1
    failed = [t for t in before if t.state == TrialState.FAIL]
    assert len(failed) == 1 and "interrupted" in failed[0].user_attrs["fail_reason"]

    p = helpers.run(*_search_args(db, tiny_npz), cwd=tmp_path)
    helpers.assert_clean_exit(p)
    after = helpers.trials(url, "s")
    assert len(helpers.counted(after)) == N, helpers.summary(after)
    assert not helpers.running(after)
    kept = _snapshot(after)
    for number, snap in _snapshot(before).items():
        assert kept[number] == snap


def test_ctrl_c_during_retrain_resumes_from_last_epoch(tiny_npz, tmp_path):
    """SIGINT after epoch 1 of 3 of a retrain: exit 130, no traceback, a checkpoint of
    epoch 1; the rerun trains epochs 2 and 3 only and writes the summary."""
    db = tmp_path / "s.db"
    helpers.assert_clean_exit(helpers.run(*_search_args(db, tiny_npz, n=2), cwd=tmp_path))
    out_dir = tmp_path / "out"
    args = ("retrain", str(db), "--top", "1", "--epochs", "3", "--data", str(tiny_npz),
            "--out", str(out_dir))
    epochs = tmp_path / "epochs.log"
    log = tmp_path / "r.log"
    r = helpers.start(*args, cwd=tmp_path, log=log, NAS_TEST_EPOCH_LOG=epochs,
                NAS_TEST_EPOCH_SLEEP=600)
    helpers.wait_for(lambda: epochs.exists() and epochs.read_text().split() == ["1"], 120,
               "the epoch-1 checkpoint", r, log)
    r.send_signal(signal.SIGINT)
    assert r.wait(timeout=60) == 130, log.read_text()
    out = log.read_text()
    assert "Traceback" not in out and "interrupted" in out, out
    assert list(out_dir.glob("*/seeds/0/checkpoint.pt")), out
    assert not (out_dir / "summary.csv").exists()

    p = helpers.run(*args, cwd=tmp_path, NAS_TEST_EPOCH_LOG=epochs)
    helpers.assert_clean_exit(p)
    assert epochs.read_text().split() == ["1", "2", "3"]  # epoch 1 was not trained again
    assert (out_dir / "summary.csv").read_text().count("\n") == 2  # header + 1 model


def test_ctrl_c_with_worker_processes(tiny_npz, tmp_path):
    """Ctrl-C in a terminal reaches the whole process group: `nas search --workers 2`
    and both workers stop cleanly (exit 130, no traceback), leave nothing RUNNING, and
    the rerun completes the count."""
    import os

    db = tmp_path / "s.db"
    url = f"sqlite:///{db}"
    args = (*_search_args(db, tiny_npz, n=5), "--workers", "2")
    log = tmp_path / "a.log"
    with log.open("w") as f:
        a = helpers.subprocess.Popen([helpers.sys.executable, "-m", "nas", *args], cwd=tmp_path,
                               env=helpers.env(), stdout=f, stderr=helpers.subprocess.STDOUT,
                               start_new_session=True)  # its own group, like a terminal job

    def started() -> bool:
        if not db.exists():
            return False
        try:
            return len(helpers.counted(helpers.trials(url, "s"))) >= 1
        except Exception:  # the database exists, the study or its schema not yet
            return False

    helpers.wait_for(started, 180, "a trained trial", a, log, step=0.5)
    os.killpg(a.pid, signal.SIGINT)
    assert a.wait(timeout=90) == 130, log.read_text()
    out = log.read_text()
    assert "Traceback" not in out, out
    before = helpers.trials(url, "s")
    assert not helpers.running(before), helpers.summary(before)
    assert len(helpers.counted(before)) < 5

    helpers.assert_clean_exit(helpers.run(*_search_args(db, tiny_npz, n=5), cwd=tmp_path))
    after = helpers.trials(url, "s")
    assert len(helpers.counted(after)) == 5 and not helpers.running(after), helpers.summary(after)


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    import os

    out = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # not a process, or gone
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def test_workers_exit_when_their_parent_is_sigkilled(tiny_npz, tmp_path):
    """SIGKILL `nas search --workers 2` while both workers train: within 10 s no worker
    process is left, each recorded its trial FAIL with the reason, nothing is RUNNING."""
    import os
    import sys

    if not sys.platform.startswith("linux"):
        import pytest

        pytest.skip("reads /proc")
    db = tmp_path / "s.db"
    url = f"sqlite:///{db}"
    marks = tmp_path / "marks"
    marks.mkdir()
    log = tmp_path / "a.log"
    a = helpers.start(*_search_args(db, tiny_npz, n=4), "--workers", "2", cwd=tmp_path,
                      log=log, NAS_TEST_MARK_DIR=marks, NAS_TEST_HANG_FROM=1)
    helpers.wait_for(lambda: len(helpers.marks(marks)) >= 2, 180, "both workers training",
                     a, log)
    workers = {int(m.name.split("-")[1]) for m in helpers.marks(marks)}
    children = set(_children(a.pid))
    assert workers <= children, (workers, children)
    try:
        helpers.kill(a, signal.SIGKILL)
        a.wait(timeout=30)
        helpers.wait_for(lambda: not any(_alive(p) for p in children), 10,
                         f"the workers {sorted(children)} to exit")
    finally:
        for p in children:
            if _alive(p):
                os.kill(p, signal.SIGKILL)
    ts = helpers.trials(url, "s")
    assert not helpers.running(ts), helpers.summary(ts)
    failed = [t for t in ts if t.state == TrialState.FAIL]
    assert len(failed) == 2, helpers.summary(ts)
    for t in failed:
        assert t.user_attrs["status"] == Status.FAILED
        assert t.user_attrs["fail_reason"] == f"interrupted: parent process {a.pid} died"
    assert {int(t.user_attrs["worker"].rsplit(":")[1]) for t in failed} == workers


def test_a_new_study_next_to_others_is_announced(tiny_npz, tmp_path):
    """A new --study name on a storage holding another study: the search says it created
    a new study and names the others; resuming the same study says nothing of it."""
    db = tmp_path / "s.db"
    first = helpers.run(*_search_args(db, tiny_npz, n=1), cwd=tmp_path)
    helpers.assert_clean_exit(first)
    assert "created a new study" not in first.stderr  # an empty storage: nothing to say
    args = [a if a != "s" else "typo" for a in _search_args(db, tiny_npz, n=1)]
    p = helpers.run(*args, cwd=tmp_path)
    helpers.assert_clean_exit(p)
    lines = [line for line in p.stderr.splitlines() if "created a new study" in line]
    assert len(lines) == 1 and "'typo'" in lines[0] and "also holds: s " in lines[0], p.stderr
    again = helpers.run(*args, cwd=tmp_path)
    helpers.assert_clean_exit(again)
    assert "created a new study" not in again.stderr, again.stderr


KILLS = 20
KILL_TRIALS = 30  # more than the killed runs train, so that every run has work to do


def _gone(pgid: int) -> bool:
    """True once no process of group ``pgid`` is left."""
    import os

    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _integrity(db: Path) -> str:
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        return con.execute("pragma integrity_check").fetchone()[0]
    finally:
        con.close()


def test_twenty_sigkills_of_a_two_worker_search_train_nothing_twice(tiny_npz, tmp_path):
    """`nas search --workers 2` on sqlite, SIGKILLed 20 times at random moments (the
    whole process group every other time, else the parent alone, whose workers then
    stop themselves) and rerun after each: the database is intact after every kill, no
    run prints a traceback, and the last run ends with exactly --trials trained, no
    architecture counted twice and no dead trial re-queued twice (issue 16.3)."""
    import os
    import random

    db = tmp_path / "s.db"
    args = (*_search_args(db, tiny_npz, n=KILL_TRIALS), "--workers", "2")
    rng = random.Random(16)
    landed = []
    for i in range(KILLS):
        log = tmp_path / f"run{i}.log"
        with log.open("w") as f:
            a = helpers.subprocess.Popen([helpers.sys.executable, str(helpers.DRIVER), *args],
                                         cwd=tmp_path, env=helpers.env(), stdout=f,
                                         stderr=helpers.subprocess.STDOUT,
                                         start_new_session=True)
        with contextlib.suppress(helpers.subprocess.TimeoutExpired):  # or it finished
            a.wait(timeout=rng.uniform(1.0, 12.0))  # a random moment
        everyone = i % 2 == 0
        landed.append(a.poll() is None)
        with contextlib.suppress(ProcessLookupError):
            if everyone:
                os.killpg(a.pid, signal.SIGKILL)
            else:
                a.kill()
        a.wait(timeout=30)
        helpers.wait_for(lambda pgid=a.pid: _gone(pgid), 60, f"run {i}'s workers to exit")
        out = log.read_text()
        assert "Traceback" not in out, out
        assert not db.exists() or _integrity(db) == "ok", f"after kill {i}"
    assert sum(landed) >= KILLS // 2, landed  # most kills hit a running search

    before = helpers.counted(helpers.trials(f"sqlite:///{db}", "s")) if db.exists() else []
    p = helpers.run(*args, cwd=tmp_path, timeout=600)
    helpers.assert_clean_exit(p)
    ts = helpers.trials(f"sqlite:///{db}", "s")
    done = helpers.counted(ts)
    assert len(done) == KILL_TRIALS, helpers.summary(ts)
    assert not helpers.running(ts), helpers.summary(ts)
    archs = Counter(t.user_attrs["arch_id"] for t in done)
    assert max(archs.values()) == 1, archs
    requeued = Counter(t.system_attrs["failed_trial"] for t in ts
                       if "failed_trial" in t.system_attrs)
    assert not requeued or max(requeued.values()) == 1, requeued
    assert _integrity(db) == "ok"
    failed = sum(t.state == TrialState.FAIL for t in ts)
    print(f"{KILLS} kills ({sum(landed)} of running searches): {len(before)} trained before "
          f"the last run, {len(ts)} trials, {failed} failed, {sum(requeued.values())} "
          "re-queued, 0 trained twice")
