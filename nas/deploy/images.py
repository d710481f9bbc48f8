"""The images an export is checked on: real ones when there are any, said plainly if not.

Order: ``--data`` if given; else the data the model was trained on, when known and on
this machine (never downloaded just for a check); else ``$NAS_CIFAR10_NPZ``; else
synthetic images, with a note that they are not real.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from nas.data import ENV_NPZ, Dataset, Normalizer, load_dataset, make_synthetic
from nas.data.load import DEFAULT_CACHE
from nas.data.sources import find_batches
from nas.errors import NasError


@dataclass(frozen=True)
class CheckImages:
    """Normalised float32 NCHW images plus where they came from."""

    x: torch.Tensor
    source: str  # e.g. "cifar10 (training data), validation split"
    real: bool
    mean: tuple[float, ...] | None  # per-channel normalisation, 0..1 scale (None: synthetic)
    std: tuple[float, ...] | None


def _offline(spec: str) -> bool:
    """Whether ``load_dataset(spec)`` can run without a download."""
    if spec.lower() == "cifar10":
        env = os.environ.get(ENV_NPZ)
        return bool(env and Path(env).is_file()) or find_batches(DEFAULT_CACHE) is not None
    return Path(spec).expanduser().exists()


def find_data(data: str | None, trained_on: str | None, in_chans: int
              ) -> tuple[Dataset | None, str]:
    """The data set to take check images from (None: synthetic) and a description."""
    if data is not None:
        ds = load_dataset(data)
        if ds.in_chans != in_chans:
            raise NasError(f"--data {data} has {ds.in_chans}-channel images but the model "
                           f"takes {in_chans}")
        return ds, f"{data} (--data)"
    candidates = [(trained_on, "training data"), (os.environ.get(ENV_NPZ), f"${ENV_NPZ}")]
    for spec, why in candidates:
        if spec and _offline(spec):
            ds = load_dataset(spec)
            if ds.in_chans == in_chans:
                return ds, f"{spec} ({why})"
    return None, f"synthetic images: no real data here (pass --data or set {ENV_NPZ})"


def check_images(data: Dataset | None, description: str, n: int, input_size: int,
                 in_chans: int) -> CheckImages:
    """``n`` images of the validation split (resized when their size differs), normalised
    as in training; synthetic ones when ``data`` is None."""
    if n < 1:
        raise NasError(f"--images must be >= 1, got {n}")
    real = data is not None
    if data is None:
        data = make_synthetic(n_train=10, n_val=n, n_test=1, image_size=input_size,
                              num_classes=4, in_chans=in_chans)
    x = Normalizer.of(data)(data.x_val[:n], channels_last=False).float()
    if x.shape[-1] != input_size:
        x = F.interpolate(x, size=(input_size, input_size), mode="bilinear", antialias=True)
    mean, std = (data.mean, data.std) if real else (None, None)
    where = f"{description}, validation split" if real else description
    return CheckImages(x.contiguous(), where, real, mean, std)
