"""The in-memory ``Dataset``: uint8 images and int64 labels, already split.

Splits follow the seeds: the *last* ``n_val`` training images are the validation set and
the rest train. ``n_val = min(5000, n // 10)``, so CIFAR-10's 50,000 give the seeds'
45,000 / 5,000 and a small data set keeps a 10 % validation split. ``subset`` keeps the
first N training images; validation never changes, so proxies stay comparable. The test
set is only for final evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from nas.data.errors import DataError

VAL_MAX = 5000  # images: the seeds' validation split of CIFAR-10
VAL_FRACTION = 10  # small data sets: 1/10 of the training images validate


@dataclass
class Dataset:
    """Images as uint8 (N, H, W, C) tensors, labels as int64 (N,), on one device.

    ``mean``/``std`` are per-channel statistics of the training split on a 0..1 scale,
    used for normalisation. NHWC storage means ``x.permute(0, 3, 1, 2)`` is an NCHW
    tensor already in channels_last layout, the fast one for these nets on CPU.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    num_classes: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    name: str = "data"

    @property
    def image_size(self) -> int:
        """Side of the square images in pixels."""
        return int(self.x_train.shape[1])

    @property
    def in_chans(self) -> int:
        return int(self.x_train.shape[3])

    @property
    def device(self) -> torch.device:
        return self.x_train.device

    def to(self, device: torch.device | str) -> Dataset:
        """A copy with every tensor on ``device`` (no copy when already there)."""
        moved = {k: getattr(self, k).to(device) for k in _TENSORS}
        return replace(self, **moved)

    def subset(self, n: int | None) -> Dataset:
        """Keep the first ``n`` training images; validation and test are unchanged."""
        if n is None:
            return self
        total = len(self.y_train)
        if not 1 <= n <= total:
            raise DataError(f"subset {n} out of range: the training split has {total} images")
        return replace(self, x_train=self.x_train[:n], y_train=self.y_train[:n])

    def __repr__(self) -> str:
        return (f"Dataset({self.name}: train {len(self.y_train)}, val {len(self.y_val)}, "
                f"test {len(self.y_test)}, {self.image_size}px x {self.in_chans}ch, "
                f"{self.num_classes} classes, {self.device})")


_TENSORS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")


def val_size(n_train: int) -> int:
    """Validation images taken from the end of ``n_train``: min(5000, n // 10)."""
    return min(VAL_MAX, n_train // VAL_FRACTION)


def channel_stats(x: torch.Tensor, chunk: int = 4096) -> tuple[tuple[float, ...], ...]:
    """Per-channel mean and std (0..1 scale) of uint8 NHWC images, in chunks to bound memory."""
    c = x.shape[-1]
    s = torch.zeros(c, dtype=torch.float64)
    s2 = torch.zeros(c, dtype=torch.float64)
    for i in range(0, len(x), chunk):
        part = x[i:i + chunk].reshape(-1, c).to("cpu", torch.float64) / 255.0
        s += part.sum(0)
        s2 += (part * part).sum(0)
    n = max(1, x[..., 0].numel())
    mean = s / n
    std = (s2 / n - mean * mean).clamp_min(1e-12).sqrt()
    return tuple(mean.tolist()), tuple(std.tolist())


def from_arrays(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                y_test: np.ndarray, num_classes: int, name: str = "data",
                n_val: int | None = None) -> Dataset:
    """Split validated arrays into train/val (val = the last ``n_val``) and wrap as tensors."""
    n = len(y_train)
    n_val = val_size(n) if n_val is None else n_val
    if n_val < 1 or n - n_val < 1:
        raise DataError(f"x_train has {n} images: need at least {VAL_FRACTION} to split off "
                        "a validation set (the last 10%)")
    xt = torch.from_numpy(np.ascontiguousarray(x_train))
    yt = torch.from_numpy(np.asarray(y_train, dtype=np.int64))
    x_tr, x_val = xt[:n - n_val], xt[n - n_val:]
    mean, std = channel_stats(x_tr)
    return Dataset(
        x_train=x_tr, y_train=yt[:n - n_val], x_val=x_val, y_val=yt[n - n_val:],
        x_test=torch.from_numpy(np.ascontiguousarray(x_test)),
        y_test=torch.from_numpy(np.asarray(y_test, dtype=np.int64)),
        num_classes=num_classes, mean=mean, std=std, name=name,
    )
