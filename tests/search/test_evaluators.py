"""The evaluator seam: a registered evaluator joins the chain by name, in order."""

from __future__ import annotations

import optuna
import pytest
from optuna.trial import TrialState

from nas.errors import NasError
from nas.search import run_search
from nas.search.evaluators import Outcome, base, registered
from nas.study import Status, records

VETO_ABOVE = 8_000  # params: the test evaluator rejects bigger candidates


class Veto:
    """A cheap evaluator (no training): rejects big candidates, passes the others on."""

    name = "veto"
    trains = False

    def __init__(self, seen: list[int]) -> None:
        self.seen = seen

    def evaluate(self, c):  # type: ignore[no-untyped-def]
        self.seen.append(c.trial.number)
        if c.screen.params > VETO_ABOVE:
            return Outcome.reject(f"veto: {c.screen.params} params")
        return Outcome.proceed()


@pytest.fixture()
def veto(monkeypatch):
    seen: list[int] = []
    monkeypatch.setitem(base._REGISTRY, "veto", lambda setup: Veto(seen))
    return seen


def test_proxy_is_registered():
    assert "proxy" in registered()


def test_a_registered_evaluator_runs_before_proxy_training(config, data, veto):
    s = run_search(config(trials=3, evaluators=("veto", "proxy"), max_samples=60),
                   data=data, progress=False)
    study = optuna.load_study(study_name=s.study, storage=s.storage)
    rs = records(study)
    vetoed = [r for r in rs if (r.reject_reason or "").startswith("veto")]
    trained = [r for r in rs if r.is_counted]
    assert s.ended == "done" and len(trained) == 3
    assert all(r.params <= VETO_ABOVE for r in trained)
    assert vetoed and all(r.status == Status.REJECTED and r.state == TrialState.PRUNED
                          and r.epochs == 0 and r.val_acc is None for r in vetoed)
    assert {r.number for r in trained} <= set(veto)  # every trained one passed the veto


def test_unknown_evaluator_is_a_one_line_error(config, data):
    with pytest.raises(NasError, match=r"unknown evaluator.*nope.*known: .*proxy"):
        run_search(config(evaluators=("nope",)), data=data, progress=False)
