"""Why a TPE budget search re-proposes nets it has trained: a post-hoc reading of issue
15's TPE studies (results/budget/README.md, "Why TPE repeats nets"), on their trials'
validation accuracies only.

    python scripts/reproduce/tpe_repeats.py [results/budget]

A successive-halving search tells the sampler every counted candidate as COMPLETE with
(validation accuracy at the last rung it reached, params): a net halted after 1 or 3
epochs is compared with nets trained 30. Optuna's multi-objective TPE (5.1) splits the
COMPLETE trials into a "good" group of ceil(0.1 n) trials by non-domination rank on
those values (``default_gamma_multiobjective``; a hypervolume tie-break inside the last
rank it reaches) and samples near the good group. This replays that split (the trials
the good group's slots are filled from) before each duplicate trial (an architecture
trained before, its result reused and told again): was the net it repeats in the good
group, and which rung had that net reached? A good group of small nets halted at low
rungs, whose repeats add the same point again, is the collapse this looks for.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from optuna.trial import TrialState

from nas.study.pareto import pareto_ranks
from nas.study.record import Status, TrialRecord, records
from nas.study.storage import open_study


@dataclass(frozen=True)
class Good:
    """TPE's good group: ``size`` slots, filled from ``members`` (every trial of the
    non-domination ranks it reaches; more than ``size`` when the last rank is tied, and
    Optuna then keeps the subset of largest hypervolume, so an exact copy of a member
    adds nothing there)."""

    size: int
    members: tuple[int, ...]


@dataclass(frozen=True)
class Repeat:
    number: int  # the duplicate trial
    of: int  # the trial it repeats
    good: Good  # TPE's good group when the duplicate was sampled

    @property
    def in_good(self) -> bool:
        return self.of in self.good.members


def good_group(done: Sequence[TrialRecord]) -> Good:
    """MOTPE's good group of the COMPLETE trials ``done``: ceil(0.1 n) slots filled by
    non-domination rank (rank 0 first)."""
    size = math.ceil(0.1 * len(done))
    members: list[int] = []
    for front in pareto_ranks(done):
        if len(members) >= size:
            break
        members += [r.number for r in front]
    return Good(size, tuple(members))


def told(r: TrialRecord) -> bool:
    """What TPE splits: a COMPLETE trial (trained to the top rung or halted below it,
    or a duplicate told the values of the net it repeats: nas.search.objective)."""
    return r.state == TrialState.COMPLETE and r.val_acc is not None and r.params is not None


def repeats(trials: Sequence[TrialRecord]) -> list[Repeat]:
    """Each duplicate trial, with the good group of the trials told before it."""
    out = []
    for r in trials:
        if r.status == Status.DUPLICATE and r.duplicate_of is not None:
            good = good_group([t for t in trials if t.number < r.number and told(t)])
            out.append(Repeat(r.number, r.duplicate_of, good))
    return out


def report(name: str, trials: Sequence[TrialRecord], rungs: Sequence[int]) -> list[str]:
    """Markdown lines: the duplicates, whether each repeats a good-group net, and the
    good group at the end (``rungs``: the study's rung epochs)."""
    by = {t.number: t for t in trials}
    reps = repeats(trials)
    end = good_group([t for t in trials if told(t)])

    def net(n: int) -> str:
        t = by[n]
        if t.status == Status.DUPLICATE:
            return f"#{n} (a copy of #{t.duplicate_of})"
        epochs = rungs[t.rung]
        return f"#{n} ({t.params:,} params, val {100 * t.val_acc:.1f}% after {epochs} " \
               f"epoch{'s' if epochs > 1 else ''})"

    return [f"### {name}: {len(reps)} duplicates of {len(trials)} trials, "
            f"{sum(r.in_good for r in reps)} of them repeat a net of TPE's good group",
            f"- good group at the end, {end.size} slots of: " + ", ".join(map(net, end.members)),
            *[f"- #{r.number} repeats {net(r.of)}: {'in' if r.in_good else 'not in'} "
              f"the good group then ({r.good.size} slots of {len(r.good.members)})"
              for r in reps]]


def main(argv: list[str]) -> None:
    root = Path(argv[0] if argv else "results/budget")
    for db in sorted((root / "picks").glob("*tpe-*/study.db")):
        study = open_study(db)
        rungs = study.user_attrs["rungs"]
        print("\n".join(report(db.parent.name, records(study), rungs)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
