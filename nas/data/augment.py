"""Batched augmentation and normalisation on the data's device: no PIL, no per-image Python.

Random crop with zero padding (as torchvision's ``RandomCrop(32, padding=4)``; the padding
scales with the image side, see ``scaled_pad``) and the horizontal flip (optional: wrong
for digits or text) are folded into *one* gather from a once-padded uint8 copy of the training
set: each output pixel reads ``padded[i, dy + r, dx + c']`` with ``c'`` reversed for
flipped images. Cutout zeroes a square after normalisation (0 = the channel mean). Every
random draw comes from a ``torch.Generator`` seeded with (seed, epoch), so an epoch's batches
are the same on every run and after a resume.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from nas.data.dataset import Dataset

Batch = tuple[torch.Tensor, torch.Tensor]


def epoch_generator(seed: int, epoch: int, device: torch.device) -> torch.Generator:
    """The RNG of one epoch's shuffling and augmentation (reproducible across resumes)."""
    g = torch.Generator(device=device)
    g.manual_seed(seed * 100_003 + epoch)
    return g


def normalize(x: torch.Tensor, mean: torch.Tensor, std: torch.Tensor,
              channels_last: bool = True, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """uint8 NHWC -> float NCHW, ``(x/255 - mean) / std``; channels_last layout unless told.

    ``mean``/``std`` are (C,) tensors on the 0..255 scale (see ``Normalizer``).
    """
    out = (x.to(dtype) - mean) / std  # still NHWC: broadcasting over the last dim
    out = out.permute(0, 3, 1, 2)  # NCHW view whose memory is channels_last
    return out if channels_last else out.contiguous()


@dataclass
class Normalizer:
    """Per-channel constants of a Dataset, on its device and on the 0..255 scale."""

    mean: torch.Tensor
    std: torch.Tensor

    @classmethod
    def of(cls, data: Dataset) -> Normalizer:
        dev = data.device
        return cls(torch.tensor(data.mean, device=dev) * 255.0,
                   torch.tensor(data.std, device=dev) * 255.0)

    def __call__(self, x: torch.Tensor, channels_last: bool = True) -> torch.Tensor:
        return normalize(x, self.mean, self.std, channels_last)


REFERENCE_SIZE = 32  # px: the image side a recipe's ``pad`` is given for (CIFAR's)


def scaled_pad(pad: int, size: int) -> int:
    """Crop padding (px) for ``size``-px images from ``pad`` px at 32 px, rounded half up.

    A fixed 4 px would shift an 8-px image by half its width; scaling keeps the shift the
    same fraction of the image (1/8 with the default 4), so 8 px get 1 and 96 px get 12,
    while 32-px images keep exactly ``pad`` and earlier CIFAR results reproduce.
    """
    return (2 * pad * size + REFERENCE_SIZE) // (2 * REFERENCE_SIZE)


def crop_flip(padded: torch.Tensor, idx: torch.Tensor, pad: int, flip: bool,
              g: torch.Generator) -> torch.Tensor:
    """Random ``size``-px crops of ``padded[idx]`` (NHWC) with random horizontal flips."""
    b, size = len(idx), padded.shape[1] - 2 * pad
    dev = padded.device
    ar = torch.arange(size, device=dev)
    dy = torch.randint(0, 2 * pad + 1, (b, 1), device=dev, generator=g)
    dx = torch.randint(0, 2 * pad + 1, (b, 1), device=dev, generator=g)
    cols = ar.expand(b, size)
    if flip:
        flipped = torch.rand(b, 1, device=dev, generator=g) < 0.5
        cols = torch.where(flipped, ar.flip(0), ar)
    rows = dy + ar
    cols = dx + cols
    return padded[idx[:, None, None], rows[:, :, None], cols[:, None, :]]


def cutout(x: torch.Tensor, size: int, g: torch.Generator) -> torch.Tensor:
    """Zero a ``size``-px square at a random centre (may overlap the border) of each NCHW image."""
    b, _, h, w = x.shape
    dev = x.device
    cy = torch.randint(0, h, (b, 1, 1), device=dev, generator=g)
    cx = torch.randint(0, w, (b, 1, 1), device=dev, generator=g)
    ys = torch.arange(h, device=dev).view(1, h, 1)
    xs = torch.arange(w, device=dev).view(1, 1, w)
    y0, x0 = cy - size // 2, cx - size // 2
    inside = (ys >= y0) & (ys < y0 + size) & (xs >= x0) & (xs < x0 + size)
    return x.masked_fill(inside[:, None], 0.0)


def epoch_images(n_train: int, batch_size: int) -> int:
    """Training images one epoch of ``TrainLoader`` sees: whole batches only, except that
    a training set smaller than a batch is one batch of everything."""
    batch = min(batch_size, n_train)
    return n_train // batch * batch if batch else 0


class TrainLoader:
    """Shuffled, augmented training batches of a Dataset, generated on its device.

    Pads the training images once (``pad`` px of zeros at 32 px, scaled to the images' side
    by ``scaled_pad``; ``self.pad`` is the px used); each epoch is a permutation and
    drops the last partial batch (a different one each epoch), except that a training set
    smaller than ``batch_size`` makes one batch of everything.
    """

    def __init__(self, data: Dataset, batch_size: int, seed: int = 0, pad: int = 4,
                 flip: bool = True, cutout: int = 0, channels_last: bool = True) -> None:
        self.data, self.seed, self.flip = data, seed, flip
        self.pad = pad = scaled_pad(pad, data.image_size)
        self.cutout, self.channels_last = cutout, channels_last
        self.batch_size = min(batch_size, len(data.y_train))
        self.norm = Normalizer.of(data)
        self.padded = F.pad(data.x_train, (0, 0, pad, pad, pad, pad)) if pad else data.x_train

    def __len__(self) -> int:
        return len(self.data.y_train) // self.batch_size

    @property
    def num_images(self) -> int:
        """Images seen per epoch."""
        return epoch_images(len(self.data.y_train), self.batch_size)

    def epoch(self, epoch: int) -> Iterator[Batch]:
        """The batches of ``epoch`` (any integer; the same value gives the same batches)."""
        g = epoch_generator(self.seed, epoch, self.data.device)
        perm = torch.randperm(len(self.data.y_train), device=self.data.device, generator=g)
        for i in range(len(self)):
            idx = perm[i * self.batch_size:(i + 1) * self.batch_size]
            yield self.batch(idx, g)

    def batch(self, idx: torch.Tensor, g: torch.Generator) -> Batch:
        """One augmented, normalised batch of the training images ``idx``."""
        if self.pad:
            raw = crop_flip(self.padded, idx, self.pad, self.flip, g)
        else:
            raw = self.padded[idx]
            if self.flip:
                flipped = torch.rand(len(idx), 1, 1, 1, device=raw.device, generator=g) < 0.5
                raw = torch.where(flipped, raw.flip(2), raw)
        x = self.norm(raw, self.channels_last)
        if self.cutout:
            x = cutout(x, self.cutout, g)
        return x, self.data.y_train[idx]


def eval_batches(data: Dataset, split: str, batch_size: int = 1000,
                 channels_last: bool = True) -> Iterator[Batch]:
    """Normalised, unaugmented batches of ``split`` ('train', 'val' or 'test'), in order."""
    x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
    norm = Normalizer.of(data)
    for i in range(0, len(y), batch_size):
        yield norm(x[i:i + batch_size], channels_last), y[i:i + batch_size]
