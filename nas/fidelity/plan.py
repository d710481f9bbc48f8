"""What a fidelity study measures: the architectures and the training runs of each.

Torch-free. A ``Plan`` is stored on the study when it is created and read back on every
resume, so workers started later (or on other machines) run exactly the same units.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

from nas.errors import NasError
from nas.genome import Genome
from nas.zoo import resolve

REF_EPOCHS_MIN = 15  # the reference must be a real schedule: issue 13 asks for >= 15


@dataclass(frozen=True)
class Run:
    """One complete training schedule: ``epochs`` over the first ``subset`` training
    images (None: the whole training split), the ``full`` recipe otherwise (its one-cycle
    schedule is compressed into these epochs)."""

    name: str
    epochs: int
    subset: int | None = None


@dataclass(frozen=True)
class Arch:
    """One architecture of the study: ``name`` is a zoo name or ``r01``-style sample name."""

    name: str
    genome: str

    @property
    def arch_id(self) -> str:
        return Genome.from_string(self.genome).arch_id


def reference(epochs: int) -> Run:
    return Run("ref", epochs, None)


# cheap fidelities: 1 and 2 epochs on 10k images, 3 on 20k (10k, 20k and 60k images)
DEFAULT_RUNS: tuple[Run, ...] = (Run("e1_s10k", 1, 10_000), Run("e2_s10k", 2, 10_000),
                                 Run("e3_s20k", 3, 20_000))


@dataclass(frozen=True)
class Plan:
    """Architectures x runs (cheap ones then the reference, the last run)."""

    archs: tuple[Arch, ...]
    runs: tuple[Run, ...]

    def __post_init__(self) -> None:
        if not self.archs:
            raise NasError("a fidelity study needs at least one architecture")
        ids = [a.arch_id for a in self.archs]
        if len(set(ids)) != len(ids):
            raise NasError("the architectures of a fidelity study must be distinct")
        if self.runs[-1].name != "ref" or self.runs[-1].epochs < REF_EPOCHS_MIN:
            raise NasError(f"--ref-epochs must be >= {REF_EPOCHS_MIN} (the reference is "
                           "the schedule users train)")

    @property
    def ref(self) -> Run:
        return self.runs[-1]

    def units(self) -> list[tuple[Arch, Run]]:
        """Work in order: each architecture's cheap runs, then its reference, so that
        architectures complete one after the other and partial results are usable."""
        return [(a, r) for a in self.archs for r in self.runs]

    def to_dict(self) -> dict[str, Any]:
        return {"archs": [asdict(a) for a in self.archs], "runs": [asdict(r) for r in self.runs]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Plan:
        return cls(tuple(Arch(**a) for a in d["archs"]), tuple(Run(**r) for r in d["runs"]))


class RandomChooser:
    """Answers a space's choices uniformly at random (what a random sampler does)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def suggest_categorical(self, name: str, choices: Any) -> Any:
        return self.rng.choice(list(choices))

    def suggest_int(self, name: str, low: int, high: int, step: int = 1, **_: Any) -> int:
        return self.rng.randrange(low, high + 1, step)


def sample_archs(space: str, budget: int, n: int, seed: int,
                 max_tries: int = 10_000) -> list[Arch]:
    """``n`` distinct uniformly random architectures of ``space`` with params <= ``budget``."""
    from nas.analysis.static import params_of
    from nas.search.space import load_space

    sample = load_space(space).sample
    rng, out, seen = random.Random(seed), [], set()
    for _ in range(max_tries):
        g = sample(RandomChooser(rng), budget)
        if g.arch_id in seen or params_of(g) > budget:
            continue
        seen.add(g.arch_id)
        out.append(Arch(f"r{len(out) + 1:02d}", g.to_string()))
        if len(out) == n:
            return out
    raise NasError(f"found only {len(out)} of {n} architectures under {budget:,} params in "
                   f"{max_tries} samples of space {space!r}")


def zoo_archs(names: list[str]) -> list[Arch]:
    """Zoo names or genome strings as architectures."""
    return [Arch(name, genome.to_string()) for name, genome in map(resolve, names)]


def choose_archs(space: str, budget: int, n: int, zoo: list[str], seed: int) -> list[Arch]:
    """The study's architectures: ``n`` samples, then the zoo names (duplicates dropped)."""
    archs = sample_archs(space, budget, n, seed) if n else []
    ids = {a.arch_id for a in archs}
    return archs + [a for a in zoo_archs(zoo) if a.arch_id not in ids]
