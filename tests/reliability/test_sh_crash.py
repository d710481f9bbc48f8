"""kill -9 in the middle of ``nas search --strategy sh`` on sqlite, then the same command
again: nothing lost (finished trials keep their results), nothing trained twice (the
killed run's retry resumes from its per-epoch checkpoint, with the rung decisions it had
taken), exactly --trials candidates in the end."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest
from optuna.trial import TrialState

from nas.study.record import Status, as_record
from tests.reliability import helpers
from tests.reliability import sh_checks as shc

N = 6


@pytest.fixture
def started():
    """Processes a test starts: killed (by pid) if still running when it ends."""
    procs = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=30)


def _snapshot(ts):  # type: ignore[no-untyped-def]
    """What must survive: each finished trial's state, values and attrs."""
    return {t.number: (t.state, t.values, t.user_attrs, t.intermediate_values)
            for t in ts if t.state.is_finished()}


def _hang_then_kill(tmp_path: Path, started: list, workers: int,  # type: ignore[no-untyped-def]
                    **hook: object):
    """Start the search, wait until a process hangs where ``hook`` says (right after a
    checkpoint save), SIGKILL that process; (the command's args, the study's URL, the
    search process, the killed pid, the log of checkpoint saves, the output log)."""
    shc.tiny_npz(tmp_path / "tiny.npz")
    args = (*shc.sh_args("s.db", "s", Path("tiny.npz"), N), "--workers", str(workers))
    marks = tmp_path / "marks"
    marks.mkdir()
    saves = tmp_path / "epochs.log"
    log = tmp_path / "a.log"
    a = shc.start(*args, cwd=tmp_path, log=log, NAS_TEST_MARK_DIR=marks,
                  NAS_TEST_SH_LOG=saves, **hook)
    started.append(a)
    hang = marks / "hang"
    helpers.wait_for(lambda: hang.exists() and hang.read_text(), 180, "a run to hang", a, log)
    pid = int(hang.read_text())
    os.kill(pid, signal.SIGKILL)  # `nas search` itself, or one of its workers
    return args, f"sqlite:///{tmp_path / 's.db'}", a, pid, saves, log


def _victim(ts, pid):  # type: ignore[no-untyped-def]
    """The killed process's RUNNING trial."""
    mine = [t for t in helpers.running(ts) if t.user_attrs.get("worker", "").endswith(f":{pid}")]
    assert len(mine) == 1, helpers.summary(ts)
    return mine[0]


def _retry_of(ts, victim):  # type: ignore[no-untyped-def]
    retries = [t for t in ts if t.system_attrs.get("failed_trial") == victim.number]
    assert len(retries) == 1, helpers.summary(ts)  # retried exactly once
    return retries[0]


def test_kill_9_between_rungs_then_rerun_resumes_the_run(tmp_path, started):
    """One worker, SIGKILLed after epoch 3 of a run promoted at rungs 1 and 2 epochs (the
    first candidate: alone at each rung, it is promoted). The rerun fails the dead trial,
    retries it once, and the retry trains epoch 4 only: the epochs and rung scores of the
    killed run are kept; exactly N candidates in the end."""
    args, url, a, pid, saves, _ = _hang_then_kill(tmp_path, started, 1,
                                                       NAS_TEST_SH_HANG_AT=3)
    assert pid == a.pid
    a.wait(timeout=30)
    before = helpers.trials(url, "s")
    victim = _victim(before, pid)
    arch = victim.user_attrs["arch_id"]
    assert victim.user_attrs["status"] == Status.TRAINING
    assert victim.user_attrs["rung"] == 1 and len(victim.user_attrs["rung_accs"]) == 2
    assert sorted(victim.intermediate_values) == [1, 2]
    assert shc.epochs_by_arch(shc.epoch_log(saves))[arch] == [1, 2, 3]

    p = shc.run(*args, cwd=tmp_path, NAS_TEST_SH_LOG=saves)
    helpers.assert_clean_exit(p)
    after = helpers.trials(url, "s")
    shc.check_sh_study(after, N)
    kept = _snapshot(after)
    for number, snap in _snapshot(before).items():  # nothing finished was lost or changed
        assert kept[number] == snap
    dead = next(t for t in after if t.number == victim.number)
    assert dead.state == TrialState.FAIL and dead.user_attrs["status"] == Status.FAILED
    assert dead.user_attrs["fail_reason"] == f"worker {pid} on {socket.gethostname()} died"
    retry = as_record(_retry_of(after, victim))
    assert retry.arch_id == arch and retry.is_counted and retry.rung == 2
    # the retry continued the killed run: its rung scores are the killed run's, then one more
    assert list(retry.rung_accs[:2]) == victim.user_attrs["rung_accs"]
    assert {s: retry.trial.intermediate_values[s] for s in (1, 2)} == \
        victim.intermediate_values
    log = shc.epoch_log(saves)
    shc.assert_each_epoch_trained_once(log)  # epochs 1-3 were not trained again
    assert [(e, p == pid) for a_, e, p in log if a_ == arch] == \
        [(1, True), (2, True), (3, True), (4, False)]
    assert len(shc.epochs_by_arch(log)) == N  # one run per candidate, nothing else


def test_kill_9_of_one_worker_between_rungs(tmp_path, started):
    """`--workers 2`: one worker process is SIGKILLed after epoch 3 of a promoted run;
    the other one fails its trial (heartbeat), retries it from the checkpoint and the
    search ends with exactly N candidates, exit 0. The same command again trains
    nothing."""
    args, url, a, pid, saves, log = _hang_then_kill(tmp_path, started, 2,
                                                         NAS_TEST_SH_HANG_AT=3)
    assert pid != a.pid
    assert a.wait(timeout=240) == 0, log.read_text()
    assert "Traceback" not in log.read_text(), log.read_text()
    ts = helpers.trials(url, "s")
    counted = shc.check_sh_study(ts, N)
    dead = [t for t in ts if t.state == TrialState.FAIL]
    assert len(dead) == 1 and dead[0].user_attrs["worker"].endswith(f":{pid}"), \
        helpers.summary(ts)
    # failed by nas (status and reason), not only by Optuna's heartbeat check (FAIL, but
    # still 'training' to `nas report`): whichever saw it first, the dead pid or the
    # silent heartbeat
    assert dead[0].user_attrs["status"] == Status.FAILED
    assert dead[0].user_attrs["fail_reason"] in (
        f"worker {pid} on {socket.gethostname()} died", "heartbeat stale for over 3 s")
    assert len(dead[0].user_attrs["rung_accs"]) == 2  # it had passed rungs 1 and 2 epochs
    retry = as_record(_retry_of(ts, dead[0]))
    arch = dead[0].user_attrs["arch_id"]
    assert retry.arch_id == arch and retry in counted and retry.rung == 2
    assert list(retry.rung_accs[:2]) == dead[0].user_attrs["rung_accs"]
    saved = shc.epoch_log(saves)
    shc.assert_each_epoch_trained_once(saved)
    assert [(e, p == pid) for a_, e, p in saved if a_ == arch] == \
        [(1, True), (2, True), (3, True), (4, False)]
    assert len({p for _, _, p in saved}) == 2  # the killed worker and the other one

    p = shc.run(*args, cwd=tmp_path, NAS_TEST_SH_LOG=saves)
    helpers.assert_clean_exit(p)
    assert shc.epoch_log(saves) == saved  # nothing more to train
    again = helpers.trials(url, "s")
    assert _snapshot(again) == _snapshot(ts)


def test_kill_9_right_after_a_halt_then_rerun_does_not_train_on(tmp_path, started):
    """One worker, SIGKILLed right after the checkpoint of a run that was *not* promoted
    at a rung (its trial not yet finished). The retry resumes at that rung; it must take
    the decision again (same field: nothing else ran meanwhile), halt there and train no
    further epoch, rather than take the resumed checkpoint for a promotion."""
    args, url, a, pid, saves, _ = _hang_then_kill(tmp_path, started, 1,
                                                       NAS_TEST_SH_HANG_HALTED=1)
    a.wait(timeout=30)
    before = helpers.trials(url, "s")
    victim = _victim(before, pid)
    arch = victim.user_attrs["arch_id"]
    k = victim.user_attrs["rung"]
    assert k < len(shc.RUNGS) - 1
    assert shc.epochs_by_arch(shc.epoch_log(saves))[arch] == list(range(1, shc.RUNGS[k] + 1))

    p = shc.run(*args, cwd=tmp_path, NAS_TEST_SH_LOG=saves)
    helpers.assert_clean_exit(p)
    after = helpers.trials(url, "s")
    shc.check_sh_study(after, N)
    kept = _snapshot(after)
    for number, snap in _snapshot(before).items():
        assert kept[number] == snap
    retry = as_record(_retry_of(after, victim))
    assert retry.arch_id == arch and retry.is_counted
    assert retry.rung == k and retry.halted and list(retry.rung_accs) == \
        victim.user_attrs["rung_accs"]
    log = shc.epoch_log(saves)
    shc.assert_each_epoch_trained_once(log)
    assert shc.epochs_by_arch(log)[arch] == list(range(1, shc.RUNGS[k] + 1))  # no further
