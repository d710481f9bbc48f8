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
