"""Strategies and samplers are registered plug-ins, read through their registries."""

from __future__ import annotations

import optuna
import pytest

from nas.errors import NasError
from nas.search import SearchConfig, samplers, strategies
from nas.search.strategies.halving import check_pruner_rungs


def test_the_registries_hold_the_documented_plugins():
    assert set(strategies.names()) == {"single", "sh"}
    assert set(samplers.names()) == {"tpe", "random", "nsga2", "evolve"}
    assert samplers.get("evolve").proposer(0) is not None
    assert samplers.get("tpe").proposer(0) is None
    assert isinstance(samplers.get("nsga2").create(0, 20), optuna.samplers.NSGAIISampler)


@pytest.mark.parametrize(("kw", "needle"), [
    ({"strategy": "hyperband"}, "--strategy must be one of"),
    ({"sampler": "cmaes"}, "--sampler must be one of"),
])
def test_an_unknown_plugin_is_a_one_line_error_naming_the_known_ones(kw, needle):
    with pytest.raises(NasError, match=needle) as e:
        SearchConfig(budget=1000, trials=1, **kw)
    assert "\n" not in str(e.value)


def test_a_new_strategy_is_one_registered_class(monkeypatch):
    """Adding a strategy needs no edit elsewhere: the config validates it, its recipe,
    rungs, study attrs and retrain schedule are read from it."""
    from nas.search.strategies import base

    monkeypatch.setattr(base._PLUGINS, "items", dict(base._PLUGINS.items))

    @strategies.register
    class Fixed(strategies.Strategy):
        name, summary, evaluator = "fixed10", "ten epochs for everyone", "proxy"

        def recipe(self, config):
            from nas.train import preset
            return preset("proxy", epochs=10)

        def study_attrs(self, config):
            return {"fixed_epochs": 10}

        def retrain_epochs(self, attrs):
            return 10

    c = SearchConfig(budget=1000, trials=1, strategy="fixed10").following({})
    assert c.study_attrs()["fixed_epochs"] == 10 and c.plan.recipe(c).epochs == 10
    assert strategies.of_study({"strategy": "fixed10"}).retrain_epochs({}) == 10
    assert strategies.of_study({}).name == "single"  # studies made before strategies


def test_optunas_halving_must_judge_every_rung_at_its_own_epoch():
    check_pruner_rungs((1, 3, 10, 30), 3)
    check_pruner_rungs((3, 10, 30), 3)
    with pytest.raises(NasError, match="--pareto"):
        check_pruner_rungs((1, 2, 7, 20), 3)  # Optuna would judge rung 1 at epoch 7


def test_one_objective_needs_compatible_rungs_the_pareto_search_does_not():
    SearchConfig(budget=1000, trials=1, strategy="sh", max_epochs=20, objectives=2)
    with pytest.raises(NasError, match="successive halving"):
        SearchConfig(budget=1000, trials=1, strategy="sh", max_epochs=20, objectives=1)


@pytest.mark.parametrize(("recorded", "objectives", "feedback"), [
    ({}, 1, "rung"),  # a new study: the defaults (one objective under the default fill)
    ({"objective_names": ["val_acc", "params"], "space": "x"}, 2, "raw"),  # made before
    ({"objective_names": ["val_acc"], "feedback": "rung"}, 1, "rung"),
    ({"objective_names": ["val_acc", "params", "macs"], "feedback": "rung"}, 3, "rung"),
])
def test_a_resumed_study_keeps_its_objectives_and_feedback(recorded, objectives, feedback):
    c = SearchConfig(budget=1000, trials=1, strategy="sh", max_epochs=27).following(recorded)
    assert c.objectives == objectives and c.feedback == feedback
