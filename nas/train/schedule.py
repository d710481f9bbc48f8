"""Learning-rate multipliers per optimiser step (a ``LambdaLR`` factor of the peak lr)."""

from __future__ import annotations

import math

import torch

from nas.train.config import TrainConfig


def lr_factor(step: int, total: int, config: TrainConfig) -> float:
    """Multiplier of ``config.lr`` at ``step`` (0-based) of ``total`` steps.

    one-cycle: linear from ``start_lr_frac`` to 1 over the warm-up, then linear to 0 at the
    last step. cosine: linear from 0 to 1 over the warm-up, then half a cosine to 0.
    """
    warm = config.warmup * total
    if step < warm:
        start = config.start_lr_frac if config.schedule == "onecycle" else 0.0
        return start + (1.0 - start) * (step + 1) / warm
    rest = max(1.0, total - warm)
    done = min(1.0, (step - warm + 1) / rest)
    if config.schedule == "onecycle":
        return 1.0 - done
    return 0.5 * (1.0 + math.cos(math.pi * done))


def make_scheduler(opt: torch.optim.Optimizer, total: int,
                   config: TrainConfig) -> torch.optim.lr_scheduler.LambdaLR:
    """A per-step scheduler; its state (the step count) goes into checkpoints."""
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, total, config))
