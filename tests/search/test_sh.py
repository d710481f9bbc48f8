"""--strategy sh end to end on tiny data: rungs, promotions, exact counts, resume, the
dashboard's intermediate values, the front of top-rung trials only."""

from __future__ import annotations

import json

import optuna
import pytest

import nas.search.evaluators.base as trainer_seam
from nas.errors import NasError
from nas.search import SearchConfig, run_search
from nas.search.evaluators.base import Candidate, Setup
from nas.search.evaluators.zero_cost import MIN_SCORED, ZeroCost
from nas.study import records, trained_trials
from nas.study.record import TrialRecord


@pytest.fixture()
def sh(config, tmp_path):
    def make(**kw):
        base = {"strategy": "sh", "min_epochs": 1, "max_epochs": 4, "eta": 2, "trials": 8,
                "runs_dir": str(tmp_path / "runs")}
        return config(**{**base, **kw})
    return make


def _study(summary):
    return optuna.load_study(study_name=summary.study, storage=summary.storage)


def test_candidates_climb_the_rungs_and_the_front_holds_top_rung_only(sh, data):
    summary = run_search(sh(), data=data, progress=False)
    study = _study(summary)
    rs = [r for r in records(study) if r.sh]
    assert len(rs) == 8 and summary.stats.counted == 8
    rungs = study.user_attrs["rungs"]
    assert rungs == [1, 2, 4] and study.user_attrs["strategy"] == "sh"
    reached = [sum(1 for r in rs if r.rung is not None and r.rung >= k) for k in range(3)]
    assert reached[0] == 8 and reached[0] >= reached[1] >= reached[2] >= 1
    for r in rs:
        steps = sorted(r.trial.intermediate_values)
        assert steps == rungs[:r.rung + 1]  # one intermediate value per rung reached
        assert list(r.rung_accs) == [r.trial.intermediate_values[e] for e in steps]
        assert r.halted == (r.rung < 2) and r.val_acc == r.rung_accs[-1]
        assert r.epochs == rungs[r.rung] and r.synflow is not None
    front = trained_trials(study)
    assert front and all(r.rung == 2 for r in front)
    from nas.report.frame import trials_frame  # nas report's trials.csv carries the rungs

    df = trials_frame(study).set_index("trial")
    for r in rs:
        assert df.loc[r.number, "rung"] == r.rung and df.loc[r.number, "images"] == r.images
        assert bool(df.loc[r.number, "halted"]) == r.halted


def test_a_rerun_tops_up_and_promoted_runs_continue_from_their_checkpoint(sh, data,
                                                                          tmp_path):
    run_search(sh(trials=4), data=data, progress=False)
    summary = run_search(sh(trials=8), data=data, progress=False)
    assert summary.stats.counted == 8
    saved = list((tmp_path / "runs" / "t").glob("*.pt"))
    assert len(saved) == len({r.arch_id for r in records(_study(summary)) if r.sh})


def test_sh_settings_must_match_on_resume(sh, data):
    run_search(sh(trials=2), data=data, progress=False)
    with pytest.raises(NasError, match="rungs"):
        run_search(sh(trials=3, max_epochs=6), data=data, progress=False)
    with pytest.raises(NasError, match="strategy='sh', not 'single'"):
        run_search(sh(trials=3, strategy="single"), data=data, progress=False)
    with pytest.raises(NasError, match=r"fill=None, not 0\.8"):
        run_search(sh(trials=3, fill=0.8), data=data, progress=False)


@pytest.mark.parametrize("kw", [{"eta": 1}, {"min_epochs": 5, "max_epochs": 4},
                                {"fill": 1.5}, {"prescreen": 0.0},
                                {"prescreen_score": "magic"}])
def test_bad_settings_are_refused(kw):
    with pytest.raises(NasError):
        SearchConfig(budget=1000, trials=1, strategy="sh", **kw)


def test_fill_puts_every_trained_candidate_near_the_budget(config, data):
    summary = run_search(config(trials=3, fill=0.8), data=data, progress=False)
    trained = [r for r in records(_study(summary)) if r.is_counted]
    assert len(trained) == 3 and all(0.8 * 30_000 <= r.params <= 30_000 for r in trained)


def test_fill_default_is_for_new_studies_a_resume_follows_the_study(config, data):
    """Unset, --fill is FILL (0.85) on a new study and the study's own on resume, so the
    command that made a study before the default existed still resumes it; 0 is off."""
    from nas.search.config import FILL

    made = run_search(config(trials=1, fill=None), data=data, progress=False)
    assert made.config["fill"] == FILL and _study(made).user_attrs["fill"] == FILL
    assert all(r.params >= FILL * 30_000 for r in records(_study(made)) if r.is_counted)
    more = run_search(config(trials=2, fill=None), data=data, progress=False)
    assert more.config["fill"] == FILL and more.stats.counted == 2
    with pytest.raises(NasError, match=r"fill=0\.85, not None"):
        run_search(config(trials=3, fill=0.0), data=data, progress=False)


def test_a_study_without_fill_resumes_without_it(config, data):
    off = run_search(config(trials=1, fill=0.0, study="off"), data=data, progress=False)
    assert _study(off).user_attrs["fill"] is None
    again = run_search(config(trials=2, fill=None, study="off"), data=data, progress=False)
    assert again.config["fill"] == 0.0 and again.stats.counted == 2


def test_following_resolves_only_an_unset_fill():
    from nas.search.config import FILL

    c = SearchConfig(budget=1000, trials=1)
    assert c.following(None).fill == FILL and c.following({}).fill == FILL
    assert c.following({"fill": None, "budget": 1000}).fill == 0.0  # made without --fill
    assert c.following({"fill": 0.9, "budget": 1000}).fill == 0.9
    assert SearchConfig(budget=1000, trials=1, fill=0.0).following(None).filling is None


class _Trial:
    number = 99
    user_attrs: dict = {}  # noqa: RUF012 (read only)


def test_prescreen_rejects_below_the_running_quantile(data):
    from nas.genome import Genome

    g = Genome.from_string("cv_c8/head").replace_head(c=4)
    z = ZeroCost(Setup(data, None, prescreen=0.5, prescreen_score="synflow"))
    earlier = [TrialRecord(number=i, state=None, synflow=1e9 + i, zero_cost_ms=1.0)
               for i in range(MIN_SCORED)]
    low = z.evaluate(Candidate(_Trial(), g, None, earlier))
    assert low.status == "rejected" and "prescreen: synflow" in low.reason
    few = z.evaluate(Candidate(_Trial(), g, None, earlier[:MIN_SCORED - 1]))
    assert few.status is None and few.attrs["synflow"] < 1e9


def test_prescreen_quantile_ignores_candidates_the_constraints_rejected(data):
    """MACs are recorded on over-budget candidates too; they must not raise the bar."""
    from nas.genome import Genome

    g = Genome.from_string("cv_c8/head").replace_head(c=4)
    z = ZeroCost(Setup(data, None, prescreen=0.5, prescreen_score="macs"))
    screen = type("S", (), {"macs": 1000})()
    passed = [TrialRecord(number=i, state=None, macs=500, zero_cost_ms=1.0)
              for i in range(MIN_SCORED)]
    over = [TrialRecord(number=100 + i, state=None, macs=10**9) for i in range(3 * MIN_SCORED)]
    assert z.evaluate(Candidate(_Trial(), g, screen, passed + over)).status is None
    assert z.evaluate(Candidate(_Trial(), g, screen, over)).status is None  # too few scored


@pytest.mark.parametrize("recipe", [{}, {"amp": "bf16"}, {"cutout": 4, "ema": 0.9}],
                         ids=["default", "bf16", "cutout-ema"])
def test_retrain_of_an_sh_study_tests_the_search_run_as_seed_0(sh, data, tmp_path, recipe):
    """Also with --amp bf16, or cutout and EMA (study settings): retrain follows them, so
    the search's run is the same recipe and serves as seed 0."""
    from nas.retrain import retrain

    summary = run_search(sh(**recipe), data=data, progress=False)
    lines: list[str] = []
    out = retrain(summary.storage, summary.study, top=1, seeds=2, data=data,
                  out=tmp_path / "rt", progress="none", echo=lines.append)
    row = out.rows[0]
    best = next(r for r in trained_trials(_study(summary)) if r.arch_id == row["arch_id"])
    assert row["epochs"] == 4  # the study's top rung, without --epochs
    assert any("top-rung run" in line for line in lines)
    assert any("highest top-rung val_acc" in line for line in lines)
    seed0 = json.loads((tmp_path / "rt" / best.arch_id / "seeds" / "0" / "result.json")
                       .read_text())
    assert seed0["val_acc"] == pytest.approx(best.val_acc)  # the same run
    seed1 = json.loads((tmp_path / "rt" / best.arch_id / "seeds" / "1" / "result.json")
                       .read_text())
    expected = {"amp": "auto", "cutout": 0, "ema": 0.0, **recipe}
    for seed in (seed0, seed1):
        assert {k: seed["config"][k] for k in expected} == expected
    if recipe:  # a study setting: another recipe on resume is refused
        key, value = next(iter(recipe.items()))
        with pytest.raises(NasError, match=f"{key}={value!r}, not "):
            run_search(sh(), data=data, progress=False)


def test_latency_budget_rejects_before_training_and_latency_is_recorded(config, data):
    tight = run_search(config(latency_budget=1e-6, max_samples=4, study="tight"), data=data,
                       progress=False)
    rs = [r for r in records(_study(tight)) if r.latency_ms is not None]
    assert rs and all(r.status == "rejected" and "latency-budget" in r.reject_reason
                      for r in rs)
    assert tight.stats.counted == 0
    loose = run_search(config(latency_budget=1e6, trials=2, study="loose"), data=data,
                       progress=False)
    trained = [r for r in records(_study(loose)) if r.is_counted]
    assert len(trained) == 2 and all(r.latency_ms > 0 for r in trained)


@pytest.mark.parametrize("strategy", ["single", "sh"])
def test_max_images_stops_once_the_allowance_is_spent(sh, config, data, strategy):
    """--max-images: no candidate starts once counted trials have seen the allowance;
    the one that crossed it finishes, and a rerun starts nothing."""
    cfg = sh if strategy == "sh" else config
    first = run_search(cfg(trials=50, max_images=1), data=data, progress=False)
    assert first.ended == "allowance" and first.stats.counted == 1
    assert first.stats.images > 1  # the crossing candidate finished its training
    per = first.stats.images
    cap = 3 * per
    more = run_search(cfg(trials=50, max_images=cap), data=data, progress=False)
    assert more.ended == "allowance" and more.stats.images >= cap
    rs = [r for r in records(_study(more)) if r.is_counted]
    assert more.stats.images == sum(r.images for r in rs)
    before_last = more.stats.images - max(r.images for r in rs if r.number == max(
        x.number for x in rs))
    assert before_last < cap  # the last candidate started below the allowance
    again = run_search(cfg(trials=50, max_images=cap), data=data, progress=False)
    assert again.ended == "allowance" and again.stats.counted == more.stats.counted


def test_max_images_must_be_positive():
    with pytest.raises(NasError, match="--max-images"):
        SearchConfig(budget=1000, trials=1, max_images=0)


def test_ctrl_c_mid_run_then_rerun_resumes_the_candidate_from_its_checkpoint(sh, data,
                                                                           monkeypatch):
    """A candidate cut short by Ctrl-C in epoch 3 of its run (before that epoch's
    checkpoint) is queued again by the rerun, which continues it from its per-epoch
    checkpoint: epochs 1-2 are not trained again."""
    from optuna.trial import TrialState

    import nas.search.evaluators.sh as sh_mod

    real_train, calls = trainer_seam.train, {"n": 0}

    def stop_at_epoch_3(*args, callbacks=(), **kw):
        calls["n"] += 1

        def ctrl_c(m):
            if calls["n"] == 1 and m.epoch == 3:
                raise KeyboardInterrupt
        return real_train(*args, callbacks=[*callbacks, ctrl_c], **kw)

    replayed = []
    real_replay = sh_mod.RungTracker.replay
    monkeypatch.setattr(trainer_seam, "train", stop_at_epoch_3)
    monkeypatch.setattr(sh_mod.RungTracker, "replay",
                        lambda self, h: replayed.append(len(h)) or real_replay(self, h))
    first = run_search(sh(trials=3), data=data, progress=False)
    assert first.ended == "interrupted"
    cut = [r for r in records(_study(first)) if r.state == TrialState.FAIL]
    assert len(cut) == 1 and cut[0].fail_reason.startswith("interrupted")
    second = run_search(sh(trials=3), data=data, progress=False)
    rs = records(_study(second))
    retry = [r for r in rs if r.retry_of == cut[0].number]
    assert len(retry) == 1 and retry[0].is_counted and retry[0].arch_id == cut[0].arch_id
    assert replayed[:2] == [0, 2]  # the rerun began with the retry, from 2 saved epochs
    assert second.stats.counted == 3
