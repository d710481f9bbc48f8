"""Studies, below search, retrain, report and dashboard (torch-free).

- ``storage``: opening and creating studies on every storage, read-write or read-only;
- ``record``: ``TrialRecord``, the typed trial (every user-attr key, every status and
  its Optuna state); ``records(study)`` reads them;
- ``pareto``: trained trials and their Pareto ranking;
- ``workers``: training slots, the claim, reaping dead workers, retry-once;
- ``given``: warm start, the nets handed to a search queued as its next trials;
- ``adapter``: the only code touching Optuna's private API.
"""

from nas.study.pareto import (
    DEFAULT_OBJECTIVES,
    dominates,
    front_rows,
    pareto_front,
    pareto_ranks,
    trained_trials,
)
from nas.study.record import COUNTED, Status, TrialRecord, records, save_retrain
from nas.study.storage import open_storage, open_study

__all__ = ["COUNTED", "DEFAULT_OBJECTIVES", "Status", "TrialRecord", "dominates",
           "front_rows", "open_storage", "open_study", "pareto_front", "pareto_ranks",
           "records", "save_retrain", "trained_trials"]
