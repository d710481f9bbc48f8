"""Fixtures of the reliability tests: a throwaway PostgreSQL server and tiny data files."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import INSTALL_HINT, PostgresCluster, find_bin_dir


def _cluster() -> Iterator[PostgresCluster]:
    """A started private PostgreSQL server, stopped and deleted afterwards (skips only
    without server binaries)."""
    if find_bin_dir() is None:
        pytest.skip(INSTALL_HINT)
    cluster = PostgresCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """One private PostgreSQL server for the whole session."""
    yield from _cluster()


@pytest.fixture
def own_pg_cluster() -> Iterator[PostgresCluster]:
    """A private PostgreSQL server for one test, which may stop and restart it
    (``halt``/``resume``) without touching the other tests' databases."""
    yield from _cluster()


@pytest.fixture
def pg_url(pg_cluster: PostgresCluster) -> str:
    """A fresh, empty database on the session's server (SQLAlchemy URL, psycopg v3)."""
    return pg_cluster.create_database(f"t_{uuid.uuid4().hex[:10]}")


@pytest.fixture(scope="session")
def tiny_npz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small learnable data set as an .npz (16 px, 4 classes, 360 train / 40 val)."""
    from nas.data import make_synthetic, save_npz

    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    return save_npz(make_synthetic(n_train=360, n_val=40, n_test=80, image_size=16,
                                   num_classes=4, seed=0), path)
