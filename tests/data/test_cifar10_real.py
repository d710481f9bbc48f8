"""On the real CIFAR-10 copy: only when $NAS_CIFAR10_NPZ points at it."""

import os

import numpy as np
import pytest
import torch

from nas.data import load_dataset

NPZ = os.environ.get("NAS_CIFAR10_NPZ")
pytestmark = pytest.mark.skipif(not NPZ, reason="NAS_CIFAR10_NPZ not set")


def test_cifar10_splits_like_the_seeds():
    d = load_dataset("cifar10")
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (45_000, 5_000, 10_000)
    assert (d.num_classes, d.image_size, d.in_chans) == (10, 32, 3)
    with np.load(NPZ) as f:
        assert torch.equal(d.x_val[-1], torch.from_numpy(f["x_train"][-1]))
        assert torch.equal(d.y_train[:10], torch.from_numpy(f["y_train"][:10]).long())
    assert abs(d.mean[0] - 0.4914) < 0.01
