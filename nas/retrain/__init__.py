"""After a search: pick Pareto-optimal architectures and retrain them in full.

``open_study`` is shared by ``nas retrain``, ``nas report`` and ``nas dashboard``: a
sqlite/journal file path or any storage URL, ``--study`` only when it holds several.
"""

from nas.retrain.run import RetrainSummary, retrain
from nas.retrain.select import Pick, pareto_ranks, pick
from nas.retrain.storage import open_storage, open_study
from nas.search.results import trained_trials

__all__ = ["Pick", "RetrainSummary", "open_storage", "open_study", "pareto_ranks", "pick",
           "retrain", "trained_trials"]
