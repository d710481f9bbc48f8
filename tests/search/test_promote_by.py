"""``--promote-by`` (``sh``): rungs below the top ranked by a learning-curve predictor's
final accuracy instead of the raw one. The ranking on hand-made studies with a fake
predictor (no training), the validation, the study attr, and one real search on the
training-free benchmark's surrogate curves at the recipe the shipped ridge is fitted for."""

from __future__ import annotations

from types import SimpleNamespace

import optuna
import pytest
from click.testing import CliRunner
from optuna.trial import TrialState

from nas.cli.main import cli
from nas.errors import NasError
from nas.lcurve.predict import Static, predictor
from nas.search import SearchConfig
from nas.search.evaluators.base import Setup
from nas.search.evaluators.sh import RungTracker, SuccessiveHalving
from nas.search.rungs import Entry
from nas.train import EpochMetrics, preset

RUNGS = (1, 2, 4)
SIG = "sh1-2-4_eta2_test"


def _epoch(epoch: int, val_acc: float) -> EpochMetrics:
    return EpochMetrics(epoch=epoch, train_loss=1.0, train_acc=0.5, val_loss=1.0,
                        val_acc=val_acc, lr=0.1, seconds=0.1)


def _candidate(trial, arch: str = "me", params: int = 100):
    return SimpleNamespace(trial=trial, genome=SimpleNamespace(arch_id=arch),
                           screen=SimpleNamespace(params=params))


def _pareto_study(*rows: tuple[str, list[float], list[float]]) -> optuna.Study:
    """Finished sh trials (arch_id, rung_accs, rung_preds), 100 params each."""
    study = optuna.create_study(directions=["maximize", "minimize"])
    for arch, accs, preds in rows:
        study.add_trial(optuna.trial.create_trial(
            state=TrialState.COMPLETE, values=[accs[-1], 100],
            user_attrs={"arch_id": arch, "rung_accs": accs, "rung_preds": preds,
                        "params": 100, "sh": SIG, "status": "trained"}))
    return study


def test_pareto_rungs_rank_every_entrant_by_its_prediction():
    """y 0.9 > me 0.6 > w 0.1 raw: eta 2 keeps y alone, so raw halts `me`; predicted,
    me 0.8 > y 0.5 > w 0.2 and `me` goes on. The predictor sees the curve so far."""
    rows = (("y", [0.9], [0.5]), ("w", [0.1], [0.2]))
    raw = RungTracker(_candidate(_pareto_study(*rows).ask()), RUNGS, 2, SIG)
    assert raw(_epoch(1, 0.6)) is True

    seen: list[list[float]] = []
    study = _pareto_study(*rows)
    t = RungTracker(_candidate(study.ask()), RUNGS, 2, SIG,
                    predict=lambda curve: seen.append(list(curve)) or 0.8)
    assert t.field(0) == [Entry(0, 0.5, 100), Entry(1, 0.2, 100)]
    assert t(_epoch(1, 0.6)) is False and not t.halted
    assert t(_epoch(2, 0.7)) is False  # rung 2 epochs: y and w never got there
    assert t(_epoch(3, 0.75)) is False and t(_epoch(4, 0.8)) is False  # the top: raw
    assert seen == [[0.6], [0.6, 0.7]]  # below the top only, the whole curve so far
    attrs = study.trials[-1].user_attrs
    assert attrs["rung_accs"] == [0.6, 0.7, 0.8] and attrs["rung_preds"] == [0.8, 0.8]
    # the dashboard's intermediate values stay raw in Pareto studies
    assert study.trials[-1].intermediate_values == {1: 0.6, 2: 0.7, 4: 0.8}


def test_a_resumed_run_predicts_from_its_checkpointed_curve():
    seen: list[list[float]] = []
    t = RungTracker(_candidate(_pareto_study().ask()), RUNGS, 2, SIG,
                    predict=lambda curve: seen.append(list(curve)) or 0.5)
    assert t.replay([_epoch(1, 0.2), _epoch(2, 0.3), _epoch(3, 0.4)]) is False
    assert seen == [[0.2], [0.2, 0.3]] and t.preds == [0.5, 0.5]
    assert t(_epoch(4, 0.45)) is False and t.accs == [0.2, 0.3, 0.45]


@pytest.mark.parametrize(("predict", "second_halts"), [
    (None, True),  # raw: 0.1 against the first trial's 0.9
    ({0.9: 0.3, 0.1: 0.9}.get, False),  # predicted: 0.9 against 0.3
])
def test_one_objective_rungs_report_the_prediction_to_optunas_pruner(predict, second_halts):
    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.
                                SuccessiveHalvingPruner(min_resource=1, reduction_factor=2,
                                                        min_early_stopping_rate=0,
                                                        bootstrap_count=0))
    trackers = []
    for arch, acc in (("a", 0.9), ("b", 0.1)):
        fake = None if predict is None else (lambda curve, acc=acc: predict(acc))
        t = RungTracker(_candidate(study.ask(), arch), RUNGS, 2, SIG, optuna_pruner=True,
                        predict=fake)
        trackers.append((t, t(_epoch(1, acc))))
    assert trackers[0][1] is False and trackers[1][1] is second_halts
    for (t, _), acc in zip(trackers, (0.9, 0.1), strict=True):
        ranked = acc if predict is None else predict(acc)
        assert t.c.trial.study.trials[t.c.trial.number].intermediate_values == {1: ranked}
        assert t.accs == [acc]


def _setup(**kw) -> Setup:
    from nas.data import make_synthetic

    data = make_synthetic(n_train=64, n_val=32, n_test=32, image_size=16, num_classes=4)
    return Setup(data, preset("full", epochs=4), rungs=RUNGS, eta=2, **kw)


def test_the_setups_predictor_scores_each_candidate_from_its_static_figures():
    asked: list[tuple[str, int, str]] = []

    class Fake:
        def __init__(self, k: int) -> None:
            self.k = k

        def predict(self, prefix, static):
            return self.k + sum(prefix) + static.macs + static.params + static.depth

    def factory(name: str, k: int, recipe: str) -> Fake:
        asked.append((name, k, recipe))
        return Fake(k)

    ev = SuccessiveHalving(_setup(promote_by="ridge", predictor=factory))
    assert asked == [("ridge", 1, "e4_n64_b256_lr0.2"), ("ridge", 2, "e4_n64_b256_lr0.2")]
    blocks = [SimpleNamespace(op="cv"), SimpleNamespace(op="rb"), SimpleNamespace(op="pool")]
    c = SimpleNamespace(genome=SimpleNamespace(blocks=blocks),
                        screen=SimpleNamespace(macs=1000, params=100))
    predict = ev.predict(c)
    assert predict is not None and predict([0.5, 0.25]) == 2 + 0.75 + 1000 + 100 + 3
    assert SuccessiveHalving(_setup()).predict(c) is None  # raw: no predictor


def test_a_recipe_without_fitted_models_is_refused_when_the_evaluator_starts():
    with pytest.raises(NasError, match=r"^--promote-by ridge: no fitted model for the "
                                       r"recipe e4_n64_b256_lr0\.2"):
        SuccessiveHalving(_setup(promote_by="ridge", predictor=predictor))


@pytest.mark.parametrize(("kw", "needle"), [
    ({"promote_by": "best"}, "--promote-by must be one of raw, ridge, got 'best'"),
    ({"promote_by": "ridge", "max_epochs": 27}, "has fitted models only for the CIFAR-10 "
                                                "recipe(s) e30_n45000_b256_lr0.2, not "
                                                "cifar10 e27_n45000"),
    ({"promote_by": "ridge", "subset": 10_000}, "not cifar10 e30_n10000_b256_lr0.2"),
    ({"promote_by": "ridge", "cutout": 8}, "not cifar10 e30_n45000_b256_lr0.2+cutout8"),
    ({"promote_by": "ridge", "data": "x.npz"}, "not x.npz e30_n45000"),
    ({"promote_by": "ridge", "strategy": "single"}, "--promote-by needs --strategy sh"),
])
def test_bad_settings_are_refused_in_one_line(kw, needle):
    with pytest.raises(NasError) as e:
        SearchConfig(**{"budget": 200_000, "trials": 1, "strategy": "sh", **kw})
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_the_cli_refuses_a_bad_value_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["search", "--budget", "200k", "--strategy", "sh",
                                   "--promote-by", "ridge", "--max-epochs", "9"])
    assert out.exit_code == 2, out.output
    assert "--promote-by ridge has fitted models only" in out.output


def test_a_study_made_before_promote_by_is_not_resumed_with_ridge():
    old = {"strategy": "sh", "rungs": [1, 3, 10, 30], "eta": 3}
    assert SearchConfig(budget=200_000, trials=1).following(old).promote_by == "raw"
    with pytest.raises(NasError, match="made before --promote-by"):
        SearchConfig(budget=200_000, trials=1, promote_by="ridge").following(old)
    made = {**old, "promote_by": "ridge"}  # unset: the study's own
    assert SearchConfig(budget=200_000, trials=1).following(made).promote_by == "ridge"


def _bench(tmp_path, objectives: int, **kw):
    """A 6-candidate search on the training-free benchmark's surrogate curves: the
    stand-in data has CIFAR-10's 45,000 training images, so the 30-epoch recipe is the
    one the shipped ridge is fitted for."""
    from nas.search import run_search
    from nas.searchbench.surrogate import Surrogate, load
    from nas.searchbench.trainer import SurrogateTrainer, stand_in_data

    config = SearchConfig(budget=200_000, trials=6, space="default", study="p",
                          storage=str(tmp_path / "p.db"), sampler="random", seed=1,
                          device="cpu", runs_dir=str(tmp_path / "runs"), zero_cost=False,
                          record_latency=False, strategy="sh", eta=3, min_epochs=1,
                          max_epochs=30, fill=0.85, objectives=objectives, **kw)
    run_search(config, data=stand_in_data(), progress=False,
               trainer=SurrogateTrainer(Surrogate(load(), 1)))
    return optuna.load_study(study_name="p", storage=f"sqlite:///{tmp_path / 'p.db'}")


@pytest.mark.parametrize("objectives", [1, 2])
def test_a_real_search_promotes_by_the_shipped_ridge(tmp_path, objectives):
    from nas.genome import Genome
    from nas.study import records
    from nas.zerocost.trivial import DEPTH

    study = _bench(tmp_path, objectives, promote_by="ridge")
    assert study.user_attrs["promote_by"] == "ridge"
    trained = [r for r in records(study) if r.sh and r.rung_accs]
    assert len(trained) == 6
    for r in trained:
        blocks = Genome.from_string(r.genome).blocks
        static = Static(r.macs, r.params, sum(DEPTH.get(b.op, 0) for b in blocks))
        below_top = (1, 3, 10)[: len(r.rung_accs)]
        want = [predictor("ridge", e).predict(r.curve[:e], static) for e in below_top]
        assert r.rung_preds == pytest.approx(want)
        assert r.rung_accs == pytest.approx([r.curve[e - 1] for e in (1, 3, 10, 30)
                                             [: len(r.rung_accs)]])
        if objectives == 1:  # Optuna's pruner ranked the predictions, the top rung raw
            values = r.trial.intermediate_values
            assert [values[e] for e in below_top] == pytest.approx(want)
            if len(r.rung_accs) == 4:
                assert values[30] == pytest.approx(r.curve[29])
    with pytest.raises(NasError, match="promote_by='ridge', not 'raw'"):
        _bench(tmp_path, objectives, promote_by="raw")  # the study attr is compared
