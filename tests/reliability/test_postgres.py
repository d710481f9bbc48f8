"""Distributed search on a real PostgreSQL server: several processes, one study.

Each test gets a fresh database on a throwaway cluster (``pg_url``, tests/postgres.py).
The worker processes are separate ``nas search`` commands, exactly as on N machines.
"""

from __future__ import annotations

import time
from collections import Counter

from optuna.trial import TrialState

from nas.study import COUNTED, Status
from tests.reliability import helpers

N = 6


def test_missing_server_binaries_skip_with_the_fix(monkeypatch):
    """Where PostgreSQL is not installed, the tests skip and say how to install it."""
    import tests.postgres as pg

    monkeypatch.setattr(pg.shutil, "which", lambda name: None)
    monkeypatch.setattr(pg.glob, "glob", lambda pattern: [])
    assert pg.find_bin_dir() is None
    assert "apt-get install -y postgresql" in pg.INSTALL_HINT


def test_two_workers_share_one_study(pg_url, tiny_npz, tmp_path):
    """2 processes, --trials 6: exactly 6 trained in total, every architecture trained
    once, all within budget, both workers trained some, each printed the other's."""
    args = (*helpers.SEARCH, "--trials", str(N), "--storage", pg_url, "--study", "duo",
            "--data", str(tiny_npz))
    logs = [tmp_path / f"w{i}.log" for i in range(2)]
    procs = [helpers.start(*args, "--seed", str(i), cwd=tmp_path, log=logs[i]) for i in range(2)]
    for p in procs:
        p.wait(timeout=240)
    outs = [log.read_text() for log in logs]
    for p, out in zip(procs, outs, strict=True):
        assert p.returncode == 0, out
        assert "Traceback" not in out

    ts = helpers.trials(pg_url, "duo")
    done = helpers.counted(ts)
    assert len(done) == N, helpers.summary(ts)
    assert not helpers.running(ts), helpers.summary(ts)
    trained_ids = Counter(t.user_attrs["arch_id"] for t in ts if t.user_attrs.get("status")
                          in (*COUNTED, Status.TRAINING, Status.FAILED))
    assert max(trained_ids.values()) == 1, trained_ids  # no architecture trained twice
    assert all(t.user_attrs["params"] <= int(helpers.BUDGET) for t in done)
    workers = Counter(t.user_attrs["worker"] for t in done)
    assert len(workers) == 2, workers  # both processes trained

    # each worker printed trials the other one finished (all those finished while it ran)
    trained = {t.number for t in done if t.user_attrs["status"] == Status.TRAINED}
    for p, out in zip(procs, outs, strict=True):
        printed = {int(line.split()[0][1:]) for line in out.splitlines()
                   if line.startswith("#") and " trained " in line}
        others = {t.number for t in done if not t.user_attrs["worker"].endswith(f":{p.pid}")}
        assert printed <= trained, out
        assert printed & others, (out, others)
        first_own = min(t.datetime_start for t in done
                        if t.user_attrs["worker"].endswith(f":{p.pid}"))
        late = {t.number for t in done if t.number in others and t.number in trained
                and t.datetime_complete > first_own}
        assert late <= printed, (out, late)


def test_an_architecture_is_never_trained_twice_at_once(pg_url, tiny_npz, tmp_path):
    """A space of 2 architectures, 2 workers with the same seed (so both first sample
    the same one) and slow trainings: the second worker sees the first one's in-flight
    mark and moves to the other architecture; each is trained exactly once."""
    args = ("search", "--budget", helpers.BUDGET, "--space", "pair", "--proxy-epochs", "1",
            "--strategy", "single",
            "--sampler", "random", "--seed", "0", "--trials", "2", "--storage", pg_url,
            "--study", "pair", "--data", str(tiny_npz), "--quiet", "--fill", "0")
    logs = [tmp_path / f"w{i}.log" for i in range(2)]
    procs = [helpers.start(*args, cwd=tmp_path, log=logs[i], NAS_TEST_PAIR_SPACE=1,
                     NAS_TEST_TRAIN_DELAY=3) for i in range(2)]
    for p, log in zip(procs, logs, strict=True):
        assert p.wait(timeout=240) == 0, log.read_text()
    ts = helpers.trials(pg_url, "pair")
    done = helpers.counted(ts)
    assert len(done) == 2, helpers.summary(ts)
    assert len({t.user_attrs["arch_id"] for t in done}) == 2, helpers.summary(ts)
    trained = [t for t in ts if t.user_attrs.get("status") in (*COUNTED, Status.FAILED)]
    assert len(trained) == 2, helpers.summary(ts)  # nothing else was ever trained
    skipped = [t for t in ts if t.user_attrs.get("status") in (Status.IN_FLIGHT, Status.DUPLICATE,
                                                               Status.SURPLUS)]
    print(f"{len(ts)} trials: {len(done)} trained, "
          f"{Counter(t.user_attrs['status'] for t in skipped)} skipped")


def test_sigkilled_worker_trial_is_failed_and_retried(pg_url, tiny_npz, tmp_path):
    """Worker A (on 'another machine') is SIGKILLed in the middle of a trial. Worker B
    fails it once its heartbeat is older than the grace period (3 s here), retries the
    same architecture once, and finishes with exactly --trials trained, no RUNNING."""
    n = 4
    args = (*helpers.SEARCH, "--trials", str(n), "--storage", pg_url, "--study", "kill",
            "--data", str(tiny_npz), "--quiet")
    marks = tmp_path / "marks"
    marks.mkdir()
    log_a = tmp_path / "a.log"
    a = helpers.start(*args, "--seed", "0", cwd=tmp_path, log=log_a, NAS_TEST_MARK_DIR=marks,
                NAS_TEST_HANG_FROM=2, NAS_TEST_HOST="machine-a")
    helpers.wait_for(lambda: len(helpers.marks(marks)) >= 2, 120, "A's second training", a, log_a)
    time.sleep(1.5)  # a heartbeat or two of the hanging trial reach the database
    before = helpers.trials(pg_url, "kill")
    victim = [t for t in helpers.running(before) if t.user_attrs.get("status") == Status.TRAINING]
    assert len(victim) == 1, helpers.summary(before)
    victim_no = victim[0].number
    helpers.kill(a)
    a.wait(timeout=30)
    killed_at = time.monotonic()

    log_b = tmp_path / "b.log"
    b = helpers.start(*args, "--seed", "1", cwd=tmp_path, log=log_b)

    def victim_failed() -> bool:
        t = next(t for t in helpers.trials(pg_url, "kill") if t.number == victim_no)
        return t.state == TrialState.FAIL

    helpers.wait_for(victim_failed, 120, "the killed trial to be failed", b, log_b, step=0.5)
    recovered_s = time.monotonic() - killed_at
    b.wait(timeout=240)
    out_b = log_b.read_text()
    assert b.returncode == 0, out_b
    assert "Traceback" not in out_b

    ts = helpers.trials(pg_url, "kill")
    assert len(helpers.counted(ts)) == n, helpers.summary(ts)
    assert not helpers.running(ts), helpers.summary(ts)
    dead = next(t for t in ts if t.number == victim_no)
    assert dead.user_attrs["status"] == Status.FAILED, helpers.summary(ts)
    assert dead.user_attrs["fail_reason"] == "heartbeat stale for over 3 s", helpers.summary(ts)
    retries = [t for t in ts if t.system_attrs.get("failed_trial") == victim_no]
    assert len(retries) == 1, helpers.summary(ts)  # retried exactly once
    retry = retries[0]
    assert retry.state.is_finished(), helpers.summary(ts)
    assert retry.params == victim[0].params  # the same architecture again
    assert retry.user_attrs["arch_id"] == victim[0].user_attrs["arch_id"]
    assert retry.user_attrs["worker"].split(":")[0] != "machine-a"
    print(f"killed trial #{victim_no} failed {recovered_s:.1f}s after SIGKILL "
          f"(grace 3 s, heartbeat 1 s); retry #{retry.number} {retry.user_attrs['status']}")
