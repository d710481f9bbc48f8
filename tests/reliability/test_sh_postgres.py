"""``nas search --strategy sh`` on a real PostgreSQL server: two `nas search` processes
on one study (as on two machines sharing the runs folder), then a rerun with
``--workers 2`` that tops it up. Exact counts, consistent rungs and promotions, no epoch
of any architecture trained twice."""

from __future__ import annotations

from pathlib import Path

from nas.study.record import as_record
from tests.reliability import helpers
from tests.reliability import sh_checks as shc

N = 6


def _finished(ts):  # type: ignore[no-untyped-def]
    return {t.number: (t.state, t.values, t.user_attrs, t.intermediate_values)
            for t in ts if t.state.is_finished()}


def test_sh_search_by_two_processes_then_resumed(pg_url, tmp_path):
    shc.tiny_npz(tmp_path / "tiny.npz")
    saves = tmp_path / "epochs.log"
    args = shc.sh_args(pg_url, "sh", Path("tiny.npz"), N)
    logs = [tmp_path / f"w{i}.log" for i in range(2)]
    (tmp_path / "ready").mkdir()  # both start training together: both train some
    procs = [shc.start(*args, "--seed", str(i), cwd=tmp_path, log=logs[i],
                       NAS_TEST_SH_LOG=saves, NAS_TEST_EPOCH_SLEEP=0.1,
                       NAS_TEST_SH_BARRIER=f"{tmp_path / 'ready'}:2") for i in range(2)]
    try:
        for p, log in zip(procs, logs, strict=True):
            assert p.wait(timeout=240) == 0, log.read_text()
            assert "Traceback" not in log.read_text(), log.read_text()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
    ts = helpers.trials(pg_url, "sh")
    counted = shc.check_sh_study(ts, N)
    assert {r.worker.rsplit(":", 1)[1] for r in counted} == {str(p.pid) for p in procs}, \
        helpers.summary(ts)  # both processes trained candidates
    log = shc.epoch_log(saves)
    shc.assert_each_epoch_trained_once(log)
    assert shc.epochs_by_arch(log) == {r.arch_id: list(range(1, r.epochs + 1))
                                       for r in counted}

    # resume: the same study, 3 more candidates, by one command with 2 worker processes
    p = shc.run(*shc.sh_args(pg_url, "sh", Path("tiny.npz"), N + 3), "--workers", "2",
                cwd=tmp_path, NAS_TEST_SH_LOG=saves)
    helpers.assert_clean_exit(p)
    after = helpers.trials(pg_url, "sh")
    counted = shc.check_sh_study(after, N + 3)
    kept = _finished(after)
    assert all(kept[n] == snap for n, snap in _finished(ts).items())  # nothing changed
    log = shc.epoch_log(saves)
    shc.assert_each_epoch_trained_once(log)
    assert set(shc.epochs_by_arch(log)) == {r.arch_id for r in counted}
    new = [as_record(t) for t in after if t.number > max(t.number for t in ts)]
    assert sum(1 for r in new if r.is_counted) == 3, helpers.summary(after)
