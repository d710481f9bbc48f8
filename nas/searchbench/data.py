"""The real nets the surrogate is fitted on: every architecture trained to the end of the
budget study's 30-epoch recipe, read through ``nas.curves.recorded.load_recorded``
(search trials that reached the top rung, the picks' retrain seeds, the R30 baselines).
Validation accuracies only: that loader never reads a test figure."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

RECIPE = "e30_n45000_b256_lr0.2"  # the budget study's recipe (results/budget/PROTOCOL-recipe.md)
EPOCHS = 30  # its schedule: the top rung of `--max-epochs 30`


@dataclass(frozen=True)
class Net:
    """One architecture run to the end of ``RECIPE``: its static figures (params, MACs
    per 32 px image) and every complete validation curve recorded for it (fractions,
    ``curves[k][e - 1]`` after epoch e; one per training seed or search)."""

    arch_id: str
    genome: str
    params: int
    macs: int
    curves: tuple[tuple[float, ...], ...]

    @property
    def mean_curve(self) -> np.ndarray:
        """The per-epoch mean over its runs: the expected curve of this net."""
        return np.mean(np.array(self.curves), axis=0)

    @property
    def final(self) -> float:
        """Mean final validation accuracy over its runs (the best estimate of its truth)."""
        return float(self.mean_curve[-1])


def complete_nets(root: Path = Path("results"), recipe: str = RECIPE) -> list[Net]:
    """Every architecture with at least one complete curve of ``recipe`` under ``root``,
    sorted by arch_id; nets whose static figures are unknown are left out."""
    from nas.curves.recorded import load_recorded

    by_arch: dict[str, list] = {}
    for c in load_recorded(root):
        if c.recipe.key == recipe and c.complete and c.genome and c.params and c.macs:
            by_arch.setdefault(c.arch_id, []).append(c)
    return [Net(a, cs[0].genome, int(cs[0].params), int(cs[0].macs),
                tuple(tuple(c.val[:EPOCHS]) for c in cs))
            for a, cs in sorted(by_arch.items())]
