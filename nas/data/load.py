"""``load_dataset(spec)``: the one entry point from a ``--data`` string to a ``Dataset``."""

from __future__ import annotations

from pathlib import Path

import torch

from nas.data.dataset import Dataset, from_arrays
from nas.data.errors import DataError
from nas.data.sources import BATCHES, HINT, cifar10, find_batches, read_batches, read_npz
from nas.data.validate import check_arrays, num_classes_of

DEFAULT_CACHE = Path("data")


def load_dataset(spec: str, subset: int | None = None,
                 device: torch.device | str | None = None,
                 cache_dir: str | Path = DEFAULT_CACHE) -> Dataset:
    """Load, validate and split ``spec``; keep the first ``subset`` training images.

    ``spec`` is ``cifar10`` (``$NAS_CIFAR10_NPZ``, else ``cache_dir/cifar-10-batches-py``,
    else a torchvision download into ``cache_dir``), a path to an ``.npz`` with x_train,
    y_train, x_test, y_test, or a folder holding ``cifar-10-batches-py``. Tensors end up
    on ``device`` (default cpu) as uint8 NHWC images and int64 labels.
    """
    arrays, source, name = _read(spec, Path(cache_dir))
    arrays = check_arrays(arrays, source)
    n_classes = num_classes_of(arrays["y_train"], arrays["y_test"], source)
    data = from_arrays(arrays["x_train"], arrays["y_train"], arrays["x_test"],
                       arrays["y_test"], n_classes, name=name).subset(subset)
    return data.to(device) if device is not None else data


def _read(spec: str, cache_dir: Path) -> tuple[dict, str, str]:
    if spec.lower() == "cifar10":
        arrays, source = cifar10(cache_dir)
        return arrays, source, "cifar10"
    path = Path(spec).expanduser()
    if path.is_file():
        return read_npz(path), str(path), path.stem
    if path.is_dir():
        found = find_batches(path)
        if found is None:
            raise DataError(f"folder {path} holds no {BATCHES} (data_batch_1..5, test_batch); "
                            f"{HINT}")
        return read_batches(found), str(found), "cifar10"
    if path.suffix == ".npz" or "/" in spec:
        raise DataError(f"data file {spec} not found; {HINT}")
    raise DataError(f"unknown --data {spec!r}: expected 'cifar10', a path to an .npz file or "
                    f"a folder holding {BATCHES}")
