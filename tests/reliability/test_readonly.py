"""Read-only (issue 16.6) and full (16.2) study storage: said as such, one line, exit 2.

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


def test_search_on_a_read_only_file_system_says_so(tmpfs, tiny_npz, tmp_path):
    """A finished study on a file system remounted read-only: rerunning the search is one
    line naming the read-only folder and the way out, exit 2; `nas report` reads it."""
    db = tmpfs / "s.db"
    helpers.assert_clean_exit(helpers.run(*_args(db, tiny_npz), cwd=tmp_path))
    assert _sh("mount", "-o", "remount,ro", str(tmpfs))
    p = helpers.run(*_args(db, tiny_npz), cwd=tmp_path)
    _one_line_error(p, "read-only", "nas report")


def test_search_on_an_immutable_study_file_says_so(tiny_npz, tmp_path):
    """An immutable (chattr +i) study file: one line, 'the study file is read-only'."""
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("needs root and chattr")
    db = tmp_path / "s.db"
    helpers.assert_clean_exit(helpers.run(*_args(db, tiny_npz), cwd=tmp_path))
    if not _sh("chattr", "+i", str(db)):
        pytest.skip("this file system has no immutable flag")
    try:
        p = helpers.run(*_args(db, tiny_npz), cwd=tmp_path)
    finally:
        _sh("chattr", "-i", str(db))
    _one_line_error(p, "the study file is read-only", "nas report")


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
    more = [a if a != str(N) else str(N + 1) for a in _args(db, tiny_npz)]
    p = helpers.run(*more, cwd=tmp_path)
    _one_line_error(p, "no space left on", "free some space")
    fill.unlink()  # (sqlite cannot even open it read-only while the disk is full)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    helpers.assert_clean_exit(helpers.run(*more, cwd=tmp_path))
    ts = helpers.trials(f"sqlite:///{db}", "s")
    assert len(helpers.counted(ts)) == N + 1 and not helpers.running(ts), helpers.summary(ts)
