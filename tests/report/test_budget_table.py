"""scripts/reproduce/budget_table.py: issue 15's recipe rule, budget tables and contests,
from hand-made result files laid out as scripts/reproduce/budget_train.sh and `nas retrain`
write them."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from nas.zoo import ZOO

SCRIPTS = Path(__file__).parents[2] / "scripts" / "reproduce"
spec = importlib.util.spec_from_file_location("wall_time", SCRIPTS / "wall_time.py")
sys.modules["wall_time"] = importlib.util.module_from_spec(spec)  # budget_table's sibling
spec.loader.exec_module(sys.modules["wall_time"])

SCRIPT = SCRIPTS / "budget_table.py"
spec = importlib.util.spec_from_file_location("budget_table", SCRIPT)
table = importlib.util.module_from_spec(spec)
sys.modules["budget_table"] = table  # its dataclasses look their module up there
spec.loader.exec_module(table)

SMALL = "cv_c16/ds_c32_s2/head"  # a "found" net, well under 100k


def _result(path: Path, genome: str, seed: int, val: float, test: float | None) -> None:
    path.mkdir(parents=True)
    (path / "result.json").write_text(json.dumps({
        "genome": genome, "val_acc": val, "test_acc": test, "epochs": 20, "seconds": 2400.0,
        "cpu_seconds": 1800.0,
        "config": {"seed": seed}}))


def _baseline(root, name, seed, val, test):
    _result(root / "runs" / "R20" / f"{name}-s{seed}", str(ZOO[name].genome), seed,
            val, test)


def _pick(root, search, seed, val, test, genome=SMALL):
    """One more seed in the pick's metrics.json, as `nas retrain` writes it."""
    arch = root / "picks" / search / "abc123"
    arch.mkdir(parents=True, exist_ok=True)
    f = arch / "metrics.json"
    m = json.loads(f.read_text()) if f.exists() else {"genome": genome, "per_seed": []}
    m["per_seed"].append({"seed": seed, "val_acc": val, "test_acc": test, "epochs": 20,
                          "seconds": 2400.0, "cpu_seconds": 1800.0, "config": {"seed": seed}})
    f.write_text(json.dumps(m))


def _picks(root, tests_by_search):
    """Each search's pick with one seed per test accuracy (val = test)."""
    for search, tests in tests_by_search.items():
        for seed, t in enumerate(tests):
            _pick(root, search, seed, t, t)


def test_recipe_rule_prefers_r20_unless_r30_wins_by_0_3_points(tmp_path):
    for recipe, accs in {"R20": (0.850, 0.840), "R30": (0.853, 0.842),
                         "R20c": (0.845, 0.838)}.items():
        for net, acc in zip(("seed004", "pick200k"), accs, strict=True):
            _result(tmp_path / "recipe" / f"{recipe}-{net}", SMALL, 0, acc, None)
    out = table.recipe_choice(tmp_path)
    assert out.endswith("chosen: R20")  # R30 ahead by 0.25 points only
    assert "| R30 | 84.20 | 85.30 | 84.75 |" in out  # columns: pick200k, seed004
    (tmp_path / "recipe" / "R30-seed004" / "result.json").write_text(json.dumps(
        {"val_acc": 0.860}))
    assert table.recipe_choice(tmp_path).endswith("chosen: R30")


def test_recipe_rule_waits_for_all_six(tmp_path):
    _result(tmp_path / "recipe" / "R20-seed004", SMALL, 0, 0.85, None)
    assert "no choice yet" in table.recipe_choice(tmp_path)
    for recipe in ("R30", "R20c"):  # every recipe on seed004 but none on pick200k yet
        _result(tmp_path / "recipe" / f"{recipe}-seed004", SMALL, 0, 0.85, None)
    out = table.recipe_choice(tmp_path)
    assert "no choice yet" in out and "| R20 | - | 85.00 | - |" in out


def test_budget_tables_and_contests(tmp_path):
    for seed, (v3, t3, v4, t4) in enumerate([(0.80, 0.79, 0.84, 0.83),
                                             (0.81, 0.80, 0.85, 0.84)]):
        _baseline(tmp_path, "seed003", seed, v3, t3)
        _baseline(tmp_path, "seed004", seed, v4, t4)
    for seed, t in enumerate([0.860, 0.862, 0.858]):
        _pick(tmp_path, "tpe-200k", seed, 0.86, t)
    for seed, t in enumerate([0.850, 0.851]):
        _pick(tmp_path, "random-200k", seed, 0.85, t)
    ms = table.models(table.load_runs(tmp_path, "R20"))
    assert {m.name: m.kind for m in ms} == {"seed003": "baseline", "seed004": "baseline",
                                            "tpe-200k": "tpe", "random-200k": "random"}
    t100, lines100 = table.budget_table(ms, 100_000)
    assert "seed003" in t100 and "seed004" not in t100  # 150,738 params > 100k
    assert "tpe-200k" not in t100  # a pick belongs to its own budget's table
    assert lines100 == ["no TPE pick at this budget yet"]
    t200, lines200 = table.budget_table(ms, 200_000)
    rows = t200.splitlines()[2:]
    assert [r.split(" | ")[0][2:] for r in rows] == ["tpe-200k", "random-200k", "seed004",
                                                     "seed003"]  # by mean val acc
    assert "| 86.00 +- 0.20 | 3 | 20 | 1.50 |" in t200  # CPU h: 3 seeds x 1800 s
    best, rand = lines200
    assert best.startswith("tpe-200k vs best baseline seed004: test +2.50 points")
    assert best.endswith("Welch t 4.87, df 1.1, p 0.111")  # scipy: t 4.8718, p 0.1110
    assert rand.startswith("tpe-200k vs random pick random-200k: test +0.95 points")
    assert rand.endswith("(within 1 point: both sides get a third seed)")


def test_a_model_with_two_genomes_is_refused(tmp_path):
    _baseline(tmp_path, "seed003", 0, 0.8, 0.8)
    _result(tmp_path / "runs" / "R20" / "seed003-s1", SMALL, 1, 0.8, 0.8)
    with pytest.raises(ValueError, match="two genomes"):
        table.models(table.load_runs(tmp_path, "R20"))


def test_figure_is_written(tmp_path):
    for seed in (0, 1):
        _baseline(tmp_path, "seed003", seed, 0.8, 0.79 + seed / 100)
    table.figure(table.models(table.load_runs(tmp_path, "R20")), tmp_path / "f.svg")
    svg = (tmp_path / "f.svg").read_text()
    assert svg.startswith("<svg") and "seed003 79.50" in svg  # mean of 79.0 and 80.0
    assert svg.count("<circle") == 1 and svg.count('stroke-dasharray') == 3  # 3 budgets


def test_search_statistics_row(tmp_path):
    """One row per search snapshot: sampled, trained (any rung), top-rung nets, feasible,
    images, and wall hours net of the pause the log records."""
    from datetime import datetime, timedelta

    import optuna
    from optuna.trial import FrozenTrial, TrialState

    t0 = datetime(2026, 12, 1, 12, 0, 0)

    def trial(n, minutes, state=TrialState.COMPLETE, **attrs):
        values = [attrs["val_acc"], attrs["params"]] if "val_acc" in attrs else None
        return FrozenTrial(number=n, state=state, value=None, values=values,
                           datetime_start=t0 + timedelta(minutes=minutes[0]),
                           datetime_complete=t0 + timedelta(minutes=minutes[1]), params={},
                           distributions={}, user_attrs=attrs, system_attrs={},
                           intermediate_values={}, trial_id=n)

    d = tmp_path / "picks" / "tpe-200k"
    d.mkdir(parents=True)
    study = optuna.create_study(study_name="budget-tpe-200k",
                                storage=f"sqlite:///{d / 'study.db'}",
                                directions=["maximize", "minimize"])
    sh = {"status": "trained", "sh": "sh1-30", "epochs": 1}
    study.add_trial(trial(0, (0, 60), val_acc=0.85, params=190_000, halted=False,
                          images=1_350_000, **sh))
    study.add_trial(trial(1, (60, 70), val_acc=0.50, params=150_000, halted=True,
                          images=45_000, **sh))
    study.add_trial(trial(2, (70, 70), state=TrialState.PRUNED, status="rejected",
                          params=250_000))
    (d / "run.log").write_text("# 2026-12-01T12:30:00Z paused (SIGSTOP)\n"
                               "# 2026-12-01T12:45:00Z resumed (SIGCONT)\n")
    rows = table.search_table(tmp_path).splitlines()
    assert rows[2] == "| tpe-200k | 3 | 2 | 1 | 0.67 | 1,395,000 | 0.92 |"  # 55 of 70 min


def test_goal_lines(tmp_path):
    """Every seed net of no more params is a rival at 200k (1 point, p < 0.05); the
    random pick only needs a lower mean; seed004 against its README's 85.19%."""
    for seed, (t3, t4) in enumerate([(0.79, 0.850), (0.80, 0.852)]):
        _baseline(tmp_path, "seed003", seed, 0.8, t3)
        _baseline(tmp_path, "seed004", seed, 0.85, t4)
    for seed, t in enumerate([0.860, 0.862, 0.858]):
        _pick(tmp_path, "tpe-200k", seed, 0.86, t)
    _pick(tmp_path, "random-200k", 0, 0.85, 0.85)
    out = table.goals(table.models(table.load_runs(tmp_path, "R20")))
    assert out[0].startswith("200k: TPE pick vs seed003 (>= 1 point, p < 0.05): met (+6.50")
    assert out[1].startswith("200k: TPE pick vs seed004 (>= 1 point, p < 0.05): missed (+0.90")
    assert out[2] == "200k: TPE pick vs random-200k (higher mean test): open (needs >= 2 "\
        "tested seeds a side)"
    assert out[3].startswith("400k: TPE pick vs seed003 (>= 1 point, p < 0.05): open")
    assert out[-1] == "seed004 >= its README's 85.19%: missed (85.10% over 2 seeds)"


def test_cpu_hours_come_from_the_result_or_a_one_process_run_log(tmp_path):
    """Results written before nas recorded cpu_seconds: the /usr/bin/time line of a run
    that one process did whole (user + sys), else '-' (a resumed run's killed process
    printed none)."""
    log = "# 2026-12-01T04:47:02Z commit c5d77ee, Intel: nas train ...\n"
    for seed, text in enumerate([log + "train: 2614.9 s wall, 3000.0 s user, 600.0 s sys\n",
                                 log]):
        _baseline(tmp_path, "seed003", seed, 0.8, 0.8)
        d = tmp_path / "runs" / "R20" / f"seed003-s{seed}"
        r = json.loads((d / "result.json").read_text())
        r.pop("cpu_seconds")
        (d / "result.json").write_text(json.dumps(r))
        (d / "run.log").write_text(text)
    runs = table.load_runs(tmp_path, "R20")
    assert [r.cpu_seconds for r in runs] == [3600.0, None]
    t, _ = table.budget_table(table.models(runs), 100_000)
    assert t.splitlines()[2].endswith("| 2 | 20 | - |")
    (tmp_path / "runs" / "R20" / "seed003-s1" / "run.log").write_text(log + log)  # resumed
    assert table.logged_cpu(tmp_path / "runs" / "R20" / "seed003-s1" / "run.log") is None


def test_p_values_below_a_thousandth_are_not_written_as_zero() -> None:
    assert table._p(0.0004) == "p < 0.001"
    assert table._p(0.023) == "p 0.023"


def test_a_later_protocol_version_has_its_own_contests_and_goals(tmp_path):
    """PROTOCOL.md v3: picks named v3-<sampler>-<N>k meet the same baselines, their own
    version's random pick, and v2's TPE pick; v2's lines stay as they were."""
    for seed, t in enumerate([0.800, 0.802]):
        _baseline(tmp_path, "seed003", seed, 0.80, t)
    _picks(tmp_path, {"tpe-200k": (0.850, 0.852, 0.848),
                      "v3-tpe-200k": (0.870, 0.872, 0.874),
                      "v3-random-200k": (0.840, 0.842, 0.838)})
    ms = table.models(table.load_runs(tmp_path, "R20"))
    assert {m.name: (m.kind, m.version) for m in ms if m.kind != "baseline"} == {
        "tpe-200k": ("tpe", "v2"), "v3-tpe-200k": ("tpe", "v3"),
        "v3-random-200k": ("random", "v3")}
    _, lines = table.budget_table(ms, 200_000)
    assert [line.split(":")[0] for line in lines] == [
        "tpe-200k vs best baseline seed003", "v3-tpe-200k vs best baseline seed003",
        "v3-tpe-200k vs random pick v3-random-200k", "v3-tpe-200k vs v2's TPE pick tpe-200k"]
    assert lines[3].startswith("v3-tpe-200k vs v2's TPE pick tpe-200k: test +2.20 points")
    goals = [g for g in table.goals(ms) if g.startswith("200k")]
    assert goals == [
        "200k: TPE pick vs seed003 (>= 1 point, p < 0.05): met (+4.90 points, p < 0.001)",
        "200k v3: TPE pick vs seed003 (>= 1 point, p < 0.05): met (+7.10 points, p < 0.001)",
        "200k v3: TPE pick vs v3-random-200k (higher mean test): met (+3.20 points, "
        "p < 0.001)"]


def test_an_evolution_pick_meets_the_baselines_and_every_earlier_pick(tmp_path):
    """PROTOCOL.md v4: v4-evolve-<N>k is the version's nas pick (no TPE in v4); it meets
    the best baseline and every earlier version's pick at the budget, and the goal
    lines name it."""
    for seed, t in enumerate([0.800, 0.802]):
        _baseline(tmp_path, "seed003", seed, 0.80, t)
    _picks(tmp_path, {"tpe-200k": (0.850, 0.852, 0.848),
                      "random-200k": (0.840, 0.842, 0.838),
                      "v4-evolve-200k": (0.870, 0.872, 0.874)})
    ms = table.models(table.load_runs(tmp_path, "R20"))
    assert next(m for m in ms if m.name == "v4-evolve-200k").kind == "evolve"
    _, lines = table.budget_table(ms, 200_000)
    assert [line.split(":")[0] for line in lines] == [
        "tpe-200k vs best baseline seed003", "tpe-200k vs random pick random-200k",
        "v4-evolve-200k vs best baseline seed003", "v4-evolve-200k vs v2's TPE pick tpe-200k",
        "v4-evolve-200k vs v2's random pick random-200k"]
    assert lines[3].startswith("v4-evolve-200k vs v2's TPE pick tpe-200k: test +2.20 points")
    goals = [g for g in table.goals(ms) if g.startswith("200k v4")]
    assert goals == ["200k v4: evolution pick vs seed003 (>= 1 point, p < 0.05): met "
                     "(+7.10 points, p < 0.001)"]
    table.figure(ms, tmp_path / "f.svg")
    assert "#2ca02c" in (tmp_path / "f.svg").read_text()  # the evolution pick, green
