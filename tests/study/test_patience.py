"""``nas.study.patience``: a storage whose server goes away is retried, said once, given up
on after the patience; the heartbeat never raises. Fake inner storages, no server (the
real outages are in tests/reliability/test_outage.py)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy.exc
from optuna.exceptions import StorageInternalError, UpdateFinishedTrialError
from optuna.trial import TrialState

import nas.study.patience as patience
from nas.errors import NasError
from nas.study.errors import nas_error_in
from nas.study.patience import Outage, PatientStorage, StorageUnavailable

URL = "postgresql+psycopg://nas:secret@db.example/nas"


def lost() -> Exception:
    """What Optuna raises when the server is gone: its wrapper around SQLAlchemy's."""
    try:
        raise sqlalchemy.exc.OperationalError(
            "SELECT 1", {}, Exception("connection refused")) from None
    except sqlalchemy.exc.OperationalError as e:
        try:
            raise StorageInternalError("An exception is raised during the commit.") from e
        except StorageInternalError as wrapped:
            return wrapped


class Flaky:
    """An inner storage whose calls fail with a lost connection ``fails`` times first."""

    def __init__(self, fails: int) -> None:
        self.fails, self.calls = fails, 0
        self.state = TrialState.RUNNING

    def _maybe_fail(self) -> None:
        self.calls += 1
        if self.calls <= self.fails:
            raise lost()

    def get_all_studies(self) -> list[str]:
        self._maybe_fail()
        return ["s"]

    def record_heartbeat(self, trial_id: int) -> None:
        self._maybe_fail()

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        self._maybe_fail()
        return [7]

    def set_trial_state_values(self, trial_id, state, values=None):  # type: ignore[no-untyped-def]
        """The first call commits on the server, then the connection breaks."""
        self.calls += 1
        if self.state.is_finished():
            raise UpdateFinishedTrialError("finished")
        self.state = state
        if self.calls == 1:
            raise lost()
        return True

    def get_trial(self, trial_id: int):  # type: ignore[no-untyped-def]
        return type("T", (), {"state": self.state})()


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patience, "backoff", lambda attempt: 0.001)


def storage(inner: object, patience_s: float = 60, pause_s: float = 0.0
            ) -> tuple[PatientStorage, list[str]]:
    lines: list[str] = []
    return PatientStorage(inner, Outage(URL, patience_s, lines.append),  # type: ignore[arg-type]
                          reap_pause_s=pause_s), lines


def test_an_outage_is_retried_and_said_once_when_it_drops_and_once_when_it_returns():
    inner = Flaky(fails=5)
    s, lines = storage(inner)
    assert s.get_all_studies() == ["s"]
    assert inner.calls == 6
    assert len(lines) == 2, lines
    assert "unreachable (connection refused)" in lines[0] and "NAS_STORAGE_PATIENCE" in lines[0]
    assert "reachable again" in lines[1]
    assert "secret" not in "".join(lines)  # the password is masked
    assert s.get_all_studies() == ["s"] and len(lines) == 2  # nothing more to say


def test_past_the_patience_it_gives_up_with_one_line():
    s, lines = storage(Flaky(fails=10**9), patience_s=0.05)
    with pytest.raises(StorageUnavailable) as e:
        s.get_all_studies()
    assert isinstance(e.value, NasError)  # one line, exit 2, in the CLI
    assert "unreachable for over 0 s (NAS_STORAGE_PATIENCE)" in str(e.value)
    assert "\n" not in str(e.value)
    assert len(lines) == 1 and "unreachable" in lines[0]
    with pytest.raises(StorageUnavailable):  # still down: no second wait
        s.get_all_studies()
    assert len(lines) == 1


def test_other_errors_are_raised_at_once():
    class Broken:
        calls = 0

        def get_all_studies(self) -> None:
            Broken.calls += 1
            raise KeyError("Record does not exist.")

    s, lines = storage(Broken())
    with pytest.raises(KeyError):
        s.get_all_studies()
    assert Broken.calls == 1 and not lines


def test_the_heartbeat_never_raises_and_never_waits():
    inner = Flaky(fails=3)
    s, lines = storage(inner, patience_s=0)
    for _ in range(3):
        s.record_heartbeat(1)  # lost: skipped, no exception even past the patience
    assert inner.calls == 3 and len(lines) == 1
    s.record_heartbeat(1)
    assert len(lines) == 2 and "reachable again" in lines[1]

    class Full:
        def record_heartbeat(self, trial_id: int) -> None:
            raise OSError("database or disk is full")

    quiet, said = storage(Full())
    quiet.record_heartbeat(1)  # left to the main thread's next write to report
    assert not said


def test_no_trial_is_stale_right_after_an_outage():
    inner = Flaky(fails=1)
    s, _ = storage(inner, pause_s=0.3)
    s.record_heartbeat(1)  # the drop
    assert s.stale_trial_ids(0) == []  # during the outage: nobody could beat
    s.record_heartbeat(1)  # the return
    assert s.stale_trial_ids(0) == []  # others may not have reconnected yet
    time.sleep(0.35)
    assert s.stale_trial_ids(0) == [7]


def test_a_state_write_that_committed_before_the_connection_broke_counts_as_done():
    inner = Flaky(fails=0)
    s, _ = storage(inner)
    assert s.set_trial_state_values(1, TrialState.COMPLETE, [0.5]) is True
    assert inner.calls == 2  # the retry found the trial finished: by this very write


def test_a_trial_finished_by_another_process_is_still_refused():
    inner = Flaky(fails=0)
    inner.state = TrialState.FAIL  # reaped by another worker
    s, _ = storage(inner)
    with pytest.raises(UpdateFinishedTrialError):
        s.set_trial_state_values(1, TrialState.COMPLETE, [0.5])


def test_patience_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(patience.ENV_PATIENCE, raising=False)
    assert patience.patience_seconds() == 600
    monkeypatch.setenv(patience.ENV_PATIENCE, "0")
    assert patience.patience_seconds() == 0
    monkeypatch.setenv(patience.ENV_PATIENCE, "ten")
    with pytest.raises(NasError, match="NAS_STORAGE_PATIENCE='ten'"):
        patience.patience_seconds()


def test_connection_errors_are_told_from_others():
    assert patience.is_connection_error(lost())
    assert not patience.is_connection_error(KeyError("x"))
    assert not patience.is_connection_error(StorageInternalError("too long"))
    assert patience.reason(lost()) == "connection refused"


def test_the_one_line_error_is_found_under_optunas_clean_up_errors():
    told = StorageUnavailable("storage gone")
    assert nas_error_in(KeyError("x")) is None
    try:
        try:
            raise told
        except StorageUnavailable:
            raise UnboundLocalError("updated_state")  # noqa: B904 (what Optuna does)
    except UnboundLocalError as e:
        assert nas_error_in(e) is told


def test_ctrl_c_while_waiting_ends_the_patience(monkeypatch: pytest.MonkeyPatch):
    """An interrupted search must not wait out the rest of the patience to write its
    trial's FAIL: after Ctrl-C in a wait, calls fail at once with the one-line error."""
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    s, lines = storage(Flaky(fails=10**9), patience_s=600)
    monkeypatch.setattr(patience.time, "sleep", interrupted)
    with pytest.raises(KeyboardInterrupt):
        s.get_all_studies()
    with pytest.raises(StorageUnavailable):
        s.get_all_studies()
    assert len(lines) == 1


def test_a_stop_signal_during_a_storage_call_waits_for_the_call_to_end():
    """A Ctrl-C (or a worker's dead parent) landing inside a transaction would leave
    sqlite's write lock held; it is raised once the call has finished instead."""
    from nas.interrupts import stop

    done = []

    class Writer:
        def set_trial_user_attr(self, trial_id: int, key: str, value: object) -> None:
            stop(KeyboardInterrupt())  # the signal handler runs mid-write
            done.append((trial_id, key, value))

    s, _ = storage(Writer())
    with pytest.raises(KeyboardInterrupt):
        s.set_trial_user_attr(3, "status", "failed")
    assert done == [(3, "status", "failed")]
