"""A small, learnable data set made in memory, for tests and quick demos (no download).

Each class has its own mean colour and stripe orientation/frequency; every image adds
Gaussian noise and a random brightness shift, so one epoch of a small CNN beats chance
clearly but the task is not solved by a single pixel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from nas.data.dataset import Dataset, from_arrays


def synthetic_arrays(n: int, image_size: int, num_classes: int, in_chans: int,
                     rng: np.random.Generator, protos: np.ndarray) -> tuple[np.ndarray, ...]:
    """``n`` uint8 NHWC images and int64 labels drawn from the class prototypes."""
    y = np.arange(n) % num_classes
    rng.shuffle(y)
    noise = rng.normal(0.0, 28.0, size=(n, image_size, image_size, in_chans))
    shift = rng.normal(0.0, 12.0, size=(n, 1, 1, 1))
    x = protos[y] + noise + shift
    return np.clip(x, 0, 255).astype(np.uint8), y.astype(np.int64)


def _prototypes(image_size: int, num_classes: int, in_chans: int,
                rng: np.random.Generator) -> np.ndarray:
    """One (S, S, C) float image per class: a colour plus oriented stripes."""
    r = np.arange(image_size, dtype=np.float64)
    yy, xx = np.meshgrid(r, r, indexing="ij")
    protos = []
    for k in range(num_classes):
        colour = rng.uniform(60, 196, size=in_chans)
        angle = np.pi * k / num_classes
        freq = 2 * np.pi / (3 + k % 4)
        stripes = np.sin(freq * (np.cos(angle) * xx + np.sin(angle) * yy))
        protos.append(colour + 40.0 * stripes[..., None])
    return np.stack(protos)


def make_synthetic(n_train: int = 2000, n_val: int = 500, n_test: int = 500,
                   image_size: int = 16, num_classes: int = 4, in_chans: int = 3,
                   seed: int = 0, device: torch.device | str | None = None) -> Dataset:
    """A ``Dataset`` with exactly ``n_train``/``n_val``/``n_test`` images (same seed, same data)."""
    rng = np.random.default_rng(seed)
    protos = _prototypes(image_size, num_classes, in_chans, rng)
    x_tr, y_tr = synthetic_arrays(n_train + n_val, image_size, num_classes, in_chans, rng, protos)
    x_te, y_te = synthetic_arrays(n_test, image_size, num_classes, in_chans, rng, protos)
    data = from_arrays(x_tr, y_tr, x_te, y_te, num_classes, name="synthetic", n_val=n_val)
    return data.to(device) if device is not None else data


def save_npz(data: Dataset, path: str | Path) -> Path:
    """Write ``data`` as an .npz that ``load_dataset`` reads (train and val rejoined).

    Reloading splits off the last min(5000, 10%) as validation, which equals the original
    split when ``n_val`` was that fraction (e.g. make_synthetic(n_train=900, n_val=100)).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path,
             x_train=torch.cat([data.x_train, data.x_val]).cpu().numpy(),
             y_train=torch.cat([data.y_train, data.y_val]).cpu().numpy(),
             x_test=data.x_test.cpu().numpy(), y_test=data.y_test.cpu().numpy())
    return path


def write_synthetic_npz(path: str | Path, **kwargs: int) -> Path:
    """``make_synthetic(**kwargs)`` saved to ``path`` (a file for CLI tests)."""
    return save_npz(make_synthetic(**kwargs), path)
