"""``memory://<key>``: Optuna's in-memory storage, shared by every open of one URL in
this process (the training-free benchmark's studies), dropped by ``forget``."""

from __future__ import annotations

import optuna

from nas.study.storage import forget, make_storage, open_storage, open_study, storage_url


def test_one_url_one_storage_until_forgotten() -> None:
    url = storage_url("memory://test/a", "s")
    assert url == "memory://test/a"
    storage = make_storage(url)
    assert isinstance(storage, optuna.storages.InMemoryStorage)
    assert open_storage(url) is storage and make_storage(url) is storage
    assert make_storage("memory://test/b") is not storage
    optuna.create_study(storage=storage, study_name="s").optimize(lambda t: 1.0, n_trials=2)
    assert len(open_study(url).trials) == 2  # a reader sees the search's trials
    forget(url)
    forget("memory://test/b")
    assert open_storage(url) is not storage
    forget(url)
