"""Tiny synthetic data and a fast proxy: every search test trains 1-step epochs."""

from __future__ import annotations

import pytest

from nas.data import make_synthetic, write_synthetic_npz
from nas.search import SearchConfig

BUDGET = 30_000  # params: the small space spans ~3k..60k at this budget


@pytest.fixture(scope="session")
def data():
    return make_synthetic(n_train=64, n_val=32, n_test=32, image_size=16, num_classes=4)


@pytest.fixture(scope="session")
def npz(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    return write_synthetic_npz(path, n_train=90, n_val=10, n_test=20, image_size=16,
                               num_classes=4)


@pytest.fixture()
def config(tmp_path):
    """A search config factory on a fresh sqlite study in tmp_path. ``fill`` is off, so a
    test sees the space's own samples (``fill=None`` gives the default's resolution)."""
    def make(**kw):
        base = {"budget": BUDGET, "trials": 3, "space": "small", "proxy_epochs": 1,
                "storage": str(tmp_path / "study.db"), "study": "t", "sampler": "random",
                "fill": 0.0, "strategy": "single"}
        return SearchConfig(**{**base, **kw})
    return make
