"""Tiny saved models and data for the deploy tests (CPU, no real data, no internet)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from nas.builder import Net, build
from nas.data import write_synthetic_npz
from nas.io import save_model

TINY = "cv_c4,ds_c8_s2_se0.25/mp,aspp_c8_d1-2/head_c4"  # exports in a second or two


def randomize_bn(net: Net, seed: int = 0) -> Net:
    """Non-trivial BatchNorm statistics, so a runtime folding BN wrongly shows up."""
    g = torch.Generator().manual_seed(seed)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.5)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
    return net.eval()


def save_tiny(path: Path, genome: str = TINY, seed: int = 0) -> Path:
    torch.manual_seed(seed)
    return save_model(path, randomize_bn(build(genome), seed), metrics={"test_acc": 0.5})


@pytest.fixture()
def model_pt(tmp_path: Path) -> Path:
    return save_tiny(tmp_path / "run" / "model.pt")


@pytest.fixture(scope="session")
def npz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    return write_synthetic_npz(path, n_train=180, n_val=20, n_test=20, image_size=16,
                               num_classes=4)


@pytest.fixture()
def no_real_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No $NAS_CIFAR10_NPZ and no ./data: the check must fall back to synthetic images."""
    monkeypatch.delenv("NAS_CIFAR10_NPZ", raising=False)
    monkeypatch.chdir(tmp_path)
