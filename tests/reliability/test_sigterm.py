"""SIGTERM during `nas search` (a scheduler's stop, `kill`): handled like Ctrl-C."""

from __future__ import annotations

import signal

from optuna.trial import TrialState

from tests.reliability import helpers


def test_sigterm_during_search_fails_the_trial_and_exits_143(tiny_npz, tmp_path):
    """The trial being trained ends FAIL with reason 'interrupted (SIGTERM)', nothing stays
    RUNNING ('training' in `nas report`), one line says what happened, exit 143."""
    db, marks, log = tmp_path / "s.db", tmp_path / "marks", tmp_path / "a.log"
    marks.mkdir()
    a = helpers.start(*helpers.SEARCH, "--trials", "4", "--storage", str(db), "--study", "s",
                      "--data", str(tiny_npz), "--quiet", cwd=tmp_path, log=log,
                      NAS_TEST_MARK_DIR=marks, NAS_TEST_HANG_FROM=2)
    helpers.wait_for(lambda: len(helpers.marks(marks)) >= 2, 120, "training number 2", a, log)
    a.send_signal(signal.SIGTERM)
    assert a.wait(timeout=60) == 143, log.read_text()
    out = log.read_text()
    assert "Traceback" not in out, out
    assert "terminated (SIGTERM): 1/4 trained trials kept" in out, out

    ts = helpers.trials(f"sqlite:///{db}", "s")
    assert not helpers.running(ts), helpers.summary(ts)
    failed = [t for t in ts if t.state == TrialState.FAIL]
    assert len(failed) == 1, helpers.summary(ts)
    assert failed[0].user_attrs["fail_reason"] == "interrupted (SIGTERM)"


def test_sigterm_to_the_process_group_with_worker_processes(tiny_npz, tmp_path):
    """A scheduler's TERM reaches `nas search --workers 2` and both workers: exit 143,
    no traceback, nothing left RUNNING (a trial whose FAIL write the signal cut short is
    failed by the parent and re-queued, as after a SIGKILL)."""
    import os
    import subprocess
    import sys

    db = tmp_path / "s.db"
    url = f"sqlite:///{db}"
    args = (*helpers.SEARCH, "--trials", "6", "--storage", str(db), "--study", "s", "--data",
            str(tiny_npz), "--quiet", "--workers", "2")
    log = tmp_path / "a.log"
    with log.open("w") as f:
        a = subprocess.Popen([sys.executable, "-m", "nas", *args], cwd=tmp_path,
                             env=helpers.env(), stdout=f, stderr=subprocess.STDOUT,
                             start_new_session=True)

    def started() -> bool:
        try:
            return db.exists() and len(helpers.counted(helpers.trials(url, "s"))) >= 1
        except Exception:  # the database exists, the study or its schema not yet
            return False

    helpers.wait_for(started, 180, "a trained trial", a, log, step=0.5)
    os.killpg(a.pid, signal.SIGTERM)
    assert a.wait(timeout=90) == 143, log.read_text()
    out = log.read_text()
    assert "Traceback" not in out and "terminated (SIGTERM)" in out, out
    ts = helpers.trials(url, "s")
    assert not helpers.running(ts), helpers.summary(ts)
