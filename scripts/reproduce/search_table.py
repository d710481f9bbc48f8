"""Print the table of results/search/README.md (issue 14, results/search/PROTOCOL.md) from
the arm directories that scripts/reproduce/search_arm.sh writes: ``<dir>/<arm>-<N>k-s<seed>/``
with ``study.db`` (a snapshot of the search study) and ``run.log``.

    python scripts/reproduce/search_table.py [results/search] [--json] [--figure F.html]
    python scripts/reproduce/search_table.py --base     # tpe | random: the sampler of arms (d), (e)

Per arm, by the protocol's metric (validation only, no test split anywhere):
* top-rung nets: sh arms, candidates that reached the top rung; single-proxy arms
  (a, a2), their retrained picks (``final_val_acc``, written by ``nas retrain``);
* best top-rung val acc and the params of that pick (and its fraction of the budget);
* images trained: proxy or rung training (``nas.search.totals.images_spent``) plus, for
  single-proxy arms, the retrains (epochs x whole batches of the 45k split);
* wall time: the sum of the trials' durations (one worker, so trials run one after
  another) minus the pauses the log records (``paused (SIGSTOP)`` ... ``resumed``), plus
  the retrains' training seconds (``retrain/summary.csv``). One torch thread per job on
  2 cores, so CPU time is at most this; startup (data loading, ~10 s per run) is not
  counted.
* feasible fraction: screened candidates that passed the params / rf / prescreen checks.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from wall_time import search_seconds

from nas.data.augment import epoch_images
from nas.search.totals import compute
from nas.study.pareto import trained_trials
from nas.study.record import Status, TrialRecord, records
from nas.study.storage import open_study

N_TRAIN, BATCH = 45_000, 256  # the top rung's split and batch (PROTOCOL.md)
NAME = re.compile(r"^(?P<arm>[a-z0-9-]+?)-(?P<budget>\d+)k-s(?P<seed>\d+)$")
RETRAIN = re.compile(r"^retrain: ([\d.]+) s wall", re.M)


@dataclass(frozen=True)
class Arm:
    """One arm's row of the table (accuracies are fractions, times seconds)."""

    name: str
    arm: str
    budget: int
    seed: int
    finished: bool
    top_nets: int
    best_val: float | None
    mean_val: float | None
    pick_params: int | None
    pick_arch: str | None
    candidates: int
    feasible: float | None
    images: int
    wall_s: float
    # (training images spent so far, best top-rung val acc so far) after each top-rung net
    trajectory: list[tuple[int, float]]


def arm_row(d: Path) -> Arm:
    """The table row of one arm directory (``study.db`` + ``run.log``)."""
    m = NAME.match(d.name)
    if m is None:
        raise ValueError(f"{d}: expected a directory named <arm>-<N>k-s<seed>")
    log = (d / "run.log").read_text() if (d / "run.log").exists() else ""
    trials = records(open_study(d / "study.db"))
    sh = any(r.sh for r in trials)
    if sh:
        top = [(r, r.val_acc) for r in trained_trials(trials)]
        extra = 0
    else:
        top = [(r, r.final_val_acc) for r in trials if r.final_val_acc is not None]
        extra = sum((r.retrain_epochs or 0) * (r.retrain_seeds or 1) for r, _ in top) \
            * epoch_images(N_TRAIN, BATCH)
    stats = compute(trials)
    best = max(top, key=lambda p: p[1], default=None)
    path = incumbents(trials) if sh else \
        [(stats.images + extra, best[1])] if best else []
    retrain_s = 0.0 if sh else retrain_seconds(d, log)
    return Arm(
        name=d.name, arm=m["arm"], budget=int(m["budget"]) * 1000, seed=int(m["seed"]),
        finished=bool(re.search(r"^search: " if sh else r"^retrain: ", log, re.M)),
        top_nets=len(top), best_val=best[1] if best else None,
        mean_val=sum(v for _, v in top) / len(top) if top else None,
        pick_params=best[0].params if best else None,
        pick_arch=best[0].arch_id if best else None,
        candidates=stats.counted, feasible=stats.feasible, images=stats.images + extra,
        wall_s=search_seconds(trials, log) + retrain_s, trajectory=path)


def retrain_seconds(d: Path, log: str) -> float:
    """The retrains' training time: ``retrain/summary.csv``'s seconds (every resumed
    segment of every seed, so a retrain killed at a session's end counts in full), else
    the ``/usr/bin/time`` lines of the log (which a killed segment never prints)."""
    summary = d / "retrain" / "summary.csv"
    if summary.exists():
        with summary.open() as f:
            return sum(float(row["seconds"]) for row in csv.DictReader(f))
    return sum(float(x) for x in RETRAIN.findall(log))


def incumbents(trials: list[TrialRecord]) -> list[tuple[int, float]]:
    """An sh search's anytime curve: after each candidate that reached the top rung (in
    the order they finished), the images spent so far and the best top-rung val acc."""
    done = sorted((r for r in trials if r.is_counted and r.trial is not None),
                  key=lambda r: r.trial.datetime_complete)
    spent, best, out = 0, 0.0, []
    for r in done:
        spent += r.images or 0
        if r.status == Status.TRAINED and not r.halted and r.val_acc is not None:
            best = max(best, r.val_acc)
            out.append((spent, best))
    return out


def figure(rows: list[Arm], path: Path) -> None:
    """Best top-rung val acc vs training images spent, one line per arm (single-proxy
    arms: one point, after their retrains), as a self-contained HTML file."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for a in rows:
        if a.trajectory:
            x, y = zip(*a.trajectory, strict=True)
            fig.add_scatter(x=[v / 1e6 for v in x], y=y, mode="lines+markers",
                            line_shape="hv", name=a.name)
    fig.update_layout(xaxis_title="training images spent (millions)",
                      yaxis_title="best top-rung validation accuracy",
                      title="Search strategies at equal compute (results/search/PROTOCOL.md)")
    fig.write_html(path, include_plotlyjs=True)


def markdown(rows: list[Arm]) -> str:
    head = ("| arm | budget | seed | top-rung nets | best top-rung val | mean | params of pick "
            "(of budget) | candidates trained | feasible | images trained | wall h |")
    lines = [head, "|" + " --- |" * 3 + " ---: |" * 8]
    for a in rows:
        pick = (f"{a.pick_params:,} ({a.pick_params / a.budget:.2f})"
                if a.pick_params else "-")
        lines.append(
            f"| {a.arm}{'' if a.finished else ' (running)'} | {a.budget // 1000}k | {a.seed} "
            f"| {a.top_nets} | {_f(a.best_val)} | {_f(a.mean_val)} | {pick} | {a.candidates} "
            f"| {_f(a.feasible, 2)} | {a.images:,} | {a.wall_s / 3600:.2f} |")
    return "\n".join(lines)


TIE = 0.003  # PROTOCOL.md: a gap under the seed-to-seed spread (0.2-0.3 points) is a tie


def _vs(x: Arm | None, y: Arm | None) -> tuple[str, bool | None]:
    """'x beats y' / 'tie' / 'y beats x' by best top-rung val acc; None while either arm
    is unfinished or missing."""
    if x is None or y is None or not (x.finished and y.finished) or \
            x.best_val is None or y.best_val is None:
        return "not both finished", None
    gap = x.best_val - y.best_val
    verdict = "tie" if abs(gap) < TIE else f"{x.arm if gap > 0 else y.arm} better"
    return f"{x.arm} {x.best_val:.4f} vs {y.arm} {y.best_val:.4f}: {verdict}", gap >= TIE


def _by_arm(rows: list[Arm], seed: int) -> dict[tuple[str, int], Arm]:
    """(arm letter, budget) -> row, for one search seed ('d-tpe' is arm 'd')."""
    return {(r.arm.split("-")[0], r.budget): r for r in rows if r.seed == seed}


def sampler_contest(rows: list[Arm], seed: int = 0) -> tuple[str, str | None]:
    """(the (c) vs (b) line, the base sampler of arms (d) and (e)): 'random' only if (c)
    beats (b) at 200k, 'tpe' if not (a tie goes to TPE, the default), None while either
    is unfinished (PROTOCOL.md v2.1)."""
    arm = _by_arm(rows, seed)
    text, c_wins = _vs(arm.get(("c", 200_000)), arm.get(("b", 200_000)))
    return text, None if c_wins is None else "random" if c_wins else "tpe"


OPTIONS = {"d": ("--fill 0.85", "--fill 0.85"),  # arm: (label, the options it adds)
           "e": ("--prescreen 0.5 (macs)", "--prescreen 0.5 --prescreen-score macs")}


def option_contests(rows: list[Arm], seed: int = 0) -> dict[str, tuple[str, bool | None]]:
    """{option label: (the arm vs its base line, True if the option beats the base, None
    while undecided)} for --fill (arm d) and the prescreen (arm e), against the better of
    (b)/(c) at 200k (PROTOCOL.md v2.1)."""
    arm = _by_arm(rows, seed)
    sampler = sampler_contest(rows, seed)[1]
    base = None if sampler is None else arm.get(("c" if sampler == "random" else "b", 200_000))
    return {label: _vs(arm.get((name, 200_000)), base) for name, (label, _) in OPTIONS.items()}


def sh_options(rows: list[Arm], seed: int = 0) -> str | None:
    """The options issue 14 measured to help, for the searches of results/budget/PROTOCOL.md
    v2 ('' when neither --fill nor the prescreen beat its base arm); None while (d) or
    (e) is undecided."""
    wins = [win for _, win in option_contests(rows, seed).values()]
    if None in wins:
        return None
    return " ".join(opts for (_, opts), win in zip(OPTIONS.values(), wins, strict=True) if win)


def decisions(rows: list[Arm], seed: int = 0) -> list[str]:
    """PROTOCOL.md's decision rules, applied mechanically to one search seed: sh becomes
    the default if (b) beats (a) at 200k and 400k and (a2) at 200k; --fill (arm d) and the
    prescreen (arm e) if they beat their base arm, the better of (b)/(c) at 200k."""
    arm = _by_arm(rows, seed)
    lines, wins = [], []
    for base, budget in (("a", 200_000), ("a2", 200_000), ("a", 400_000)):
        text, win = _vs(arm.get(("b", budget)), arm.get((base, budget)))
        lines.append(f"(b) vs ({base}) at {budget // 1000}k: {text}")
        wins.append(win)
    sh = ("undecided" if None in wins else "default" if all(wins) else "not default")
    lines.append(f"--strategy sh: {sh}")
    text, sampler = sampler_contest(rows, seed)
    named = {None: "undecided", "random": "c (random)", "tpe": "b (TPE)"}[sampler]
    lines.append(f"sampler at 200k: {text}; base of (d) and (e): {named}")
    for what, (text, win) in option_contests(rows, seed).items():
        lines.append(f"{what}: {text} -> "
                     f"{'undecided' if win is None else 'default' if win else 'not default'}")
    for r in rows:
        if r.pick_params is not None and r.pick_params < 0.7 * r.budget:
            lines.append(f"{r.name}: its pick uses {r.pick_params / r.budget:.2f} of the "
                         "budget (the issue's goal: >= 0.7 unless a smaller net is better)")
    return lines


def _f(v: float | None, digits: int = 4) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("root", nargs="?", default="results/search", type=Path)
    p.add_argument("--json", action="store_true", help="every figure as JSON")
    p.add_argument("--figure", type=Path, help="also write the anytime-curve HTML here")
    p.add_argument("--base", action="store_true",
                   help="print only the base sampler of arms (d) and (e): tpe or random "
                        "(exit 1 while (b) or (c) at 200k is unfinished)")
    p.add_argument("--sh-opts", action="store_true",
                   help="print only the options of --fill / --prescreen that beat their "
                        "base arm, for the budget study's searches (exit 1 while (d) or "
                        "(e) is unfinished)")
    a = p.parse_args(argv)
    rows = [arm_row(d) for d in sorted(a.root.iterdir())
            if d.is_dir() and (d / "study.db").exists()]
    if a.sh_opts:
        opts = sh_options(rows)
        if opts is None:
            sys.exit("error: --fill / --prescreen are undecided: arms (d) and (e) at 200k, "
                     "seed 0, and their base arm must all have finished")
        print(opts)
        return
    if a.base:
        text, sampler = sampler_contest(rows)
        if sampler is None:
            sys.exit(f"error: the base of arms (d) and (e) is undecided: (b) and (c) at "
                     f"200k, seed 0, must both have finished ({text})")
        print(sampler)
        return
    if a.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    else:
        print(markdown(rows) + "\n\n" + "\n".join(f"- {line}" for line in decisions(rows)))
    if a.figure:
        figure(rows, a.figure)


if __name__ == "__main__":
    main(sys.argv[1:])
