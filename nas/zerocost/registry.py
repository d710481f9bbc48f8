"""The score registry, the probe batch and ``score_genome`` (every score, timed)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from nas.data import Dataset, eval_batches
from nas.genome import Genome


@dataclass(frozen=True)
class Probe:
    """What a score may look at: normalised, unaugmented training images (NCHW, float32)
    with their labels, and the genome (for the scores that need no network at all)."""

    x: torch.Tensor
    y: torch.Tensor
    genome: Genome
    num_classes: int


ScoreFn = Callable[[nn.Module, Probe], float]
SCORES: dict[str, ScoreFn] = {}


def register(name: str) -> Callable[[ScoreFn], ScoreFn]:
    """Decorator: make ``fn`` the score called ``name`` (one module per score)."""
    def add(fn: ScoreFn) -> ScoreFn:
        SCORES[name] = fn
        return fn
    return add


def probe_batch(data: Dataset, genome: Genome, images: int = 128) -> Probe:
    """The first ``images`` training images of ``data`` as a ``Probe`` (deterministic)."""
    x, y = next(eval_batches(data.subset(min(images, len(data.y_train))), "train", images,
                             channels_last=False))
    return Probe(x, y, genome, data.num_classes)


def score_model(model: nn.Module, probe: Probe,
                names: list[str] | None = None) -> dict[str, tuple[float, float]]:
    """name -> (score, milliseconds) for ``names`` (default: all), each on a fresh deep copy
    of ``model`` so one score's changes (|weights|, BN statistics, gradients) cannot leak
    into the next or back to the caller. Milliseconds include the copy."""
    out = {}
    for name in names or list(SCORES):
        t0 = time.perf_counter()
        value = SCORES[name](copy.deepcopy(model), probe)
        out[name] = (float(value), (time.perf_counter() - t0) * 1e3)
    return out


def score_genome(genome: Genome | str, data: Dataset, seed: int = 0, images: int = 128,
                 names: list[str] | None = None) -> dict[str, tuple[float, float]]:
    """Every score of ``genome`` at its ``seed`` initialisation on ``data``'s probe batch."""
    from nas.builder import build

    g = Genome.from_string(genome) if isinstance(genome, str) else genome
    g = g.replace_head(c=data.num_classes, i=data.in_chans)
    torch.manual_seed(seed)
    model = build(g).to(data.device)
    return score_model(model, probe_batch(data, g, images), names)
