"""Precise batch norm: recompute BN running statistics before an evaluation.

During training, BatchNorm keeps exponential moving averages of batch means and variances
(momentum 0.1 per step). After a short schedule (a proxy of 16-40 steps) or a fast-moving
learning rate, those averages describe weights from many steps ago: in eval mode a
deeper layer then normalises with a variance 10-1000x too large and the net predicts
one class (issue 12). Wu & Johnson, "Rethinking 'Batch' in BatchNorm" (2021, section 3)
call the fix *precise BN*: freeze the weights, reset the statistics, and average the
batch statistics of a few hundred training images with equal weights (PyTorch's
``momentum=None`` cumulative average). It costs a forward pass of those images only.
"""

from __future__ import annotations

import torch
from torch import nn

from nas.data import Dataset, eval_batches

BN_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)


def bn_layers(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    """The model's BatchNorm layers that track running statistics."""
    return [m for m in model.modules()
            if isinstance(m, BN_TYPES) and m.track_running_stats]


@torch.no_grad()
def recalibrate_bn(model: nn.Module, data: Dataset, images: int = 1024,
                   batch_size: int = 256, channels_last: bool = True) -> int:
    """Replace every BN layer's running mean/var by the average over ``images`` training images.

    Uses the first ``images`` training images, unaugmented (as evaluation sees them), in
    batches of ``batch_size`` (the statistics of each batch get equal weight, so a
    batch size near the training one keeps the variance estimate comparable). Weights,
    gradients and the RNG are untouched; dropout runs as in training but does not change
    BN's input statistics much for the small rates used here. Returns the number of
    images used (0 when the model has no BN layer or ``images`` is 0).
    """
    layers = bn_layers(model)
    n = min(images, len(data.y_train))
    if not layers or n <= 0:
        return 0
    was_training = model.training
    momenta = [m.momentum for m in layers]
    device = next(model.parameters()).device
    head = _head(data, n).to(device)
    try:
        for m in layers:
            m.reset_running_stats()
            m.momentum = None  # cumulative average: every batch weighs the same
        model.train()
        for x, _ in eval_batches(head, "train", min(batch_size, n), channels_last):
            model(x)
    finally:
        for m, mom in zip(layers, momenta, strict=True):
            m.momentum = mom
        model.train(was_training)
    return n


def _head(data: Dataset, n: int) -> Dataset:
    """``data`` with only its first ``n`` training images (no copy)."""
    return data.subset(n)
