"""Why a budget search's pick differs from the best baseline: two post-hoc readings of
issue 15's runs, on validation data only (results/budget/README.md, "Why").

    python scripts/reproduce/budget_rungs.py [results/budget] [--samples 300] [--space resnet]

1. **The rungs.** A successive-halving search scores each candidate at the rungs of one
   30-epoch run (1, 3, 10, 30 epochs) and keeps the top 1/eta by the multi-objective
   rank (nas.search.rungs). A baseline trained with the same recipe has its validation
   accuracy at those epochs in its history, so this places it in each rung of each
   search: its mean over seeds, its position in the rung's order (every candidate that
   reached the rung, as if it arrived last: ASHA decides on arrival, so the real verdict
   could differ by the arrival order) and whether it would go on. Also the rank agreement
   (Kendall tau-b) of each rung's accuracy with the 30-epoch one over every net trained to
   the end (baselines and top-rung candidates).
2. **The space's reach.** ``--samples`` random topologies of the study's space, widened to
   the study's ``--fill`` band as the search does (nas.search.fill): the MACs per image
   they reach, against each baseline's; ``--space`` adds another space widened into the
   same band, for comparison.

Validation accuracies only: no test number is read.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from budget_table import Model, fits, load_runs, models

from nas.analysis import analyze
from nas.analysis.static import params_of
from nas.fidelity.agreement import kendall_tau
from nas.fidelity.plan import RandomChooser
from nas.genome import Genome
from nas.retrain.select import pick
from nas.search.fill import fill
from nas.search.rungs import Entry, mo_order, promoted
from nas.search.space import load_space
from nas.study.record import TrialRecord, records
from nas.study.storage import open_study

ME = -1  # the baseline's key among a rung's trial numbers


@dataclass(frozen=True)
class Search:
    """One search's study as these readings need it."""

    name: str
    budget: int
    space: str
    fill: float | None
    rungs: tuple[int, ...]  # epochs
    eta: int
    trials: list[TrialRecord]  # counted (trained to at least the first rung)
    picked: TrialRecord  # what `nas retrain --top 1` retrains (nas.retrain.select)


def load_search(db: Path) -> Search:
    study = open_study(db)
    a = study.user_attrs
    return Search(db.parent.name, int(a["budget"]), a["space"], a.get("fill"),
                  tuple(a["rungs"]), int(a["eta"]),
                  [r for r in records(study) if r.is_counted], pick(study, 1)[0].trial)


def val_curve(m: Model) -> list[float]:
    """Mean validation accuracy per epoch over ``m``'s seeds (its result.json histories)."""
    curves = [[h["val_acc"] for h in json.loads(r.path.read_text())["history"]]
              for r in m.runs]
    n = min(map(len, curves))
    return [float(np.mean([c[e] for c in curves])) for e in range(n)]


def place(acc: float, params: int, rung: int, s: Search) -> tuple[int, int, bool]:
    """(1-based position, field size, promoted) of a net of ``acc`` and ``params`` among
    the candidates of ``s`` that reached rung index ``rung``."""
    me = Entry(ME, acc, params)
    field = [Entry(r.number, r.rung_accs[rung], r.params or 0) for r in s.trials
             if len(r.rung_accs) > rung] + [me]
    pos = [e.key for e in mo_order(field)].index(ME)
    return pos + 1, len(field), promoted(me, field, s.eta)


def rung_row(m: Model, s: Search) -> str:
    """One baseline's rung cells in ``s``: val % (position/field) per rung, then where it
    would stop."""
    curve, params = val_curve(m), analyze(m.genome).params
    cells, verdict = [], "reaches the top rung"
    for k, epochs in enumerate(s.rungs):
        if epochs > len(curve):
            cells.append("-")
            continue
        pos, n, up = place(curve[epochs - 1], params, k, s)
        cells.append(f"{100 * curve[epochs - 1]:.1f} ({pos}/{n})")
        if not up and k < len(s.rungs) - 1 and verdict.startswith("reaches"):
            verdict = f"halted at rung {k + 1} ({epochs} ep)"
    return f"| {m.name} | {params:,} | " + " | ".join(cells) + f" | {verdict} |"


def rung_table(s: Search, baselines: Sequence[Model]) -> str:
    head = ["| baseline | params | " + " | ".join(f"rung {k + 1}: {e} ep" for k, e in
                                                 enumerate(s.rungs)) + " | would be |",
            "| --- |" + " ---: |" * (len(s.rungs) + 1) + " --- |"]
    p = s.picked
    picked = (f"| *pick: trial {p.number}* | {p.params:,} | "
              + " | ".join(f"{100 * a:.1f}" for a in p.rung_accs) + " | picked |")
    rows = [rung_row(m, s) for m in baselines if fits(m, s.budget)]
    return "\n".join([*head, picked, *rows])


def fidelity_line(searches: Sequence[Search], baselines: Sequence[Model]) -> str:
    """Kendall tau-b of the validation accuracy at each lower rung's epoch of any search
    (PROTOCOL.md v2's 1, 3, 10 and v3's 3, 10) with the final one, over every net with a
    whole history: baselines (seed mean) and top-rung candidates. The searches must share
    their top rung, the schedule every curve runs to."""
    last = {s.rungs[-1] for s in searches}
    if len(last) != 1:
        raise ValueError(f"the searches' top rungs differ ({sorted(last)} epochs): their "
                         "curves are not comparable")
    final = last.pop()
    curves = [val_curve(m) for m in baselines]
    curves += [list(r.curve) for s in searches for r in s.trials
               if len(r.rung_accs) == len(s.rungs)]
    curves = [c for c in curves if len(c) == final]
    lower = sorted({e for s in searches for e in s.rungs[:-1]})
    taus = [f"{e} ep {kendall_tau([c[e - 1] for c in curves], [c[-1] for c in curves]):.2f}"
            for e in lower]
    return (f"Kendall tau-b with the {final}-epoch validation accuracy over the "
            f"{len(curves)} nets trained to the end: " + ", ".join(taus))


def widened_samples(s: Search, n: int, seed: int = 0) -> list[Genome]:
    """``n`` random topologies of ``s``'s space, each widened into the search's fill band
    as the search does (topologies no widening fits are skipped, as the search rejects
    them); ``n`` or fewer if 50 x ``n`` samples do not yield them."""
    sample, rng, out = load_space(s.space).sample, random.Random(seed), []
    for _ in range(50 * n):
        g: Genome | None = sample(RandomChooser(rng), s.budget)
        if s.fill is not None:
            g = fill(g, s.budget, s.fill, params_of)
        if g is not None and params_of(g) <= s.budget:
            out.append(g)
            if len(out) == n:
                break
    return out


def reach_table(searches: Sequence[Search], baselines: Sequence[Model], n: int,
                others: Sequence[str] = ()) -> str:
    """One row per budget and space its searches used (each in its own fill band), and
    one per space in ``others`` widened into the first search's band (what another space
    would have offered that search)."""
    lines = ["| budget | space, fill | samples | MACs p50 / p90 / max | baselines: share of "
             "samples with at least their MACs |", "| --- | --- |" + " ---: |" * 2 + " --- |"]
    for b in sorted({s.budget for s in searches}):
        own: dict[str, Search] = {}  # space -> its first search at this budget
        for s in searches:
            if s.budget == b:
                own.setdefault(s.space, s)
        first = next(iter(own.values()))
        rows = [*own.values(), *(replace(first, space=o) for o in others if o not in own)]
        lines += [reach_row(s, baselines, n) for s in rows]
    return "\n".join(lines)


def reach_row(s: Search, baselines: Sequence[Model], n: int) -> str:
    """MACs percentiles of ``s``'s widened samples, and the share reaching each baseline's."""
    macs = np.array([analyze(g).macs for g in widened_samples(s, n)], dtype=float)
    p50, p90, top = (np.percentile(macs, q) / 1e6 for q in (50, 90, 100))
    need = {m.name: analyze(m.genome).macs for m in baselines if fits(m, s.budget)}
    share = ", ".join(f"{name} {v / 1e6:.0f}M: {100 * np.mean(macs >= v):.0f}%"
                      for name, v in need.items())
    return (f"| {s.budget:,} | {s.space}, {s.fill} | {len(macs)} | {p50:.1f}M / "
            f"{p90:.1f}M / {top:.1f}M | {share} |")


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("root", nargs="?", default="results/budget", type=Path)
    p.add_argument("--recipe", default="R30", help="the baselines' recipe (runs/<RECIPE>/)")
    p.add_argument("--samples", type=int, default=300,
                   help="random topologies per budget for the space's reach")
    p.add_argument("--space", action="append", default=[], dest="spaces",
                   help="another space to widen into each search's band, beside its own "
                        "(repeatable)")
    a = p.parse_args(argv)
    baselines = [m for m in models(load_runs(a.root, a.recipe)) if m.kind == "baseline"]
    searches = [load_search(d) for d in sorted((a.root / "picks").glob("*/study.db"))]
    for s in searches:
        print(f"\n#### {s.name}: the baselines in its rungs (eta {s.eta})\n\n"
              f"{rung_table(s, baselines)}")
    print("\n" + textwrap.fill(fidelity_line(searches, baselines) + ".", 88))
    print(f"\n#### The space's reach\n\n{reach_table(searches, baselines, a.samples, a.spaces)}")


if __name__ == "__main__":
    main(sys.argv[1:])
