"""Read-only (issue 16.6) and full (16.2) study storage: said as such, one line, exit 2
(or, for a complete study the search has nothing to add to, its summary and exit 0).

Real read-only or full file systems and immutable files need root (a small tmpfs mount,
remounted read-only or filled up; ``chattr +i``); the tests skip where not allowed.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability import helpers

N = 2


def _args(db: Path, npz: Path) -> tuple[str, ...]:
    return (*helpers.SEARCH, "--trials", str(N), "--storage", str(db), "--study", "s",
            "--data", str(npz), "--quiet")


def _sh(*cmd: str) -> bool:
    return subprocess.run(cmd, capture_output=True).returncode == 0


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A private tmpfs mounted at tmp_path/mnt (root only), unmounted afterwards."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or not _sh("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs",
                                    str(mnt)):
        pytest.skip("needs root and mount (tmpfs)")
    try:
        yield mnt
    finally:
        _sh("umount", "-l", str(mnt))


def _one_line_error(p: subprocess.CompletedProcess, *needles: str) -> None:
    helpers.assert_clean_exit(p, 2)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), p.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def _more(db: Path, npz: Path) -> tuple[str, ...]:
    """The search asking for one trained trial more than the study holds."""
    return tuple(a if a != str(N) else str(N + 1) for a in _args(db, npz))


def _nothing_to_add(p: subprocess.CompletedProcess, db: Path) -> None:
    """Exit 0 with the study's summary and a note that it is read-only and complete."""
    helpers.assert_clean_exit(p)
    assert "Pareto front of s" in p.stdout and f"trained {N} " in p.stdout, p.stdout
    assert f"nas retrain {db} --top 3" in p.stdout, p.stdout
    notes = p.stderr.strip().splitlines()
    assert len(notes) == 1 and "is read-only" in notes[0], p.stderr
    assert f"already holds {N}/{N} trained trials, nothing to add" in notes[0], p.stderr


def test_search_on_a_read_only_file_system_says_so(tmpfs, tiny_npz, tmp_path):
    """A finished study on a file system remounted read-only: the same search has
    nothing to add and reports the study (exit 0); one that wants more trials is one
    line naming the read-only folder and the way out, exit 2; `nas report` and `nas
    retrain` read it (and write nothing onto it)."""
    db = tmpfs / "s.db"
    helpers.assert_clean_exit(helpers.run(*_args(db, tiny_npz), cwd=tmp_path))
    assert _sh("mount", "-o", "remount,ro", str(tmpfs))
    _nothing_to_add(helpers.run(*_args(db, tiny_npz), cwd=tmp_path), db)
    p = helpers.run(*_more(db, tiny_npz), cwd=tmp_path)
    _one_line_error(p, "read-only", "nas report")
    report = helpers.run("report", str(db), "--out", str(tmp_path / "report"), cwd=tmp_path)
    helpers.assert_clean_exit(report)
    assert "read-only: figures and notes not attached" in report.stdout, report.stdout
    assert (tmp_path / "report" / "report.html").is_file()
    retrain = helpers.run("retrain", str(db), "--top", "1", "--epochs", "1", "--data",
                          str(tiny_npz), "--out", str(tmp_path / "retrain"), cwd=tmp_path)
    helpers.assert_clean_exit(retrain)
    assert "is read-only: results go to summary.csv" in retrain.stdout, retrain.stdout
    assert (tmp_path / "retrain" / "summary.csv").is_file()


def test_search_on_an_immutable_study_file_says_so(tiny_npz, tmp_path):
    """An immutable (chattr +i) study file: the same search reports the complete study
    (exit 0); one that wants more trials is one line, 'the study file is read-only'."""
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("needs root and chattr")
    db = tmp_path / "s.db"
    helpers.assert_clean_exit(helpers.run(*_args(db, tiny_npz), cwd=tmp_path))
    if not _sh("chattr", "+i", str(db)):
        pytest.skip("this file system has no immutable flag")
    try:
        same = helpers.run(*_args(db, tiny_npz), cwd=tmp_path)
        more = helpers.run(*_more(db, tiny_npz), cwd=tmp_path)
    finally:
        _sh("chattr", "-i", str(db))
    _nothing_to_add(same, db)
    _one_line_error(more, "the study file is read-only", "nas report")


def _fill(folder: Path) -> Path:
    """Write zeros to ``folder/fill`` until its file system is full."""
    fill = folder / "fill"
    with fill.open("wb", buffering=0) as f:  # unbuffered: close has nothing to flush
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
    return fill


def test_search_on_a_full_disk_says_so_and_resumes_once_freed(tmpfs, tiny_npz, tmp_path):
    """A study on a full file system: one line 'no space left on ...', exit 2, the
    database intact; once space is freed the same command completes the count."""
    db = tmpfs / "s.db"
    helpers.assert_clean_exit(helpers.run(*_args(db, tiny_npz), cwd=tmp_path))
    fill = _fill(tmpfs)
    more = _more(db, tiny_npz)
    p = helpers.run(*more, cwd=tmp_path)
    _one_line_error(p, "no space left on", "free some space")
    fresh = helpers.run(*_args(tmpfs / "new.db", tiny_npz), cwd=tmp_path)  # a new study
    _one_line_error(fresh, "no space left on", "free some space")
    fill.unlink()  # (sqlite cannot even open it read-only while the disk is full)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    helpers.assert_clean_exit(helpers.run(*more, cwd=tmp_path))
    ts = helpers.trials(f"sqlite:///{db}", "s")
    assert len(helpers.counted(ts)) == N + 1 and not helpers.running(ts), helpers.summary(ts)


def test_a_disk_that_fills_up_during_a_trial_stops_the_search_with_one_line(tmpfs, tiny_npz,
                                                                             tmp_path):
    """The file system fills up while the 2nd trial trains: its result cannot be written,
    so the search stops with one line 'no space left on ...' and exit 2, no traceback,
    the database intact; once space is freed the same command fails the cut-short trial
    (recorded FAIL at once when the disk still took that, else as a dead worker's) and
    completes the count."""
    db = tmpfs / "s.db"
    marks = tmp_path / "marks"
    marks.mkdir()
    args = (*_args(db, tiny_npz)[:-1], "--trials", "3", "--quiet")
    log = tmp_path / "a.log"
    a = helpers.start(*args, cwd=tmp_path, log=log, NAS_TEST_MARK_DIR=marks,
                      NAS_TEST_TRAIN_DELAY=4)
    helpers.wait_for(lambda: len(helpers.marks(marks)) >= 2, 120, "the 2nd training", a, log)
    fill = _fill(tmpfs)
    try:
        assert a.wait(timeout=120) == 2, log.read_text()
    finally:
        if a.poll() is None:
            a.kill()
    out = log.read_text()
    assert "Traceback" not in out, out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and out.strip().endswith(errors[0]), out
    assert "no space left on" in errors[0] and "free some space" in errors[0], out
    fill.unlink()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    cut = [t for t in helpers.trials(f"sqlite:///{db}", "s")
           if t.user_attrs.get("status") in ("training", "failed")]
    assert len(cut) == 1, cut

    helpers.assert_clean_exit(helpers.run(*args, cwd=tmp_path))
    ts = helpers.trials(f"sqlite:///{db}", "s")
    assert len(helpers.counted(ts)) == 3 and not helpers.running(ts), helpers.summary(ts)
    dead = next(t for t in ts if t.number == cut[0].number)
    assert dead.state.name == "FAIL" and dead.user_attrs["status"] == "failed", \
        helpers.summary(ts)
    assert dead.user_attrs["fail_reason"], helpers.summary(ts)
    print(f"cut-short trial #{dead.number}: {dead.user_attrs['fail_reason']}")
