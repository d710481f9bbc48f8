"""--start-from (warm start): given nets are the first trials, as they are; queued once
per study, retried like any candidate, refused with a one-line error when they cannot run."""

from __future__ import annotations

import optuna
import pytest
from click.testing import CliRunner
from optuna.trial import TrialState

import nas.search.evaluators.base as trainer_seam
from nas.cli.main import cli
from nas.errors import NasError
from nas.genome import Genome
from nas.report.frame import trials_frame
from nas.search import run_search
from nas.study import records

SMALL = "cv_c8/ds_c16_s2/head"  # 4 classes at 16 px: ~700 params, far under the budget
WIDER = "cv_c12/ds_c24_s2/head"


def _records(summary):
    return records(optuna.load_study(study_name=summary.study, storage=summary.storage))


def _as_run(genome: str) -> str:
    """The genome a given net trains as on the tiny data (its head: 4 classes)."""
    return Genome.from_string(genome).replace_head(c=4, i=3).to_string()


def test_given_nets_are_trained_first_as_they_are_and_queued_once(config, data):
    s = run_search(config(trials=3, start_from=(SMALL, WIDER, SMALL)), data=data,
                   progress=False)
    rs = _records(s)
    assert [r.given for r in rs] == [SMALL, WIDER, None]  # the repeat dropped
    assert [r.genome for r in rs[:2]] == [_as_run(SMALL), _as_run(WIDER)]
    assert all(r.is_counted for r in rs) and s.stats.counted == 3
    assert rs[0].trial.params == {} and rs[2].trial.params  # only the third was sampled
    df = trials_frame(optuna.load_study(study_name=s.study, storage=s.storage))
    assert list(df["given"][:2]) == [SMALL, WIDER]  # the report's table names them
    s = run_search(config(trials=4, start_from=(SMALL, WIDER)), data=data, progress=False)
    rs = _records(s)
    assert s.stats.counted == 4 and sum(r.given is not None for r in rs) == 2


def test_tpe_models_the_study_around_the_given_trials(config, data, monkeypatch):
    monkeypatch.setattr("nas.search.samplers.tpe.STARTUP_TRIALS", 2)  # TPE's model from trial 2
    s = run_search(config(trials=5, sampler="tpe", start_from=(SMALL,)), data=data,
                   progress=False)
    rs = _records(s)
    assert s.stats.counted == 5 and rs[0].given == SMALL
    assert all(r.trial.params for r in rs if r.given is None)


def test_a_given_net_climbs_the_rungs_of_successive_halving(config, data, tmp_path):
    s = run_search(config(strategy="sh", min_epochs=1, max_epochs=2, eta=2, trials=3,
                          runs_dir=str(tmp_path / "runs"), start_from=(SMALL,)),
                   data=data, progress=False)
    first = _records(s)[0]
    assert first.given == SMALL and first.sh and len(first.rung_accs) >= 1


def test_the_zero_cost_prescreen_never_rejects_a_given_net(config, data):
    kw = {"prescreen": 0.9, "prescreen_score": "params"}  # keep only the largest tenth
    run_search(config(trials=11, **kw), data=data, progress=False)
    s = run_search(config(trials=12, start_from=(SMALL,), **kw), data=data, progress=False)
    given = [r for r in _records(s) if r.given == SMALL]
    assert len(given) == 1 and given[0].is_counted and given[0].zero_cost_ms is not None
    assert any((r.reject_reason or "").startswith("prescreen") for r in _records(s))


def test_an_interrupted_given_net_is_retried_with_its_genome(config, data, monkeypatch):
    real, calls = trainer_seam.train, {"n": 0}

    def train(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(trainer_seam, "train", train)
    s = run_search(config(trials=2, start_from=(SMALL,)), data=data, progress=False)
    assert s.ended == "interrupted"
    s = run_search(config(trials=2, start_from=(SMALL,)), data=data, progress=False)
    given = [r for r in _records(s) if r.given == SMALL]
    assert [r.state for r in given] == [TrialState.FAIL, TrialState.COMPLETE]
    assert given[1].retry_of == given[0].number and given[1].genome == _as_run(SMALL)


@pytest.mark.parametrize(("kw", "needle"), [
    ({"start_from": ("cv_c256/cv_c256/head",)}, "--start-from cv_c256/cv_c256/head: params"),
    ({"start_from": ("sed004",)}, "--start-from 'sed004': unknown zoo name"),
    ({"start_from": ("cv_c8/zz_c8/head",)}, "--start-from 'cv_c8/zz_c8/head'"),
    ({"start_from": (SMALL,), "sampler": "nsga2"}, "cannot be used with --sampler nsga2"),
])
def test_a_net_that_cannot_start_is_refused_before_the_study(config, data, tmp_path, kw,
                                                               needle):
    with pytest.raises(NasError) as e:
        run_search(config(trials=1, **kw), data=data, progress=False)
    assert needle in str(e.value)
    assert not (tmp_path / "study.db").exists()


def test_cli_takes_zoo_names_and_says_what_is_wrong_in_one_line(tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["search", "--budget", "200k", "--data", str(npz),
                                   "--start-from", "seed004", "--start-from", "seed001"])
    lines = out.output.strip().splitlines()
    assert out.exit_code == 2 and len(lines) == 1, out.output
    assert lines[0].startswith("error: --start-from seed001: params ") and \
        "budget 200,000" in lines[0], lines[0]
    assert not list(tmp_path.rglob("*.db"))
