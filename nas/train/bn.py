"""Precise batch norm: recompute BN running statistics before an evaluation.

During training, BatchNorm keeps exponential moving averages of batch means and variances
(momentum 0.1 per step). After a short schedule (a proxy of 16-40 steps) or a fast-moving
learning rate, those averages describe weights from many steps ago: in eval mode a
deeper layer then normalises with a variance 10-1000x too large and the net predicts
one class (issue 12). Wu & Johnson, "Rethinking 'Batch' in BatchNorm" (2021, section 3)
call the fix *precise BN*: freeze the weights, reset the statistics, and average the
batch statistics of a few hundred training images with equal weights (PyTorch's
``momentum=None`` cumulative average). It costs a forward pass of those images only.

The images go through the *training* augmentation (crop with zero padding, flip, cutout),
as the running averages do during training: the weights co-adapt to statistics of
augmented batches. Measured: recalibrating on unaugmented images instead scored a small
net 5 points *below* its running averages after a full 15-epoch schedule (results/fidelity
PLAN.md, v1), while both fix the chance-level scores of 1-epoch proxies.
"""

from __future__ import annotations

import torch
from torch import nn

from nas.data import Dataset, TrainLoader

BN_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)
RECAL_SEED = 12_345  # augmentation draws of the recalibration batches: the same every time


def bn_layers(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    """The model's BatchNorm layers that track running statistics."""
    return [m for m in model.modules()
            if isinstance(m, BN_TYPES) and m.track_running_stats]


@torch.no_grad()
def recalibrate_bn(model: nn.Module, data: Dataset, images: int = 1024,
                   batch_size: int = 256, channels_last: bool = True, pad: int = 4,
                   flip: bool = True, cutout: int = 0) -> int:
    """Replace every BN layer's running mean/var by the average over ``images`` training images.

    Uses the first ``images`` training images with the training augmentation (``pad``,
    ``flip``, ``cutout`` as ``TrainLoader`` takes them; the same draws every time), in
    batches of ``batch_size``: each batch's statistics get equal weight, so a batch size
    near the training one keeps the variance estimate comparable; a partial last batch is
    dropped. Weights, gradients and the global RNG are untouched; dropout is off (as at
    evaluation). Returns the number of images used (0 when the model has no BN layer or
    ``images`` is 0).
    """
    layers = bn_layers(model)
    batch = min(batch_size, images, len(data.y_train))
    if not layers or batch <= 0:
        return 0
    n = min(images, len(data.y_train)) // batch * batch
    was_training = model.training
    momenta = [m.momentum for m in layers]
    head = data.subset(n).to(next(model.parameters()).device)
    try:
        for m in layers:
            m.reset_running_stats()
            m.momentum = None  # cumulative average: every batch weighs the same
        model.train()
        for m in model.modules():
            if isinstance(m, nn.modules.dropout._DropoutNd):
                m.eval()
        for x, _ in TrainLoader(head, batch, RECAL_SEED, pad, flip, cutout,
                                channels_last).epoch(0):
            model(x)
    finally:
        for m, mom in zip(layers, momenta, strict=True):
            m.momentum = mom
        model.train(was_training)
    return n
