"""The surrogate behind ``nas.search``'s training seam, and the stand-in data set.

``SurrogateTrainer`` is a ``nas.search.evaluators.base.Trainer``: it "trains" a genome by
reading the surrogate's curve epoch by epoch, calling the search's callbacks (rung
promotion) after each, so successive halving stops it exactly where real training would
stop. ``stand_in_data`` is a CIFAR-10-shaped ``Dataset`` that holds no images (stride-0
tensors): 45,000 training images, so images per epoch and the sh signature match the
budget study's, at no memory cost.
"""

from __future__ import annotations

from pathlib import Path

import torch

from nas.analysis.static import macs, params_of
from nas.data import Dataset
from nas.genome import Genome
from nas.searchbench.data import EPOCHS
from nas.searchbench.surrogate import Surrogate
from nas.train import EpochMetrics, TrainConfig

TRAIN_IMAGES = 45_000  # CIFAR-10's first 45,000 training images (the budget study's split)
VAL_IMAGES = 5_000
IMAGE_SIZE = 32  # px


def stand_in_data(n_train: int = TRAIN_IMAGES, n_val: int = VAL_IMAGES) -> Dataset:
    """A 10-class, 32x32x3 ``Dataset`` of ``n_train`` training images that are all one
    zero image (an expanded view: a few bytes): what the search reads of the data is its
    size and shape, never its pixels, when the surrogate trains."""
    def images(n: int) -> torch.Tensor:
        return torch.zeros((1, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=torch.uint8).expand(
            n, IMAGE_SIZE, IMAGE_SIZE, 3)

    def labels(n: int) -> torch.Tensor:
        return torch.zeros(n, dtype=torch.int64)

    return Dataset(images(n_train), labels(n_train), images(n_val), labels(n_val),
                   images(n_val), labels(n_val), num_classes=10, mean=(0.5,) * 3,
                   std=(0.25,) * 3, name="stand-in-cifar10")


class SurrogateTrainer:
    """A training-free ``Trainer``: the surrogate's curve of the genome, epoch by epoch."""

    def __init__(self, surrogate: Surrogate) -> None:
        self.surrogate = surrogate
        self._figures: dict[str, tuple[int, int]] = {}

    def figures(self, genome: Genome) -> tuple[int, int]:
        """(params, MACs per 32 px image) of ``genome``, cached by arch_id."""
        a = genome.arch_id
        if a not in self._figures:
            self._figures[a] = (params_of(genome), macs(genome, IMAGE_SIZE))
        return self._figures[a]

    def true_final(self, genome: Genome) -> float:
        """The net's true final validation accuracy (fraction): what a retrain gets."""
        return self.surrogate.final(genome.arch_id, *self.figures(genome))

    def __call__(self, genome: Genome, data: Dataset, recipe: TrainConfig,
                 callbacks: list, checkpoint: Path | None = None,
                 device: str | torch.device | None = None) -> list[EpochMetrics]:
        """Epochs 1..recipe.epochs of the curve, every callback called after each; stops
        after the epoch at which any returns True. ``checkpoint`` and ``device`` are
        ignored (nothing to resume, nothing to place)."""
        if recipe.epochs != EPOCHS:
            raise ValueError(f"the surrogate knows the {EPOCHS}-epoch schedule only, asked "
                             f"for {recipe.epochs} (use --max-epochs {EPOCHS})")
        curve = self.surrogate.curve(genome.arch_id, *self.figures(genome), recipe.epochs)
        history: list[EpochMetrics] = []
        for e, acc in enumerate(curve, start=1):
            m = EpochMetrics(epoch=e, train_loss=0.0, train_acc=0.0, val_loss=0.0,
                             val_acc=round(float(acc), 4), lr=0.0, seconds=0.0)
            history.append(m)
            if any([cb(m) for cb in callbacks]):  # a list: every callback sees the epoch
                break
        return history
