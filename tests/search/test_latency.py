"""Latency in a search: ``latency_ms`` on every screened trial, ``--latency-objective``
(alone and with ``--macs-objective``), resume refusals, and the CLI's one-line errors.

Tiny synthetic data and 1-step proxies (``conftest``). No assertion on how fast
anything is: only that the figures are recorded, positive and used as the objective.
"""

from __future__ import annotations

import json

import optuna
import pytest
from click.testing import CliRunner
from optuna.trial import TrialState

from nas.cli.main import cli
from nas.deploy.timing import RUNS
from nas.errors import NasError
from nas.genome import Genome
from nas.search import Space, run_search
from nas.search.evaluators.latency import RECORD_RUNS
from nas.study import Status
from nas.study.record import records
from nas.study.storage import create_study, make_storage


def _study(summary) -> optuna.Study:
    return optuna.load_study(study_name=summary.study, storage=summary.storage)


def _complete(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return [t for t in study.get_trials() if t.state == TrialState.COMPLETE]


def test_latency_objective_end_to_end(config, data):
    s = run_search(config(trials=2, latency_objective=True), data=data, progress=False)
    study = _study(s)
    assert s.stats.counted == 2
    assert study.metric_names == ["val_acc", "params", "latency_ms"]
    assert [d.name for d in study.directions] == ["MAXIMIZE", "MINIMIZE", "MINIMIZE"]
    assert study.user_attrs["objective_names"] == ["val_acc", "params", "latency_ms"]
    assert study.user_attrs["objectives"] == 3
    done = _complete(study)
    assert len(done) == 2
    for t in done:
        assert t.values[2] == t.user_attrs["latency_ms"] > 0
        assert t.user_attrs["latency_runs"] == RUNS  # an objective: the precise count
    assert s.front and all(r.latency_ms > 0 for r in s.front)


def test_macs_and_latency_objectives_combine(config, data):
    s = run_search(config(trials=1, objectives=3, latency_objective=True), data=data,
                   progress=False)
    study = _study(s)
    assert study.metric_names == ["val_acc", "params", "macs", "latency_ms"]
    (t,) = _complete(study)
    assert t.values[2] == t.user_attrs["macs"] and t.values[3] == t.user_attrs["latency_ms"]


def test_latency_is_recorded_on_every_screened_trial_without_a_budget(config, data):
    s = run_search(config(trials=3, budget=20_000, rf_min=50), data=data, progress=False)
    study = _study(s)
    assert study.metric_names == ["val_acc", "params"]  # recorded, not an objective
    rs = records(study)
    passed = [r for r in rs if r.status != Status.REJECTED]
    assert len(passed) >= 3
    assert all(r.latency_ms > 0 and r.latency_runs == RECORD_RUNS for r in passed)
    static = [r for r in rs if r.status == Status.REJECTED]  # over budget / under rf-min
    assert static and all(r.latency_ms is None for r in static)  # never built


def _two_arch_space() -> Space:
    def sample(trial, budget):
        c = trial.suggest_categorical("s1_c", (8, 16))
        return Genome.from_string(f"cv_c{c}/ds_c16_s2/head")
    return Space("two", "two architectures", sample)


def test_duplicates_carry_their_twins_latency(config, data):
    s = run_search(config(trials=3, space=_two_arch_space(), max_samples=12,
                          latency_objective=True), data=data, progress=False)
    study = _study(s)
    by_number = {t.number: t for t in study.get_trials()}
    dups = [t for t in by_number.values() if t.user_attrs.get("status") == Status.DUPLICATE]
    assert dups
    for d in dups:
        twin = by_number[d.user_attrs["duplicate_of"]]
        assert d.user_attrs["latency_ms"] == twin.user_attrs["latency_ms"] > 0
        if d.state == TrialState.COMPLETE:
            assert d.values == twin.values


def test_latency_budget_is_an_optuna_constraint(config, data):
    s = run_search(config(trials=1, latency_budget=1e6), data=data, progress=False)
    timed = [t for t in _study(s).get_trials() if "latency_ms" in t.user_attrs]
    assert timed and all(t.constraints["latency"] < 0 for t in timed)  # met: <= 0
    assert all(t.user_attrs["latency_runs"] == RUNS for t in timed)


@pytest.mark.parametrize(("first", "then", "needle"), [
    ({"latency_objective": True}, {}, "optimises val_acc, params, latency_ms, not val_acc, "
                                      "params"),
    ({}, {"latency_objective": True}, "not val_acc, params, latency_ms"),
    ({"objectives": 3}, {"latency_objective": True},
     "optimises val_acc, params, macs, not val_acc, params, latency_ms"),
    ({}, {"latency_budget": 5.0}, "latency_budget=None, not 5.0"),
    ({"latency_budget": 5e5}, {}, "latency_budget=500000.0, not None"),
])
def test_resume_with_other_latency_settings_is_refused(config, data, first, then, needle):
    run_search(config(trials=1, **first), data=data, progress=False)
    with pytest.raises(NasError, match="--study") as e:
        run_search(config(trials=2, **then), data=data, progress=False)
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_a_study_from_before_objective_names_is_told_by_its_metric_names(config, data,
                                                                          tmp_path):
    """Older studies carry only the objectives count (3 = MACs): a latency objective
    (also 3) must still be refused."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    create_study(make_storage(url), url, "old", ["maximize", "minimize", "minimize"],
                 {"space": "small", "budget": 30_000, "rf_min": None, "macs_budget": None,
                  "objectives": 3}, {"data": "cifar10"})
    with pytest.raises(NasError, match="optimises val_acc, params, macs"):
        run_search(config(storage=url, study="old", latency_objective=True), data=data,
                   progress=False)


def _cli(*args):
    return CliRunner().invoke(cli, ["search", *args])


def test_cli_latency_objective_json_and_refused_resume(tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    args = ["--budget", "30k", "--space", "small", "--trials", "1", "--data", str(npz),
            "--proxy-epochs", "1", "--strategy", "single", "--sampler", "random", "--quiet"]
    out = _cli(*args, "--latency-objective", "--json")
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout.splitlines()[0])
    assert summary["front"][0]["latency_ms"] > 0
    again = _cli(*args, "--trials", "2")
    assert again.exit_code == 2, again.output
    lines = again.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "--latency-objective" in lines[0]


@pytest.mark.parametrize(("args", "needle"), [
    (["--latency-budget", "0"], "Invalid value for '--latency-budget'"),
    (["--latency-budget", "-1"], "Invalid value for '--latency-budget'"),
    (["--latency-budget", "fast"], "Invalid value for '--latency-budget'"),
    (["--latency-objective=yes"], "Option '--latency-objective' does not take a value"),
])
def test_bad_latency_flags_are_one_line_exit_2(args, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = _cli("--budget", "50k", *args)
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], out.output
    assert not (tmp_path / "studies").exists()


def test_help_says_how_latency_is_measured():
    out = CliRunner().invoke(cli, ["search", "--help"], terminal_width=200)
    text = " ".join(out.output.split())
    assert "--latency-objective" in text and "ONE thread whatever --threads says" in text
    assert "from 50 timed passes with this flag or --latency-objective, else from 20" in text
