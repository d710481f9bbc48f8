"""Pareto selection on hand-made studies: front, best/spread picks, filling from rank 2."""

import pytest

from nas.errors import NasError
from nas.retrain import pick
from nas.study import open_study, pareto_ranks, trained_trials
from tests.retrain.studies import TRAINED, make_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return open_study(make_study(tmp_path_factory.mktemp("sel") / "s.db"))


def genomes(trials):
    return [t.genome for t in trials]


def test_trained_trials_skip_rejected_and_pruned(study):
    assert len(trained_trials(study)) == len(TRAINED)


def test_front_is_the_non_dominated_set(study):
    front = pareto_ranks(trained_trials(study))[0]
    assert sorted(genomes(front)) == sorted(g for g, _ in TRAINED[:3])


def test_best_picks_highest_val_acc_on_front(study):
    picks = pick(study, 2, "best")
    assert genomes(p.trial for p in picks) == ["cv_c12/ds_c24_s2/head", "cv_c8/ds_c16_s2/head"]
    assert all(p.rank == 1 and "Pareto front" in p.reason for p in picks)


def test_spread_takes_both_ends_of_the_front(study):
    picks = pick(study, 2, "spread")
    assert sorted(p.trial.params for p in picks) == [290, 1042]


def test_small_front_is_filled_from_next_rank(study):
    picks = pick(study, 5, "best")
    assert [p.rank for p in picks] == [1, 1, 1, 2, 3]
    assert "front too small" in picks[-1].reason


def test_accuracy_picks_ignore_the_front(study):
    """A dominated net with the second-best proxy accuracy is picked before a front one."""
    picks = pick(study, 3, "accuracy")
    assert genomes(p.trial for p in picks) == [
        "cv_c12/ds_c24_s2/head", "cv_c16/ds_c32_s2/head", "cv_c8/ds_c16_s2/head"]
    assert [p.rank for p in picks] == [1, 2, 1]
    assert "of all trained trials (Pareto rank 2" in picks[1].reason


@pytest.mark.parametrize(("top", "how"), [(0, "best"), (1, "worst")])
def test_bad_pick_arguments(study, top, how):
    with pytest.raises(NasError):
        pick(study, top, how)
