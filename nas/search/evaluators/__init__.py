"""Evaluators of screened candidates (see ``base``); importing this registers them.

Adding one: a module here with a class following ``base.Evaluator`` and a
``@register("name")`` factory, plus its import below; new trial figures go into
``nas.study.record.TrialRecord``.
"""

from nas.search.evaluators import latency as _latency  # noqa: F401  ("latency")
from nas.search.evaluators import proxy as _proxy  # noqa: F401  (registers "proxy")
from nas.search.evaluators import sh as _sh  # noqa: F401  (registers "sh")
from nas.search.evaluators import zero_cost as _zero_cost  # noqa: F401  ("zero_cost")
from nas.search.evaluators.base import (
    Candidate,
    Evaluator,
    Outcome,
    Setup,
    create,
    register,
    registered,
)

__all__ = ["Candidate", "Evaluator", "Outcome", "Setup", "create", "register", "registered"]
