"""``--sampler evolve``: regularized evolution over genomes (Real et al. 2019, "aging
evolution"), a search that can start from the user's own net.

Each new candidate is a parent with one edit (``nas.genome.mutate``): the parent is the
fittest of a random ``tournament`` drawn from the last ``population`` trained trials (the
oldest age out, good or not). Fitness is (rung reached, validation accuracy there), so
under successive halving a net promoted further beats one halted early. The child goes
through the search's own budget filling and screen, and must be an architecture the
study has not seen; otherwise another edit is drawn. Until ``tournament`` trials are
trained the space is sampled at random, unless the study holds ``--start-from`` nets:
then evolution starts from them at once, a local search around the hand-designed net.
Optuna records no params for an evolved trial: ``parent`` and ``mutation`` say where it
came from.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nas.genome import Genome
from nas.genome.mutate import mutate
from nas.study.record import TrialRecord

POPULATION = 20  # trained trials that can be parents (the newest ones)
TOURNAMENT = 5  # parents drawn per child; the fittest of them is mutated
TRIES = 30  # edits drawn per child until one passes the screen and is new


@dataclass(frozen=True)
class Child:
    """A proposed candidate: its genome (head set, filled), its parent's trial number and
    the edit that made it (``mutate``'s description)."""

    genome: Genome
    parent: int
    mutation: str


def fitness(r: TrialRecord) -> tuple[int, float]:
    """(rung reached, validation accuracy): sh promotions first, then accuracy."""
    return (r.rung or 0, float(r.val_acc or 0.0))


@dataclass(frozen=True)
class Evolution:
    """The proposer: ``propose`` gives a child or None (then sample the space)."""

    seed: int = 0
    population: int = POPULATION
    tournament: int = TOURNAMENT
    tries: int = TRIES

    def parents(self, trials: Sequence[TrialRecord]) -> list[TrialRecord]:
        """The newest ``population`` trained trials with a genome and an accuracy."""
        done = [r for r in trials if r.is_counted and r.genome and r.val_acc is not None]
        return sorted(done, key=lambda r: r.number)[-self.population:]

    def propose(self, number: int, trials: Sequence[TrialRecord],
                finish: Callable[[Genome], Genome | None]) -> Child | None:
        """A child for trial ``number``; ``finish`` turns an edited genome into the
        candidate (filled, screened) or None when it fails the limits."""
        pop = self.parents(trials)
        if not pop or (len(pop) < self.tournament and not any(r.given for r in pop)):
            return None
        rng = random.Random(f"{self.seed}:{number}")  # reproducible per trial
        seen = {r.arch_id for r in trials if r.arch_id}
        for _ in range(self.tries):
            parent = max(rng.sample(pop, min(self.tournament, len(pop))), key=fitness)
            try:
                edited, what = mutate(Genome.from_string(str(parent.genome)), rng)
            except ValueError:  # nothing in this parent can change
                continue
            child = finish(edited)
            if child is not None and child.arch_id not in seen:
                return Child(child, parent.number, what)
        return None
