"""Read-only study storage (issue 16.6): said as such, in one line, exit 2.

Real read-only file systems and immutable files need root (a tmpfs mount remounted
read-only, ``chattr +i``); the tests skip where those are not allowed.
"""

from __future__ import annotations

import os
import shutil
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
