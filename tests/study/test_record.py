"""TrialRecord: the keys it owns, status -> Optuna state, retrain figures on the study."""

from __future__ import annotations

import optuna
import pytest
from optuna.trial import TrialState, create_trial

from nas.study import Status, records, save_retrain
from nas.study.record import KEYS, STATE_OF, as_record, write


def _study() -> optuna.Study:
    return optuna.create_study(directions=["maximize", "minimize"])


def test_every_finished_status_has_one_optuna_state():
    finished = set(Status) - {Status.SCREENING, Status.TRAINING}
    assert set(STATE_OF) == finished
    assert STATE_OF[Status.TRAINED] == TrialState.COMPLETE
    assert STATE_OF[Status.STOPPED] == TrialState.PRUNED
    assert STATE_OF[Status.FAILED] == TrialState.FAIL


def test_write_refuses_keys_the_record_does_not_own():
    trial = _study().ask()
    write(trial, val_acc=0.5, curve=(0.4, 0.5), status=Status.TRAINING)
    with pytest.raises(KeyError, match="not TrialRecord fields: valacc"):
        write(trial, valacc=0.5)
    r = as_record(trial.study.get_trials()[0])
    assert r.val_acc == 0.5 and r.curve == (0.4, 0.5) and r.status == "training"
    assert r.holds_slot and not r.is_counted


def test_record_reads_what_a_search_writes_and_ignores_foreign_keys():
    t = create_trial(values=[0.6, 1000], user_attrs={
        "genome": "cv_c8/head", "arch_id": "abc", "params": 1000, "status": "trained",
        "val_acc": 0.6, "epochs": 2, "curve": [0.5, 0.6], "someone_else": 1})
    r = as_record(t)
    assert (r.genome, r.params, r.epochs, r.curve) == ("cv_c8/head", 1000, 2, (0.5, 0.6))
    assert r.is_counted and r.trial is t
    assert "someone_else" not in KEYS


def test_retrain_figures_live_on_the_study_and_override_old_trial_attrs():
    study = _study()
    old = {"status": "trained", "val_acc": 0.5, "params": 10, "test_acc": 0.4}
    for _ in range(2):  # trials 0 and 1, retrained by an older nas (trial attrs)
        study.add_trial(create_trial(values=[0.5, 10], user_attrs=old))
    save_retrain(study, 1, test_acc=0.7, final_val_acc=0.65, retrain_epochs=3)
    r0, r1 = records(study)
    assert r0.test_acc == 0.4 and r0.final_val_acc is None  # old studies still read
    assert (r1.test_acc, r1.final_val_acc, r1.retrain_epochs) == (0.7, 0.65, 3)
    with pytest.raises(KeyError, match="not retrain figures"):
        save_retrain(study, 0, val_acc=0.1)


def test_retrain_figures_on_a_journal_study(tmp_path):
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    from nas.study import open_study

    log = tmp_path / "s.log"
    study = optuna.create_study(study_name="j", directions=["maximize", "minimize"],
                                storage=JournalStorage(JournalFileBackend(str(log))))
    study.add_trial(create_trial(values=[0.5, 10], user_attrs={"status": "trained"}))
    save_retrain(study, 0, test_acc=0.75)
    assert records(open_study(log))[0].test_acc == 0.75  # re-read from the file
