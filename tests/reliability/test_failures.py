"""A candidate whose training breaks (NaN loss, out of memory) is recorded FAIL with the
reason and the search goes on to the requested count."""

from __future__ import annotations

import gc
import math
import weakref

import pytest
import torch
from optuna.trial import TrialState

import nas.search.evaluators.base as trainer_seam
from nas.data import load_dataset
from nas.search import SearchConfig, run_search
from nas.study import Status
from tests.reliability import helpers

N = 3


@pytest.fixture
def data(tiny_npz):  # type: ignore[no-untyped-def]
    return load_dataset(str(tiny_npz))


def _search(tmp_path, data, study):  # type: ignore[no-untyped-def]
    config = SearchConfig(budget=int(helpers.BUDGET), trials=N, space="small", study=study,
                          storage=f"sqlite:///{tmp_path / 's.db'}", proxy_epochs=1,
                          sampler="random", strategy="single")
    summary = run_search(config, data=data, progress=False)
    return summary, helpers.trials(f"sqlite:///{tmp_path / 's.db'}", study)


def _patch_nth_training(monkeypatch, n, make_broken):  # type: ignore[no-untyped-def]
    """The n-th proxy training of this process goes wrong the way ``make_broken`` says."""
    real = trainer_seam.train
    calls = [0]

    def train(model, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == n:
            model = make_broken(model)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(trainer_seam, "train", train)
    return calls


def _the_failed_trial(summary, ts):  # type: ignore[no-untyped-def]
    """The search completed its count around exactly one FAIL trial and left none RUNNING."""
    assert summary.ended == "done"
    assert len(helpers.counted(ts)) == N, helpers.summary(ts)
    assert not helpers.running(ts), helpers.summary(ts)
    failed = [t for t in ts if t.state == TrialState.FAIL]
    assert len(failed) == 1, helpers.summary(ts)
    return failed[0]


def test_nan_loss_is_a_failed_trial_and_the_search_goes_on(monkeypatch, tmp_path, data):
    """The 2nd candidate's classifier bias is NaN, so its loss is NaN from the first
    step: the trainer raises TrainingDiverged, the trial is FAIL with the reason."""
    def poison(model):  # type: ignore[no-untyped-def]
        with torch.no_grad():
            for p in model.head.parameters():
                p.fill_(math.nan)
        return model

    _patch_nth_training(monkeypatch, 2, poison)
    a = _the_failed_trial(*_search(tmp_path, data, "nan")).user_attrs
    assert a["status"] == Status.FAILED
    assert a["fail_reason"].startswith("diverged:") and "nan" in a["fail_reason"].lower()


def test_out_of_memory_is_a_failed_trial_and_the_search_goes_on(monkeypatch, tmp_path,
                                                                data):
    """MemoryError in the 2nd candidate's forward pass (what a too-large model on a
    small machine raises): FAIL with 'out of memory', the model is freed (nothing keeps
    a reference to it), the next candidates train."""
    class Exhausted(torch.nn.Module):
        def __init__(self, inner):  # type: ignore[no-untyped-def]
            super().__init__()
            self.inner = inner
            self.genome = inner.genome

        def forward(self, x):  # type: ignore[no-untyped-def]
            raise MemoryError("cannot allocate activations")

    refs = []

    def exhausted(model):  # type: ignore[no-untyped-def]
        broken = Exhausted(model)
        refs.append(weakref.ref(broken))
        return broken

    _patch_nth_training(monkeypatch, 2, exhausted)
    failed = _the_failed_trial(*_search(tmp_path, data, "oom"))
    assert failed.user_attrs["fail_reason"] == "out of memory: MemoryError"
    gc.collect()
    assert refs and refs[0]() is None  # the failed model's memory was released
