"""A throwaway PostgreSQL cluster for tests: initdb + pg_ctl in a temp dir on 127.0.0.1.

Finds the server binaries on PATH or under ``/usr/lib/postgresql/<version>/bin`` (where
Debian's ``postgresql`` package puts them). ``initdb`` refuses to run as root, so when the
tests run as root (CI, containers) the cluster belongs to an unprivileged user
(``postgres`` if the package created it, else ``nobody``) and every server command runs
through ``runuser``. The cluster listens only on 127.0.0.1 on a free port, trusts local
connections, keeps its socket in its own directory and is deleted when stopped. It skips
fsync (no test outlives the machine) but commits synchronously, as a production server
does: a committed write survives ``halt`` (``pg_ctl stop -m immediate``, an outage).

Use ``PostgresCluster.start()`` / ``.stop()``, or the ``pg_url`` fixture of
``tests/reliability/conftest.py``; ``find_bin_dir()`` is None when no server is installed
(the only case in which the PostgreSQL tests skip).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "nas"
INSTALL_HINT = ("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under "
                "/usr/lib/postgresql/*/bin; install them with "
                "`apt-get install -y postgresql` (.ci/run does)")


def find_bin_dir() -> Path | None:
    """The directory holding initdb and pg_ctl, newest version first, or None."""
    on_path = shutil.which("initdb")
    candidates = [Path(os.path.realpath(on_path)).parent] if on_path else []
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                      key=lambda p: [int(x) for x in Path(p).parent.name.split(".")
                                     if x.isdigit()], reverse=True)
    candidates += [Path(p) for p in versions]
    for d in candidates:
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file():
            return d
    return None


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> str | None:
    """The unprivileged account the server runs as when we are root, else None (= us)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and no unprivileged 'postgres' or 'nobody' account "
                       "exists to own the test cluster (initdb refuses root)")


class PostgresCluster:
    """One private server: ``url`` is a SQLAlchemy URL for psycopg v3."""

    def __init__(self, bin_dir: Path | None = None) -> None:
        found = bin_dir or find_bin_dir()
        if found is None:
            raise FileNotFoundError(INSTALL_HINT)
        self.bin_dir = found
        self.user = _server_user()
        self.port = 0
        self.root: Path | None = None

    # ------------------------------------------------------------------ helpers
    def _cmd(self, *args: str) -> list[str]:
        exe = [str(self.bin_dir / args[0]), *args[1:]]
        return ["runuser", "-u", self.user, "--", *exe] if self.user else exe

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        p = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=timeout,
                           cwd=self.root, env={**os.environ, "LC_ALL": "C", "LANG": "C"})
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({p.returncode}):\n"
                               f"{p.stdout}\n{p.stderr}")
        return p

    @property
    def data_dir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    # --------------------------------------------------------------- lifecycle
    def start(self) -> PostgresCluster:
        # Directly under /tmp (world-traversable): pytest's tmp dirs are 0700 root-owned,
        # which an unprivileged server could not enter.
        self.root = Path(tempfile.mkdtemp(prefix="nas-pg-"))
        os.chmod(self.root, 0o755)
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                  "--encoding=UTF8", "--no-sync")
        last = ""
        for _ in range(5):  # the free port may be taken between probing and binding
            self.port = free_port()
            try:
                self._server_start()
                return self
            except RuntimeError as e:
                last = str(e) + self.log_tail()
        raise RuntimeError(f"PostgreSQL did not start: {last}")

    def _server_start(self) -> None:
        """Start the server on ``self.port`` (the cluster exists)."""
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories={self.root} -c fsync=off "
                "-c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data_dir), "-o", opts,
                  "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def halt(self) -> None:
        """Stop the server as a crash would (``pg_ctl stop -m immediate``: connections cut,
        no checkpoint), keeping its data for ``resume``: a database outage."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop",
                  timeout=60)

    def resume(self) -> None:
        """Start the halted server again on the same port and data (crash recovery)."""
        self._server_start()

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join((self.root / "server.log").read_text().splitlines()[-n:])
        except (OSError, TypeError):
            return ""

    def create_database(self, name: str) -> str:
        """CREATE DATABASE ``name``; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(driver="postgresql"), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w",
                          "stop", timeout=60)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until(pred, timeout: float, step: float = 0.2) -> bool:
    """Poll ``pred()`` until true or ``timeout`` seconds pass; returns the last result."""
    end = time.monotonic() + timeout
    while True:
        if pred():
            return True
        if time.monotonic() > end:
            return False
        time.sleep(step)
