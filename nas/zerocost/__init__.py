"""Zero-cost proxies: scores of an untrained network from one or a few batches.

Each score lives in its own module and registers itself in ``SCORES`` (name -> function
of a model and a ``Probe`` batch); ``score_genome`` builds the network for a seed and runs
every registered score on a private copy, so neither the weights nor the BN statistics
of a model handed in change. Larger is "better" for every score (the direction a search
ranks by). See each module for its paper, what it is invariant to, and its cost.
"""

from nas.zerocost import gradnorm, naswot, synflow, trivial, zico  # noqa: F401
from nas.zerocost.registry import SCORES, Probe, ScoreFn, probe_batch, register, score_genome

__all__ = ["SCORES", "Probe", "ScoreFn", "probe_batch", "register", "score_genome"]
