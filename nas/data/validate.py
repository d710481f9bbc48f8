"""Checks on raw arrays before they become a ``Dataset``: one clear error per problem."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from nas.data.errors import DataError

KEYS = ("x_train", "y_train", "x_test", "y_test")
MIN_SIZE = 8  # px: smaller images cannot go through a stride-2 stem and a crop


def check_arrays(arrays: Mapping[str, np.ndarray], source: str) -> dict[str, np.ndarray]:
    """Validate the four arrays and return them with labels as int64 (N,).

    Images must be uint8 (N, S, S, C) with S >= 8, both splits the same size and channel
    count; labels integer (N,) or (N, 1), >= 0, matching their images in number, and the
    test labels within the training labels' range. Raises ``DataError`` naming the key.
    """
    missing = [k for k in KEYS if k not in arrays]
    if missing:
        raise DataError(f"{source} lacks key '{missing[0]}' (expected keys: {', '.join(KEYS)})")
    out = {k: np.asarray(arrays[k]) for k in KEYS}
    for split in ("train", "test"):
        _check_images(out[f"x_{split}"], f"x_{split}", source)
        out[f"y_{split}"] = _check_labels(out[f"y_{split}"], f"y_{split}", source,
                                          len(out[f"x_{split}"]))
    if out["x_train"].shape[1:] != out["x_test"].shape[1:]:
        raise DataError(f"{source}: x_test images are {_hwc(out['x_test'])} but x_train's "
                        f"are {_hwc(out['x_train'])}; expected the same size and channels")
    return out


def num_classes_of(y_train: np.ndarray, y_test: np.ndarray, source: str) -> int:
    """Classes = max training label + 1; test labels beyond it are an error."""
    n = int(y_train.max()) + 1
    if n < 2:
        raise DataError(f"{source}: 'y_train' has a single class (0); expected at least 2")
    if len(y_test) and int(y_test.max()) >= n:
        raise DataError(f"{source}: 'y_test' has label {int(y_test.max())} out of range: "
                        f"expected 0..{n - 1} (the labels seen in y_train)")
    return n


def _hwc(x: np.ndarray) -> str:
    return "x".join(map(str, x.shape[1:]))


def _check_images(x: np.ndarray, key: str, source: str) -> None:
    if x.dtype != np.uint8:
        raise DataError(f"{source}: '{key}' has dtype {x.dtype}; expected uint8 (0..255)")
    if x.ndim != 4:
        raise DataError(f"{source}: '{key}' has shape {x.shape}; expected 4 dims "
                        "(N, H, W, C) in NHWC order")
    _, h, w, c = x.shape
    if h != w:
        raise DataError(f"{source}: '{key}' images are {h}x{w} (shape {x.shape}); expected "
                        "square images in NHWC order (N, S, S, C)")
    if h < MIN_SIZE:
        raise DataError(f"{source}: '{key}' images are {h}x{w}; expected at least "
                        f"{MIN_SIZE}x{MIN_SIZE}")
    if not 1 <= c <= 4:
        raise DataError(f"{source}: '{key}' has {c} channels (shape {x.shape}); expected 1 to "
                        "4 channels last (NHWC)")
    if len(x) == 0:
        raise DataError(f"{source}: '{key}' holds no images")


def _check_labels(y: np.ndarray, key: str, source: str, n: int) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]  # Keras-style (N, 1) labels
    if not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"{source}: '{key}' has dtype {y.dtype}; expected integer class labels")
    if y.ndim != 1:
        raise DataError(f"{source}: '{key}' has shape {y.shape}; expected (N,) labels")
    if len(y) != n:
        raise DataError(f"{source}: '{key}' has {len(y)} labels but x_{key[2:]} has {n} "
                        "images; expected one label per image")
    if len(y) and int(y.min()) < 0:
        raise DataError(f"{source}: '{key}' has label {int(y.min())} out of range; expected "
                        "labels >= 0")
    return y.astype(np.int64)
