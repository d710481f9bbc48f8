"""Which images an export is checked on: real data first, synthetic only as a stated fallback."""

from __future__ import annotations

import pytest
import torch

from nas.deploy.images import check_images, find_data
from nas.errors import NasError


def test_explicit_data_wins(npz, no_real_data):
    ds, desc = find_data(str(npz), "cifar10", 3)
    assert ds is not None and ds.image_size == 16 and "--data" in desc


def test_training_data_then_env_then_synthetic(npz, no_real_data, monkeypatch):
    ds, desc = find_data(None, str(npz), 3)
    assert ds is not None and "training data" in desc
    # cifar10 is not on this "machine" (no env, no ./data): never downloaded for a check
    ds, desc = find_data(None, "cifar10", 3)
    assert ds is None and "synthetic" in desc and "NAS_CIFAR10_NPZ" in desc
    monkeypatch.setenv("NAS_CIFAR10_NPZ", str(npz))
    ds, desc = find_data(None, "cifar10", 3)
    assert ds is not None and "cifar10" in desc
    ds, desc = find_data(None, None, 3)
    assert ds is not None and "$NAS_CIFAR10_NPZ" in desc


def test_channel_mismatch(npz, no_real_data, monkeypatch):
    with pytest.raises(NasError, match="3-channel images but the model takes 1"):
        find_data(str(npz), None, 1)
    monkeypatch.setenv("NAS_CIFAR10_NPZ", str(npz))
    assert find_data(None, None, 1)[0] is None  # unusable real data: fall back


def test_check_images_are_normalised_and_resized(npz, no_real_data):
    ds, desc = find_data(str(npz), None, 3)
    imgs = check_images(ds, desc, 8, 20, 3)
    assert imgs.x.shape == (8, 3, 20, 20) and imgs.x.dtype == torch.float32
    assert imgs.real and imgs.mean == ds.mean and "validation split" in imgs.source
    assert abs(float(imgs.x.mean())) < 1.0  # normalised, not 0..255
    fake = check_images(None, "synthetic images", 5, 12, 1)
    assert fake.x.shape == (5, 1, 12, 12) and not fake.real and fake.mean is None
    with pytest.raises(NasError, match="--images"):
        check_images(None, "synthetic", 0, 12, 3)
