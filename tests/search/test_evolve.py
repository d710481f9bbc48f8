"""--sampler evolve: children of the population, one edit from a parent; from the given
nets at once, else after a random start; a retried child keeps its genome."""

from __future__ import annotations

import optuna
from click.testing import CliRunner

import nas.search.evaluators.base as trainer_seam
from nas.cli.main import cli
from nas.genome import Genome
from nas.report.frame import trials_frame
from nas.search import run_search
from nas.search.evolve import Evolution
from nas.study import records
from nas.study.record import TrialRecord

SMALL = "cv_c8/ds_c16_s2/head"


def _records(summary):
    return records(optuna.load_study(study_name=summary.study, storage=summary.storage))


def _edits(child: str, parent: str) -> int:
    """Blocks that differ (an in-place edit: 1) or the block-count change (deeper or
    shallower: 1)."""
    a, b = Genome.from_string(child).blocks, Genome.from_string(parent).blocks
    return abs(len(a) - len(b)) or sum(x != y for x, y in zip(a, b, strict=True))


def test_from_a_given_net_every_candidate_is_a_child(config, data):
    s = run_search(config(trials=6, sampler="evolve", start_from=(SMALL,)), data=data,
                   progress=False)
    rs = _records(s)
    by_number = {r.number: r for r in rs}
    assert rs[0].given == SMALL and s.stats.counted == 6
    children = rs[1:]
    assert children and all(r.parent is not None and r.mutation for r in children)
    for r in children:
        assert _edits(r.genome, by_number[r.parent].genome) == 1, r.mutation
        assert r.trial.params == {}
    assert len({r.arch_id for r in rs}) == len(rs)  # no architecture twice
    assert all(r.params <= 30_000 for r in rs)  # within the budget (conftest.BUDGET)
    df = trials_frame(optuna.load_study(study_name=s.study, storage=s.storage))
    assert df["parent"].isna()[0] and list(df["parent"][1:]) == [r.parent for r in children]
    assert str(df["parent"].dtype) == "Int64"  # written as trial numbers, not 1.0


def test_without_given_nets_it_samples_the_space_until_a_tournament_is_trained(config, data):
    s = run_search(config(trials=7, sampler="evolve"), data=data, progress=False)
    rs = [r for r in _records(s) if r.is_counted]
    first = Evolution().tournament
    assert all(r.parent is None and r.trial.params for r in rs[:first])
    assert all(r.parent is not None for r in rs[first:]) and len(rs) == 7


def test_the_fittest_of_the_tournament_is_the_parent():
    def rec(n, acc, rung=None):
        return TrialRecord(number=n, state=optuna.trial.TrialState.COMPLETE,
                           status="trained", genome=SMALL, arch_id=f"a{n}", val_acc=acc,
                           rung=rung)
    trials = [rec(0, 0.9), rec(1, 0.5, rung=1), rec(2, 0.3)]
    evo = Evolution(tournament=3)  # the whole population: the fittest must win
    child = evo.propose(3, trials, lambda g: g)
    assert child is not None and child.parent == 1  # a higher rung beats a higher acc
    assert evo.propose(3, trials, lambda g: None) is None  # no child passes the screen


def test_a_retried_child_keeps_its_genome(config, data, monkeypatch):
    real, calls = trainer_seam.train, {"n": 0}

    def train(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the first child
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(trainer_seam, "train", train)
    kw = {"sampler": "evolve", "start_from": (SMALL,)}
    assert run_search(config(trials=3, **kw), data=data, progress=False).ended == \
        "interrupted"
    rs = _records(run_search(config(trials=3, **kw), data=data, progress=False))
    failed = [r for r in rs if r.state == optuna.trial.TrialState.FAIL]
    retry = [r for r in rs if r.retry_of is not None]
    assert len(failed) == 1 and len(retry) == 1 and retry[0].is_counted
    assert retry[0].genome == failed[0].genome and retry[0].parent == failed[0].parent


def test_cli_accepts_the_evolve_sampler(tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["search", "--budget", "30k", "--space", "small",
                                   "--trials", "3", "--sampler", "evolve", "--data", str(npz),
                                   "--proxy-epochs", "1",
            "--strategy", "single", "--start-from", SMALL, "--quiet",
                                   "--fill", "0"])
    assert out.exit_code == 0, out.output


def test_children_are_filled_like_sampled_candidates(config, data):
    s = run_search(config(trials=5, sampler="evolve", fill=0.85, start_from=(SMALL,)),
                   data=data, progress=False)
    children = [r for r in _records(s) if r.parent is not None and r.is_counted]
    assert children and all(0.85 * 30_000 <= r.params <= 30_000 for r in children)
