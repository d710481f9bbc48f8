"""``nas search --strategy sh --workers 2`` on sqlite, in real processes: two workers
interleave on one study; exact counts, rung records, promotions consistent with the pure
rule on what each worker could see, no epoch of any architecture trained twice, the
dashboard's learning curves (one point per rung reached). Resuming is tested on sqlite
by tests/reliability/test_sh_crash.py and with 2 workers by test_sh_postgres.py."""

from __future__ import annotations

import json
import wsgiref.util

import optuna
import pytest

from nas.study.record import as_record
from tests.reliability import helpers
from tests.reliability import sh_checks as shc

N = 8  # --trials: candidates trained from the lowest rung (halted ones count)


@pytest.fixture(scope="module")
def duo(tmp_path_factory):
    """One `--workers 2` sh search of N trials; (folder, db, sqlite URL)."""
    root = tmp_path_factory.mktemp("sh-duo")
    shc.tiny_npz(root / "tiny.npz")
    db = root / "s.db"
    (root / "ready").mkdir()
    # both workers start training together (a barrier before their first run), and a
    # short pause after each epoch keeps their runs overlapping in time
    p = shc.run(*shc.sh_args(db, "duo", root / "tiny.npz", N), "--workers", "2", cwd=root,
                NAS_TEST_SH_LOG=root / "epochs.log", NAS_TEST_EPOCH_SLEEP=0.1,
                NAS_TEST_SH_BARRIER=f"{root / 'ready'}:2")
    helpers.assert_clean_exit(p)
    return root, db, f"sqlite:///{db}"


def _overlap(a, b) -> bool:  # type: ignore[no-untyped-def]
    return a.datetime_start < b.datetime_complete and b.datetime_start < a.datetime_complete


def test_two_workers_train_exactly_trials_candidates_each_once(duo):
    root, _, url = duo
    ts = helpers.trials(url, "duo")
    counted = shc.check_sh_study(ts, N)
    workers = {r.worker for r in counted}
    assert len(workers) == 2, helpers.summary(ts)  # both workers trained candidates
    ours = [r.trial for r in counted]
    assert any(_overlap(a, b) for a in ours for b in ours  # ... at the same time
               if as_record(a).worker != as_record(b).worker), helpers.summary(ts)
    log = shc.epoch_log(root / "epochs.log")
    shc.assert_each_epoch_trained_once(log)
    # every architecture trained is a counted trial's, for exactly its rung's epochs
    assert shc.epochs_by_arch(log) == {r.arch_id: list(range(1, r.epochs + 1))
                                       for r in counted}
    assert {pid for _, _, pid in log} == {int(w.rsplit(":", 1)[1]) for w in workers}
    # successive halving: everyone is scored at rung 0, fewer climb, the first one to
    # reach a rung is always promoted so the top rung is reached
    reached = [sum(1 for r in counted if r.rung >= k) for k in range(len(shc.RUNGS))]
    assert reached[0] == N and reached[0] >= reached[1] >= reached[2] >= 1, reached


def test_dashboard_draws_one_point_per_rung_reached(duo):
    """Plain Optuna (what optuna-dashboard reads) and the dashboard's own API."""
    from nas.dashboard import make_dashboard

    _, db, url = duo
    study = optuna.load_study(study_name="duo", storage=url)
    assert study.user_attrs["rungs"] == list(shc.RUNGS)
    curves = {}
    for t in study.get_trials():
        attrs = t.user_attrs
        if attrs.get("status") != "trained":
            assert not t.intermediate_values, t  # screened, never trained
            continue
        steps = shc.RUNGS[:attrs["rung"] + 1]
        assert sorted(t.intermediate_values) == list(steps), t
        assert [t.intermediate_values[s] for s in steps] == attrs["rung_accs"], t
        curves[t.number] = [[s, t.intermediate_values[s]] for s in steps]
    assert len(curves) == N

    server, page = make_dashboard(db, port=0)  # not serving: its WSGI app is called directly
    try:
        env: dict = {"PATH_INFO": f"/api/studies/{page.rsplit('/', 1)[1]}"}
        wsgiref.util.setup_testing_defaults(env)
        status = []
        body = b"".join(server.get_app()(env, lambda s, h, *a: status.append(s)))
    finally:
        server.server_close()
    assert status == ["200 OK"]
    detail = json.loads(body)
    assert detail["has_intermediate_values"]
    drawn = {t["number"]: [[v["step"], v["value"]] for v in t["intermediate_values"]]
             for t in detail["trials"] if t["intermediate_values"]}
    assert drawn == curves


def test_help_states_what_trials_means_with_sh():
    from click.testing import CliRunner

    from nas.cli.main import cli

    out = CliRunner().invoke(cli, ["search", "--help"], terminal_width=200).output
    text = " ".join(out.split())
    assert "Trained candidates wanted in the study in total (a rerun tops up)" in text
    assert "With --strategy sh: candidates trained from the lowest rung" in text
    assert "0: off. [default: 0.85 for a new study" in text  # --fill (issue 14's arm d)
    assert "the study's own on resume]" in text
