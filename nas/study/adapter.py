"""The only code that touches Optuna's private API; each function says why it must.

Optuna's public API has no way to reach a study's storage (``Study._storage``), a
trial's storage id (``FrozenTrial._trial_id``) or a study's id (``Study._study_id``),
yet five things ``nas`` does need them:

- failing a dead worker's RUNNING trial from another process (what Optuna's own
  ``fail_stale_trials`` does for heartbeat-stale trials, with the same storage calls),
  after writing why on it while it is still RUNNING (a finished trial's user attrs are
  read-only in Optuna);
- study system attrs, where optuna-dashboard keeps notes, figures and artifact ids
  (``Study.system_attrs`` is gone from Optuna's public API);
- a finished trial handle for ``optuna_dashboard.save_note``, which reads
  ``.study``, ``.storage`` and ``._trial_id``;
- intermediate values of a multi-objective trial (``Trial.report`` refuses them, the
  storage call behind it does not), so the dashboard draws successive-halving rungs;
- a storage that rides out database outages (``nas.study.patience``): Optuna tells a
  heartbeat storage by its private base class ``BaseHeartbeat`` (``HeartbeatStorage``
  here) and wraps only a plain ``RDBStorage`` in its per-process trial cache
  (``_CachedStorage``), so a wrapper must do both itself.

Everything else in ``nas`` uses the public API. If Optuna renames one of these, this
module is the one place to change.
"""

from __future__ import annotations

from typing import Any

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.storages import BaseStorage, RDBStorage
from optuna.storages._cached_storage import _CachedStorage
from optuna.storages._heartbeat import BaseHeartbeat, is_heartbeat_enabled
from optuna.trial import FrozenTrial, TrialState


class HeartbeatStorage(BaseStorage, BaseHeartbeat):
    """Base of a storage wrapper that Optuna must treat as a heartbeat storage (it tells
    one by this private base class). Optuna's stale-trial check calls the private hook
    ``_get_stale_trial_ids``, routed here to ``stale_trial_ids``."""

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        return self.stale_trial_ids(study_id)

    def stale_trial_ids(self, study_id: int) -> list[int]:
        """Ids of the RUNNING trials of ``study_id`` whose heartbeat is stale."""
        raise NotImplementedError


def stale_trial_ids(storage: BaseStorage, study_id: int) -> list[int]:
    """``storage``'s heartbeat-stale RUNNING trial ids (a heartbeat storage's hook)."""
    return storage._get_stale_trial_ids(study_id)  # type: ignore[attr-defined]


def cached(rdb: RDBStorage) -> BaseStorage:
    """``rdb`` inside Optuna's per-process trial cache, as ``optuna.load_study`` wraps an
    ``RDBStorage`` (it does not wrap other storages, such as a wrapper around one)."""
    return _CachedStorage(rdb)


def storage_of(study: optuna.Study) -> BaseStorage:
    """The storage object a study was loaded with (Optuna's per-process cache wrapper)."""
    return study._storage


def fail_running(study: optuna.Study, trial: FrozenTrial) -> FrozenTrial | None:
    """Mark RUNNING ``trial`` FAIL; the updated trial, or None when another process
    finished or failed it first (then that process handles its retry: never twice)."""
    storage = storage_of(study)
    try:
        ok = storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)
    except UpdateFinishedTrialError:
        return None
    return storage.get_trial(trial._trial_id) if ok else None


def stale_running(study: optuna.Study) -> list[FrozenTrial]:
    """RUNNING trials whose heartbeat is older than the storage's grace period (empty
    without heartbeats): the selection of Optuna's ``fail_stale_trials``, kept separate
    from the failing so that the reason can be written on each trial first."""
    storage = storage_of(study)
    if not isinstance(storage, BaseHeartbeat) or not is_heartbeat_enabled(storage):
        return []
    return [storage.get_trial(i) for i in storage._get_stale_trial_ids(study._study_id)]


def set_running_attrs(study: optuna.Study, trial: FrozenTrial, attrs: dict[str, Any]) -> bool:
    """Write user ``attrs`` on another process's RUNNING ``trial``; False if it finished
    first (Optuna refuses writes to finished trials)."""
    storage = storage_of(study)
    try:
        for key, value in attrs.items():
            storage.set_trial_user_attr(trial._trial_id, key, value)
    except UpdateFinishedTrialError:
        return False
    return True


def system_attrs(study: optuna.Study) -> dict[str, Any]:
    """The study's system attrs (dashboard notes, figures, artifact ids)."""
    return storage_of(study).get_study_system_attrs(study._study_id)


def set_system_attr(study: optuna.Study, key: str, value: Any) -> None:
    storage_of(study).set_study_system_attr(study._study_id, key, value)


class TrialRef:
    """What ``optuna_dashboard.save_note``/``get_note`` need of a trial, for one that
    has finished (``optuna.Trial`` would ask the sampler for a new trial)."""

    def __init__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self.study, self.storage, self._trial_id = study, storage_of(study), trial._trial_id


def report_intermediate(trial: optuna.Trial, step: int, value: float) -> None:
    """Store ``value`` at ``step`` (epochs) as an intermediate value of a running trial,
    what ``Trial.report`` does, allowed here in multi-objective studies too."""
    storage_of(trial.study).set_trial_intermediate_value(trial._trial_id, step, value)
