"""scripts/reproduce/budget_rungs.py: a baseline placed in a search's rungs by the search's own
promotion rule, the rungs' rank agreement with the end, and the space's reach, from
hand-made result files and a hand-made study snapshot."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from pathlib import Path

import optuna
import pytest

from nas.analysis.static import params_of
from nas.zoo import ZOO

SCRIPTS = Path(__file__).parents[2] / "scripts" / "reproduce"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


_load("wall_time")  # budget_table imports it as a sibling script
_load("budget_table")  # budget_rungs imports it as a sibling script
rungs = _load("budget_rungs")

RUNGS = (1, 3, 10)


def _baseline(root: Path, name: str, seed: int, curve: list[float]) -> None:
    d = root / "runs" / "R30" / f"{name}-s{seed}"
    d.mkdir(parents=True)
    (d / "result.json").write_text(json.dumps({
        "genome": str(ZOO[name].genome), "val_acc": curve[-1], "test_acc": None,
        "epochs": len(curve), "seconds": 1.0, "config": {"seed": seed},
        "history": [{"epoch": e + 1, "val_acc": a} for e, a in enumerate(curve)]}))


def _study(root: Path, cands: list[tuple[int, list[float]]]) -> Path:
    """A 400k search snapshot: candidates (params, validation curve up to the rung
    they reached; a whole curve for a top-rung net)."""
    d = root / "picks" / "tpe-400k"
    d.mkdir(parents=True)
    study = optuna.create_study(study_name="budget-tpe-400k",
                                storage=f"sqlite:///{d / 'study.db'}",
                                directions=["maximize", "minimize"])
    for k, v in {"budget": 400_000, "space": "default", "fill": 0.85,
                 "rungs": list(RUNGS), "eta": 2}.items():
        study.set_user_attr(k, v)
    for n, (params, curve) in enumerate(cands):
        accs = [curve[e - 1] for e in RUNGS if e <= len(curve)]
        study.add_trial(optuna.trial.create_trial(
            values=[accs[-1], params],
            user_attrs={"status": "trained", "arch_id": f"arch{n}", "val_acc": accs[-1],
                        "params": params, "rung_accs": accs,
                        "curve": curve if len(accs) == len(RUNGS) else accs,
                        "halted": len(accs) < len(RUNGS)}))
    return d / "study.db"


def _curve(first: float, last: float) -> list[float]:
    return [first + (last - first) * e / 9 for e in range(10)]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    # four candidates: two fast starters reach the top, two slow ones are halted early
    _study(tmp_path, [(380_000, _curve(0.60, 0.85)), (390_000, _curve(0.58, 0.84)),
                      (370_000, [0.45]), (360_000, [0.50, 0.55, 0.60])])
    _baseline(tmp_path, "seed000", 0, _curve(0.40, 0.90))  # slow start, best end
    _baseline(tmp_path, "seed000", 1, _curve(0.44, 0.92))
    _baseline(tmp_path, "resnet20", 0, _curve(0.70, 0.83))  # fast start, worst end
    return tmp_path


def _rows(root: Path) -> dict[str, str]:
    bt = sys.modules["budget_table"]
    search = rungs.load_search(root / "picks" / "tpe-400k" / "study.db")
    baselines = bt.models(bt.load_runs(root, "R30"))
    lines = rungs.rung_table(search, baselines).splitlines()
    return {line.split(" | ")[0].strip("| *"): line for line in lines[2:]}


def test_a_slow_starter_is_halted_at_the_first_rung_a_fast_one_goes_to_the_top(root):
    rows = _rows(root)
    # seed000's seed mean at epoch 1 is 42.0%, last of 5 (2 of 5 go on with eta 2)
    assert "| 42.0 (5/5) |" in rows["seed000"]
    assert rows["seed000"].endswith("| halted at rung 1 (1 ep) |")
    assert "| 70.0 (1/5) |" in rows["resnet20"]
    assert rows["resnet20"].endswith("| reaches the top rung |")
    assert rows["pick: trial 0"].endswith("| 60.0 | 65.6 | 85.0 | picked |")


def test_the_place_follows_the_multi_objective_order(root):
    s = rungs.load_search(root / "picks" / "tpe-400k" / "study.db")
    # as accurate as the best candidate at rung 1 but smaller: it dominates it
    assert rungs.place(0.60, 100_000, 0, s) == (1, 5, True)
    assert rungs.place(0.30, 399_000, 0, s) == (5, 5, False)


def test_rank_agreement_of_the_rungs_with_the_end(root):
    bt = sys.modules["budget_table"]
    s = rungs.load_search(root / "picks" / "tpe-400k" / "study.db")
    line = rungs.fidelity_line([s], bt.models(bt.load_runs(root, "R30")))
    # 4 whole curves (seed000's seed mean, resnet20, the two top-rung candidates), the
    # same order at epochs 1 and 3: only the two candidates' pair agrees with the end
    # (1 concordant, 5 discordant of 6 pairs: tau -4/6)
    assert line.endswith("over the 4 nets trained to the end: 1 ep -0.67, 3 ep -0.67")


def test_rank_agreement_takes_every_search_s_lower_rungs_but_one_top_rung(root):
    """PROTOCOL.md v3's searches score at 3 and 10 epochs, v2's at 1, 3 and 10: the line
    covers the union; a search with another top rung has curves of another length."""
    bt = sys.modules["budget_table"]
    s = rungs.load_search(root / "picks" / "tpe-400k" / "study.db")
    later = replace(s, rungs=s.rungs[1:], trials=[])  # from the second rung up, like v3
    line = rungs.fidelity_line([later, s], bt.models(bt.load_runs(root, "R30")))
    assert line.endswith("over the 4 nets trained to the end: 1 ep -0.67, 3 ep -0.67")
    with pytest.raises(ValueError, match="top rungs differ"):
        rungs.fidelity_line([replace(s, rungs=(1, 3, 20)), s], [])


def test_widened_samples_land_in_the_fill_band(root):
    s = rungs.load_search(root / "picks" / "tpe-400k" / "study.db")
    genomes = rungs.widened_samples(s, 5)
    assert len(genomes) == 5
    assert all(0.85 * 400_000 <= params_of(g) <= 400_000 for g in genomes)


def test_the_reach_table_widens_another_space_into_the_same_band(root):
    s = rungs.load_search(root / "picks" / "tpe-400k" / "study.db")
    table = rungs.reach_table([s], [], 5, others=["resnet", "default"])
    rows = [r.split(" | ") for r in table.splitlines()[2:]]
    assert [r[1] for r in rows] == ["default, 0.85", "resnet, 0.85"]  # its own space first
    assert all(r[0] == "| 400,000" and r[2] == "5" for r in rows)
    assert all(0.85 * 400_000 <= params_of(g) <= 400_000
               for g in rungs.widened_samples(replace(s, space="resnet"), 3))


def test_the_reach_table_has_a_row_for_each_space_a_budget_was_searched_in(root):
    """v3 searched 400k in the resnet space beside v2's default: both are the budget's own
    rows, and an ``others`` space already searched adds none."""
    s = rungs.load_search(root / "picks" / "tpe-400k" / "study.db")
    v3 = replace(s, name="v3-tpe-400k", space="resnet")
    table = rungs.reach_table([s, v3, replace(v3, name="v3-random-400k")], [], 5,
                              others=["resnet"])
    assert [r.split(" | ")[1] for r in table.splitlines()[2:]] == ["default, 0.85",
                                                                  "resnet, 0.85"]
