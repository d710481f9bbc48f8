"""The only code that touches Optuna's private API; each function says why it must.

Optuna's public API has no way to reach a study's storage (``Study._storage``), a
trial's storage id (``FrozenTrial._trial_id``) or a study's id (``Study._study_id``),
yet four things ``nas`` does need them:

- failing a dead worker's RUNNING trial from another process (what Optuna's own
  ``fail_stale_trials`` does for heartbeat-stale trials, with the same storage call);
- study system attrs, where optuna-dashboard keeps notes, figures and artifact ids
  (``Study.system_attrs`` is gone from Optuna's public API);
- a finished trial handle for ``optuna_dashboard.save_note``, which reads
  ``.study``, ``.storage`` and ``._trial_id``;
- intermediate values of a multi-objective trial (``Trial.report`` refuses them, the
  storage call behind it does not), so the dashboard draws successive-halving rungs.

Everything else in ``nas`` uses the public API. If Optuna renames one of these, this
module is the one place to change.
"""

from __future__ import annotations

from typing import Any

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.storages import BaseStorage
from optuna.trial import FrozenTrial, TrialState


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
