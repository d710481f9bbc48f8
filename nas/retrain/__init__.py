"""After a search: pick Pareto-optimal architectures and retrain them in full.

Studies are opened by ``nas.study.open_study`` (a sqlite/journal file path or any
storage URL, ``--study`` only when it holds several).
"""

from nas.retrain.run import RetrainSummary, retrain
from nas.retrain.select import Pick, pick

__all__ = ["Pick", "RetrainSummary", "pick", "retrain"]
