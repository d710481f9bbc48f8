"""What a real --strategy sh study tells its sampler (tiny data, real training).

The values stored on COMPLETE trials are what every Optuna sampler, ``best_trials`` and
the dashboard's Pareto plot read: a net halted at a lower rung must rank below every net
that went further, and no architecture may be told twice.
"""

from __future__ import annotations

import optuna
import pytest
from optuna.trial import TrialState

from nas.genome import Genome
from nas.search import Space, run_search
from nas.study.record import Status, as_record


@pytest.fixture()
def sh(config, tmp_path, monkeypatch):
    monkeypatch.setattr("nas.search.samplers.tpe.STARTUP_TRIALS", 2)  # TPE models early

    def make(**kw):
        base = {"strategy": "sh", "min_epochs": 1, "max_epochs": 4, "eta": 2, "trials": 8,
                "runs_dir": str(tmp_path / "runs"), "sampler": "tpe"}
        return config(**{**base, **kw})
    return make


def _few_archs() -> Space:
    """Four architectures: a TPE search of 8 candidates must repeat some."""
    def sample(trial, budget):
        c = trial.suggest_categorical("c", (8, 12, 16, 24))
        return Genome.from_string(f"cv_c{c}/ds_c16_s2/head")
    return Space("four", "four architectures", sample)


def _dominates(a, b, directions):
    signs = [1 if d == optuna.study.StudyDirection.MAXIMIZE else -1 for d in directions]
    ge = all(s * x >= s * y for s, x, y in zip(signs, a, b, strict=True))
    return ge and any(s * x > s * y for s, x, y in zip(signs, a, b, strict=True))


def _study(summary):
    return optuna.load_study(study_name=summary.study, storage=summary.storage)


def test_pareto_study_every_halted_trial_is_dominated_by_every_one_that_went_further(sh, data):
    study = _study(run_search(sh(objectives=2), data=data, progress=False))
    done = [t for t in study.get_trials() if t.state == TrialState.COMPLETE]
    rung = {t.number: as_record(t).rung for t in done}
    assert len(set(rung.values())) >= 2, rung  # halted and promoted trials both present
    for a in done:
        for b in done:
            if rung[b.number] > rung[a.number]:
                assert _dominates(b.values, a.values, study.directions), (a.number, b.number)
    top = [t for t in done if rung[t.number] == 2]
    assert {t.number for t in study.best_trials} <= {t.number for t in top}
    for t in top:  # the front is told what was measured
        r = as_record(t)
        assert t.values == [r.val_acc, r.params]


@pytest.mark.parametrize("objectives", [1, 2])
def test_no_architecture_is_told_twice_as_complete(sh, data, objectives):
    s = run_search(sh(objectives=objectives, space=_few_archs(), max_samples=12),
                   data=data, progress=False)
    trials = _study(s).get_trials()
    dups = [t for t in trials if as_record(t).status == Status.DUPLICATE]
    assert dups, "the four-architecture space must repeat itself"
    for t in dups:
        assert t.state == TrialState.PRUNED and not t.intermediate_values
    complete = [as_record(t).arch_id for t in trials if t.state == TrialState.COMPLETE]
    assert len(complete) == len(set(complete))


def test_one_objective_study_halts_through_optunas_successive_halving(sh, data):
    s = run_search(sh(objectives=1, trials=10), data=data, progress=False)
    study = _study(s)
    assert len(study.directions) == 1
    rs = [as_record(t) for t in study.get_trials() if as_record(t).is_counted]
    halted = [r for r in rs if r.halted]
    assert halted and len(halted) < len(rs)
    for r in rs:
        t = r.trial
        # Optuna's SuccessiveHalvingPruner entered it in each rung it was judged at
        assert {f"completed_rung_{k}" for k in range(min(r.rung + 1, 2))} <= \
            set(t.system_attrs), t.system_attrs
        assert t.intermediate_values == {e: a for e, a in zip((1, 2, 4), r.rung_accs,
                                                              strict=False)}
        if r.halted:  # PRUNED at its rung, as Optuna's pruners end trials
            assert t.state == TrialState.PRUNED and r.status == Status.STOPPED
            assert r.rung < 2 and r.val_acc == r.rung_accs[-1]
        else:
            assert t.state == TrialState.COMPLETE and t.values == [r.val_acc]
            assert r.rung == 2 and r.epochs == 4
    assert s.stats.counted == 10 and s.front  # halted trials are counted, not on the front
    assert all(not r.halted for r in s.front)
