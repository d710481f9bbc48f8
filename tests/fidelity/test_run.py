import optuna
import pytest
from optuna.trial import TrialState

from nas.analysis.static import params_of
from nas.data import write_synthetic_npz
from nas.errors import NasError
from nas.fidelity.plan import Arch, Plan, Run, reference, sample_archs
from nas.fidelity.report import report
from nas.fidelity.run import FidelityConfig, open_study, run_fidelity
from nas.fidelity.store import claimed, finished
from nas.fidelity.worker import work

TINY = ("cv_c8/cv_c8_s2/head", "cv_c4/ds_c8_s2/head", "cv_c8/mp,cv_c12/head")


@pytest.fixture
def config(tmp_path):
    npz = write_synthetic_npz(tmp_path / "d.npz", n_train=180, n_val=20, n_test=20,
                              image_size=8, num_classes=3)
    return FidelityConfig(study="f", storage=str(tmp_path / "f.db"), data=str(npz), n=0,
                          zoo=TINY, cheap=(Run("e1_s64", 1, 64),), runs_dir=tmp_path / "runs")


def test_samples_are_distinct_under_budget_and_reproducible():
    a = sample_archs("default", 100_000, 5, seed=3)
    assert len({x.arch_id for x in a}) == 5
    assert all(params_of(__import__("nas").parse(x.genome)) <= 100_000 for x in a)
    assert a == sample_archs("default", 100_000, 5, seed=3) != sample_archs("default",
                                                                            100_000, 5, seed=4)


def test_plan_refuses_a_short_reference_and_duplicates():
    arch = Arch("a", TINY[0])
    with pytest.raises(NasError, match="ref-epochs"):
        Plan((arch,), (reference(5),))
    with pytest.raises(NasError, match="distinct"):
        Plan((arch, Arch("b", TINY[0])), (reference(15),))


def test_every_run_is_recorded_once_and_a_rerun_trains_nothing(config, tmp_path):
    assert run_fidelity(config) == 6  # 3 architectures x (1 cheap run + reference)
    study, plan = open_study(config, create=False)
    done = finished(study)
    assert len(done) == 6 and len(study.trials) == 6
    ref = done[(plan.archs[0].arch_id, "ref")].user_attrs
    assert len(ref["history"]) == 15 and 0 <= ref["val_acc"] <= 1
    assert ref["images"] == 15 * 180  # 180 training images: one batch per epoch
    assert run_fidelity(config) == 0
    md = report(config, tmp_path / "rep")
    assert "3 of 3 architectures" in md and "`synflow`" in md
    for name in ("archs.csv", "proxies.csv", "bn.csv", "proxies.md", "fidelity.html"):
        assert (tmp_path / "rep" / name).is_file()
    import pandas as pd

    stats = pd.read_csv(tmp_path / "rep" / "proxies.csv").set_index("proxy")
    assert "median s / arch" in md
    assert 0 < stats.loc["synflow", "seconds"] < 60  # the score's own measured time
    ref_s = ref["seconds"]
    assert 0 < stats.loc["ref_e1", "seconds"] <= ref_s  # 1/15 of the median reference


def test_a_claimed_run_is_skipped_and_an_orphan_is_failed(config):
    study, plan = open_study(config)
    first = plan.units()[0]
    orphan = study.ask()  # a worker that died while training the first unit
    orphan.set_user_attr("arch_id", first[0].arch_id)
    orphan.set_user_attr("run", first[1].name)
    lock = config.runs_dir / config.study / first[0].arch_id / f"{first[1].name}.lock"
    from nas.data import load_dataset

    data = load_dataset(config.data)
    with claimed(lock) as ours:  # another live worker holds the first unit
        assert ours
        with claimed(lock) as again:
            assert not again
        work(study, plan, data, config.runs_dir / config.study, log=lambda s: None)
    done = finished(study)
    assert (first[0].arch_id, first[1].name) not in done and len(done) == 5
    assert study.trials[orphan.number].state == TrialState.RUNNING  # its lock was held
    work(study, plan, data, config.runs_dir / config.study, log=lambda s: None)
    assert study.trials[orphan.number].state == TrialState.FAIL
    assert len(finished(study)) == 6


def test_another_plan_under_the_same_name_is_refused(config):
    open_study(config)
    other = FidelityConfig(**{**config.__dict__, "zoo": TINY[:2]})
    with pytest.raises(NasError, match="other architectures"):
        open_study(other)


def test_zero_cost_scores_are_stored_per_architecture(config):
    run_fidelity(config)
    study = optuna.load_study(study_name="f", storage=config.url)
    facts = [v for k, v in study.user_attrs.items() if k.startswith("arch:")]
    assert len(facts) == 3 and all("zico" in f["zero_cost"] for f in facts)


def test_each_proxy_is_compared_with_the_searchs_proxy_paired():
    import pandas as pd

    from nas.fidelity.report import BASELINE, _versus

    ref = [float(v) for v in range(10)]
    df = pd.DataFrame({"ref": ref, "good": ref, BASELINE: [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]})
    v = _versus(df, "good", BASELINE, reps=300)
    assert v["d_tau"] > 0 and 0 < v["d_lo"] <= v["d_hi"]
    assert _versus(df, BASELINE, BASELINE, reps=50) == {"d_tau": 0.0, "d_lo": 0.0,
                                                        "d_hi": 0.0}
    assert all(x != x for x in _versus(df.drop(columns=BASELINE), "good", BASELINE,
                                       reps=50).values())  # NaN without the baseline
