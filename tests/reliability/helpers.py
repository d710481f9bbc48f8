"""Running ``nas`` in real processes (through ``driver.py``'s hooks) and reading studies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
from optuna.trial import FrozenTrial, TrialState

from nas.study.record import as_record
from nas.study.storage import create_rdb

DRIVER = Path(__file__).with_name("driver.py")
BUDGET = "30000"  # the small space reaches 2.5k..44k params at this budget: most fit
# --fill 0: these tests are about processes and storage; the tiny spaces' own samples
# keep their trials distinct and quick (--fill has its own tests in tests/search)
SEARCH = ("search", "--budget", BUDGET, "--space", "small", "--proxy-epochs", "1",
          "--strategy", "single",
          "--sampler", "random", "--fill", "0")


def env(**extra: object) -> dict[str, str]:
    """This environment, one torch thread per process (2 workers share 2 cores), plus
    ``extra`` (None values dropped)."""
    out = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1",
           "NAS_HEARTBEAT_INTERVAL": "1", "NAS_GRACE_PERIOD": "3"}
    out.update({k: str(v) for k, v in extra.items() if v is not None})
    return out


def run(*args: str, cwd: Path, timeout: float = 240, **extra: object
        ) -> subprocess.CompletedProcess:
    """``nas args`` to completion (through the driver, hooks from ``extra``)."""
    return subprocess.run([sys.executable, str(DRIVER), *args], cwd=cwd, env=env(**extra),
                          capture_output=True, text=True, timeout=timeout)


def start(*args: str, cwd: Path, log: Path, **extra: object) -> subprocess.Popen:
    """``nas args`` in the background, stdout+stderr to ``log``."""
    f = log.open("w")
    return subprocess.Popen([sys.executable, str(DRIVER), *args], cwd=cwd, env=env(**extra),
                            stdout=f, stderr=subprocess.STDOUT, text=True)


def wait_for(pred, timeout: float, what: str, proc: subprocess.Popen | None = None,
             log: Path | None = None, step: float = 0.2) -> float:
    """Poll ``pred()`` until true; seconds waited. Fails with the log if the process died."""
    t0 = time.monotonic()
    while not pred():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited ({proc.returncode}) before {what}:\n"
                                 + (log.read_text() if log else ""))
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n"
                                 + (log.read_text() if log else ""))
        time.sleep(step)
    return time.monotonic() - t0


def marks(mark_dir: Path) -> list[Path]:
    return sorted(mark_dir.glob("train-*"))


def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    proc.send_signal(sig)


def trials(url: str, study: str) -> list[FrozenTrial]:
    # retried while nas creates the schema; waits for sqlite's lock like nas does
    kwargs = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}
    storage = create_rdb(url, skip_table_creation=True, engine_kwargs=kwargs)
    try:
        return optuna.load_study(study_name=study, storage=storage).get_trials(deepcopy=True)
    finally:
        storage.remove_session()
        storage.engine.dispose()


def counted(ts: list[FrozenTrial]) -> list[FrozenTrial]:
    return [t for t in ts if as_record(t).is_counted]


def running(ts: list[FrozenTrial]) -> list[FrozenTrial]:
    return [t for t in ts if t.state == TrialState.RUNNING]


def summary(ts: list[FrozenTrial]) -> str:
    """One line per trial, for assertion messages."""
    return "\n".join(f"#{t.number} {t.state.name} {t.user_attrs.get('status')} "
                     f"{t.user_attrs.get('arch_id')} {t.user_attrs.get('worker')} "
                     f"{t.user_attrs.get('fail_reason', '')} {t.system_attrs}" for t in ts)


def assert_clean_exit(p: subprocess.CompletedProcess, code: int = 0) -> None:
    assert p.returncode == code, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    assert "Traceback" not in p.stderr + p.stdout, p.stderr
