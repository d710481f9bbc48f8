"""scripts/reproduce/search_table.py: the issue-14 table from hand-made arm directories."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timedelta
from pathlib import Path

import optuna
import pytest
from optuna.trial import FrozenTrial, TrialState

SCRIPTS = Path(__file__).parents[2] / "scripts" / "reproduce"
spec = importlib.util.spec_from_file_location("wall_time", SCRIPTS / "wall_time.py")
wall_time = importlib.util.module_from_spec(spec)
sys.modules["wall_time"] = wall_time  # search_table imports it as a sibling script
spec.loader.exec_module(wall_time)
pauses, stamp_time = wall_time.pauses, wall_time.stamp_time

SCRIPT = SCRIPTS / "search_table.py"
spec = importlib.util.spec_from_file_location("search_table", SCRIPT)
table = importlib.util.module_from_spec(spec)
sys.modules["search_table"] = table  # its dataclass looks its module up there
spec.loader.exec_module(table)

T0 = datetime(2026, 11, 30, 12, 0, 0)
LOG = """# 2026-11-30T12:00:00Z commit abc, cpu: nas search ...
# 2026-11-30T12:10:00Z paused (SIGSTOP)
# 2026-11-30T12:40:00Z resumed (SIGCONT)
# 2026-11-30T13:00:00Z paused (end of the session)
# 2026-11-30T13:30:00Z commit def, cpu: nas search ...
"""


def _trial(number: int, minutes: tuple[int, int], **attrs) -> FrozenTrial:
    state = attrs.pop("state", TrialState.COMPLETE)
    value = attrs.get("val_acc")
    return FrozenTrial(
        number=number, state=state, value=None, values=None if value is None else
        [value, attrs.get("params", 0)], datetime_start=T0 + timedelta(minutes=minutes[0]),
        datetime_complete=T0 + timedelta(minutes=minutes[1]), params={}, distributions={},
        user_attrs=attrs, system_attrs={}, intermediate_values={}, trial_id=number)


def _arm(root: Path, name: str, trials: list[FrozenTrial], log: str = LOG,
         study_attrs: dict | None = None) -> Path:
    d = root / name
    d.mkdir()
    study = optuna.create_study(study_name=name, storage=f"sqlite:///{d / 'study.db'}",
                                directions=["maximize", "minimize"])
    for k, v in (study_attrs or {}).items():
        study.set_user_attr(k, v)
    for t in trials:
        study.add_trial(t)
    (d / "run.log").write_text(log)
    return d


def _sh(number, minutes, acc, params, halted, arch, images):
    return _trial(number, minutes, val_acc=acc, params=params, status="trained", sh="sh1-20",
                  halted=halted, arch_id=arch, images=images, rung_accs=[acc], epochs=1)


def test_pauses_end_at_resumed_or_at_a_rerun():
    assert pauses(LOG) == [
        (stamp_time("2026-11-30T12:10:00Z"), stamp_time("2026-11-30T12:40:00Z")),
        (stamp_time("2026-11-30T13:00:00Z"), stamp_time("2026-11-30T13:30:00Z"))]
    assert pauses("# 2026-11-30T12:10:00Z paused\n") == []  # still paused: ignored


def test_sh_arm_counts_top_rung_nets_only(tmp_path):
    d = _arm(tmp_path, "b-200k-s0", [
        _sh(0, (0, 20), 0.80, 150_000, False, "x", 900),   # 10 min of it paused
        _sh(1, (40, 45), 0.90, 10_000, True, "y", 45),     # halted: not a top-rung net
        _sh(2, (45, 50), 0.70, 60_000, False, "z", 900),
        _trial(3, (50, 50), status="rejected", params=300_000, arch_id="r",
               state=TrialState.PRUNED)], log=LOG + "search: 1800.0 s wall, 1700 s user\n")
    row = table.arm_row(d)
    assert (row.arm, row.budget, row.seed, row.finished) == ("b", 200_000, 0, True)
    assert (row.top_nets, row.best_val, row.pick_params, row.pick_arch) == (
        2, 0.80, 150_000, "x")
    assert row.mean_val == pytest.approx(0.75)
    assert row.images == 1845
    assert row.candidates == 3 and row.feasible == pytest.approx(0.75)
    assert row.wall_s == pytest.approx((10 + 5 + 5) * 60)  # trial 0: 20 min, 10 of them paused
    assert "| b | 200k | 0 | 2 | 0.8000 | 0.7500 | 150,000 (0.75) |" in table.markdown([row])


def test_single_proxy_arm_is_judged_by_its_retrains(tmp_path):
    proxy = dict(status="trained", epochs=2, images=20_000)
    d = _arm(tmp_path, "a-400k-s1", [
        _trial(0, (0, 1), val_acc=0.5, params=300_000, arch_id="p", **proxy),
        _trial(1, (1, 2), val_acc=0.6, params=100_000, arch_id="q", **proxy)],
        log="# 2026-11-30T12:00:00Z commit abc\nretrain: 3600.5 s wall, 1 s user\n",
        study_attrs={"retrain:0": {"final_val_acc": 0.85, "retrain_epochs": 20,
                                   "retrain_seeds": 1},
                     "retrain:1": {"final_val_acc": 0.82, "retrain_epochs": 20,
                                   "retrain_seeds": 1}})
    row = table.arm_row(d)
    assert (row.top_nets, row.best_val, row.pick_params) == (2, 0.85, 300_000)
    assert row.images == 40_000 + 2 * 20 * 44_800  # whole batches of 256 from 45,000
    assert row.wall_s == pytest.approx(120 + 3600.5)
    assert row.finished  # its retrain ended
    (d / "retrain").mkdir()  # the retrain's own figure wins: it counts killed segments
    (d / "retrain" / "summary.csv").write_text("rank,seconds\n1,4000.0\n2,3000.5\n")
    assert table.arm_row(d).wall_s == pytest.approx(120 + 7000.5)
    assert row.trajectory == [(row.images, 0.85)]  # one point, after the retrains


def test_a_directory_not_named_like_an_arm_is_refused(tmp_path):
    (tmp_path / "notes").mkdir()
    with pytest.raises(ValueError, match="<arm>-<N>k-s<seed>"):
        table.arm_row(tmp_path / "notes")


def test_sh_anytime_curve_and_figure(tmp_path):
    d = _arm(tmp_path, "c-200k-s0", [
        _sh(0, (0, 20), 0.80, 150_000, False, "x", 900),
        _sh(1, (40, 45), 0.90, 10_000, True, "y", 45),
        _sh(2, (45, 50), 0.85, 60_000, False, "z", 900)])
    row = table.arm_row(d)
    assert row.trajectory == [(900, 0.80), (1845, 0.85)]  # the halted 0.90 is no pick
    table.figure([row], tmp_path / "curve.html")
    assert "c-200k-s0" in (tmp_path / "curve.html").read_text()


def _row(arm, budget, best, finished=True, params=150_000):
    return table.Arm(name=f"{arm}-{budget // 1000}k-s0", arm=arm, budget=budget, seed=0,
                     finished=finished, top_nets=2, best_val=best, mean_val=best,
                     pick_params=params, pick_arch="x", candidates=10, feasible=0.9,
                     images=4_500_000, wall_s=3600.0, trajectory=[])


def test_decisions_follow_the_protocol():
    rows = [_row("a", 200_000, 0.840), _row("a2", 200_000, 0.845), _row("b", 200_000, 0.850),
            _row("c", 200_000, 0.852), _row("d-tpe", 200_000, 0.860),
            _row("e-tpe", 200_000, 0.850), _row("a", 400_000, 0.860),
            _row("b", 400_000, 0.870, params=200_000)]
    out = table.decisions(rows)
    assert "(b) vs (a2) at 200k: b 0.8500 vs a2 0.8450: b better" in out
    assert "--strategy sh: default" in out
    # c is 0.2 points above b: a tie, so (d) and (e) are judged against b
    assert "sampler at 200k: c 0.8520 vs b 0.8500: tie; base of (d) and (e): b (TPE)" in out
    assert "--fill 0.85: d-tpe 0.8600 vs b 0.8500: d-tpe better -> default" in out
    assert "--prescreen 0.5 (macs): e-tpe 0.8500 vs b 0.8500: tie -> not default" in out
    assert "b-400k-s0: its pick uses 0.50 of the budget" in out[-1]


def test_decisions_wait_for_finished_arms():
    out = table.decisions([_row("a", 200_000, 0.84), _row("b", 200_000, 0.90, finished=False)])
    assert "--strategy sh: undecided" in out
    assert "(b) vs (a) at 200k: not both finished" in out


@pytest.mark.parametrize(("c", "base"), [(0.852, "tpe"), (0.854, "random"), (0.846, "tpe")])
def test_the_base_sampler_of_d_and_e(c, base):
    """(c) must beat (b) by the 0.3-point tie to make random the base; a tie goes to TPE."""
    rows = [_row("b", 200_000, 0.850), _row("c", 200_000, c)]
    assert table.sampler_contest(rows)[1] == base
    assert table.sampler_contest(rows[:1])[1] is None


@pytest.mark.parametrize(("d", "e", "opts"), [
    (0.860, 0.850, "--fill 0.85"),
    (0.860, 0.860, "--fill 0.85 --prescreen 0.5 --prescreen-score macs"),
    (0.852, 0.840, ""),
])
def test_sh_options_for_the_budget_study(d, e, opts):
    """Only an option whose arm beats the base arm (by the 0.3-point tie) is carried over."""
    rows = [_row("b", 200_000, 0.850), _row("c", 200_000, 0.840),
            _row("d-tpe", 200_000, d), _row("e-tpe", 200_000, e)]
    assert table.sh_options(rows) == opts
    assert table.sh_options(rows[:3]) is None  # (e) not in yet
    unfinished = [*rows[:3], _row("e-tpe", 200_000, e, finished=False)]
    assert table.sh_options(unfinished) is None


def test_sh_opts_flag_fails_in_one_line_while_undecided(tmp_path):
    with pytest.raises(SystemExit, match=r"undecided: arms \(d\) and \(e\)"):
        table.main([str(tmp_path), "--sh-opts"])
