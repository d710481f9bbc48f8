"""Where images come from: ``cifar10``, an ``.npz`` file, or a ``cifar-10-batches-py`` folder."""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import numpy as np

from nas.data.errors import DataError

ENV_NPZ = "NAS_CIFAR10_NPZ"  # a local .npz copy of CIFAR-10, used before any download
BATCHES = "cifar-10-batches-py"
HINT = (f"pass --data PATH to an .npz with x_train, y_train, x_test, y_test, or to a folder "
        f"holding {BATCHES}, or set {ENV_NPZ}")


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file (no pickles: a data file must not run code).

    Anything but a zip archive (a text file, a single ``.npy``, a pickle) is refused before
    numpy sees it, since numpy's own error advises ``allow_pickle``, the wrong fix here.
    """
    if not zipfile.is_zipfile(path):
        raise DataError(f"cannot read {path}: it is not an .npz file (the zip of arrays "
                        "numpy.savez writes); expected an .npz with x_train, y_train, x_test, "
                        "y_test (uint8 NHWC images, integer labels)")
    try:
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise DataError(f"cannot read {path} as .npz: {e}") from None


def find_batches(folder: Path) -> Path | None:
    """``folder`` itself or its ``cifar-10-batches-py`` child, if it holds the pickles."""
    for cand in (folder / BATCHES, folder):
        if (cand / "data_batch_1").is_file() and (cand / "test_batch").is_file():
            return cand
    return None


def read_batches(folder: Path) -> dict[str, np.ndarray]:
    """The official python pickles (data_batch_1..5, test_batch) as NHWC uint8 arrays."""
    xs, ys = [], []
    for i in range(1, 6):
        x, y = _batch(folder / f"data_batch_{i}")
        xs.append(x)
        ys.append(y)
    x_test, y_test = _batch(folder / "test_batch")
    return {"x_train": np.concatenate(xs), "y_train": np.concatenate(ys),
            "x_test": x_test, "y_test": y_test}


def _batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    if not path.is_file():
        raise DataError(f"{path} is missing: a {BATCHES} folder needs data_batch_1..5 and "
                        "test_batch")
    with path.open("rb") as f:
        d = pickle.load(f, encoding="latin1")  # the official CIFAR format is a pickle
    x = np.asarray(d["data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(x), np.asarray(d["labels"], dtype=np.int64)


def cifar10(cache_dir: Path) -> tuple[dict[str, np.ndarray], str]:
    """CIFAR-10 from $NAS_CIFAR10_NPZ, else ``cache_dir``, else a torchvision download."""
    env = os.environ.get(ENV_NPZ)
    if env:
        path = Path(env)
        if not path.is_file():
            raise DataError(f"{ENV_NPZ}={env} is not a file; expected a .npz with x_train, "
                            "y_train, x_test, y_test")
        return read_npz(path), str(path)
    found = find_batches(cache_dir)
    if found is None:
        _download(cache_dir)
        found = find_batches(cache_dir)
        if found is None:
            raise DataError(f"CIFAR-10 download into {cache_dir} left no {BATCHES}; {HINT}")
    return read_batches(found), str(found)


def _download(cache_dir: Path) -> None:
    try:
        from torchvision.datasets import CIFAR10

        CIFAR10(str(cache_dir), train=True, download=True)
    except Exception as e:  # offline, proxy, disk: every failure gets the same advice
        raise DataError(f"cannot download CIFAR-10 into {cache_dir} "
                        f"({type(e).__name__}: {e}); {HINT}") from None
