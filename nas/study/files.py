"""Study files on disk: a SQLite database or an Optuna journal, told apart by content.

Opening must never write to the wrong file: a typo, a text file or another program's
SQLite database gives a one-line ``NasError`` instead of Optuna silently creating its
tables there.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from nas.errors import NasError
from nas.study.errors import one_line

SQLITE_MAGIC = b"SQLite format 3\x00"
OPTUNA_TABLES = {"studies", "trials", "version_info"}
SQLITE_TIMEOUT_S = 60  # how long a writer (or a reader) waits for sqlite's lock


def head(path: Path) -> bytes | None:
    """The first bytes of an existing file (None if absent); NasError if unreadable."""
    try:
        if not path.exists():
            return None
        if not path.is_file():
            raise NasError(f"{path}: not a file (pass a study .db file or a storage URL)")
        with path.open("rb") as f:
            return f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise NasError(f"{path}: cannot read ({e.strerror or type(e).__name__})") from None


def immutable_uri(path: Path) -> str | None:
    """SQLite's URI (``file:...?immutable=1``) to read ``path`` where SQLite cannot
    otherwise open it at all; None where it can.

    A study is in WAL mode, and SQLite reads a WAL database through its ``-shm`` file,
    which it cannot create in a read-only folder or file system: there the file is
    opened ``immutable`` (no locks, no ``-shm``), which is exact as long as no ``-wal``
    holds writes not yet copied into it (a search that closed cleanly leaves none).
    """
    if os.access(path.parent, os.W_OK) or Path(f"{path}-shm").exists():
        return None
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None
    return f"file:{quote(str(path), safe='/')}?immutable=1"  # '?', '#' in a folder name


def sqlite_tables(path: Path) -> set[str]:
    """Table names of a SQLite file, opened read-only."""
    try:
        uri = immutable_uri(path) or f"file:{quote(str(path), safe='/')}?mode=ro"
        con = sqlite3.connect(uri, uri=True)
        try:
            return {r[0] for r in con.execute(
                "select name from sqlite_master where type='table'")}
        finally:
            con.close()
    except sqlite3.Error as e:
        raise NasError(f"{path}: unreadable SQLite database ({one_line(e)})") from None


def check_new_sqlite(path: Path) -> None:
    """NasError unless ``path`` can hold a new or resumed study: writable, and absent
    (its folder is created), empty, or a SQLite database that is empty or already an
    Optuna one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise NasError(f"{path}: cannot create its folder ({e.strerror})") from None
    first = head(path)  # unreadable: said first
    check_writable(path)  # before sqlite fails on it with a misleading message
    if not first:
        return
    if first != SQLITE_MAGIC:
        raise NasError(f"{path}: exists and is not a SQLite database (pass a new path or "
                       "an Optuna study .db)")
    tables = sqlite_tables(path)
    if tables and not tables >= OPTUNA_TABLES:
        raise NasError(f"{path}: a SQLite database of something else (tables: "
                       f"{', '.join(sorted(tables)[:5])}), not an Optuna study; pass "
                       "another --storage path")


class ReadOnlyStudy(NasError):
    """The study file, or its folder, cannot be written: a search may still report a
    study that has nothing to add (``nas.search.runner``)."""


READ_ONLY_HINT = ("`nas report` and `nas retrain` can still read it; to search on, make it "
                  "writable or copy the study to a writable folder and pass that --storage")
READ_ONLY_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS)


def check_writable(path: Path) -> None:
    """NasError naming what is read-only, before sqlite (and Optuna) fail on it with
    misleading messages ("exceeding max length", "attempt to write a readonly
    database"): the study file itself (permissions, immutable flag, read-only mount),
    or its folder, where sqlite must create the ``-wal``/``-shm`` files next to it."""
    if path.exists():
        try:
            with path.open("r+b"):
                pass
        except OSError as e:
            if e.errno in READ_ONLY_ERRNOS:
                raise ReadOnlyStudy(f"{path}: the study file is read-only ({e.strerror}); "
                               f"{READ_ONLY_HINT}") from None
            raise
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReadOnlyStudy(f"{folder}: the folder of {path.name} is read-only (sqlite writes "
                       f"{path.name}-wal and -shm next to it); {READ_ONLY_HINT}")
    check_space(folder)


def writable(path: Path) -> bool:
    """Whether an existing study file can be written, and its folder (sqlite's ``-wal``
    and ``-shm`` live there): False for permissions, the immutable flag, a read-only
    mount."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def check_space(folder: Path) -> None:
    """NasError when the file system holding ``folder`` has no free block: sqlite would
    fail with "disk I/O error" (its ``-shm`` file cannot grow), read as a broken file."""
    error = space_error(folder)
    if error is not None:
        raise error


def space_error(folder: Path) -> NasError | None:
    """The one-line error for a full file system holding ``folder``, None if it has free
    blocks. Also what a sqlite error in the middle of a search is checked against: a
    disk that filled up mid-trial surfaces as "database or disk is full" or "disk I/O
    error" from deep inside Optuna."""
    try:
        free = os.statvfs(folder).f_bavail  # blocks available to this user
    except (OSError, AttributeError):  # no statvfs (Windows): sqlite will say it
        return None
    if free > 0:
        return None
    return NasError(f"{folder}: no space left on the file system holding the study; "
                    "free some space and rerun (finished trials are kept)")


def use_wal(path: Path) -> None:
    """WAL mode (persistent in the file): readers never block the writer."""
    con = sqlite3.connect(path, timeout=SQLITE_TIMEOUT_S)
    try:
        con.execute("PRAGMA journal_mode=WAL")
    except sqlite3.DatabaseError as e:
        raise NasError(f"{path}: not a usable SQLite database ({one_line(e)})") from e
    finally:
        con.close()


def check_journal(path: Path) -> None:
    """NasError unless the first line of ``path`` is an Optuna journal operation."""
    with path.open("rb") as f:
        first = f.readline()
    try:
        ok = "op_code" in json.loads(first)
    except (ValueError, TypeError):
        ok = False
    if not ok:
        raise NasError(f"{path}: not an Optuna storage (expected a SQLite study database, "
                       "a journal file or a storage URL)")


def existing_kind(path: Path) -> str:
    """'sqlite' or 'journal' for an existing study file; NasError otherwise."""
    first = head(path)
    if first is None:
        raise NasError(f"{path}: no such study file (pass the .db written by `nas search` "
                       "or a storage URL)")
    if first == SQLITE_MAGIC:
        if not sqlite_tables(path) >= OPTUNA_TABLES:
            raise NasError(f"{path}: a SQLite file but not an Optuna study database")
        return "sqlite"
    check_journal(path)
    return "journal"
