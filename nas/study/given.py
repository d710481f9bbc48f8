"""Warm start: nets handed to a search (``--start-from``), queued as its first trials.

Each given genome becomes one WAITING trial carrying it in the ``given`` user attr and
no params; the objective evaluates that genome instead of sampling one. The trial is
screened, trained and ranked like any candidate (in successive halving it competes for
promotion at every rung), so the study shows the hand-designed net beside what the
search finds, and ``nas retrain`` returns it when nothing beats it on validation. The
sampler learns nothing from it: a given net has no values of the space's parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

import optuna

from nas.study.record import records


def enqueue_given(study: optuna.Study, genomes: Sequence[str]) -> list[str]:
    """Queue each of ``genomes`` (canonical strings) that no trial of ``study`` was given
    before (a rerun of the same command queues nothing); returns the ones queued."""
    seen = {r.given for r in records(study.get_trials(deepcopy=False)) if r.given}
    queued = [g for g in dict.fromkeys(genomes) if g not in seen]
    for genome in queued:
        study.enqueue_trial({}, user_attrs={"given": genome})
    return queued
