"""Samplers: what proposes the next candidate (a registry, like the strategies').

A sampler plug-in builds the Optuna sampler of a study and, optionally, a proposer that
hands the objective whole genomes (``evolve``). Adding one: a module here with a
``Sampler`` subclass under ``@register``, plus its import below. Module imports stay
light (Optuna is imported when a sampler is built).
"""

from nas.search.samplers import evolve as _evolve  # noqa: F401  (registers "evolve")
from nas.search.samplers import nsga2 as _nsga2  # noqa: F401  (registers "nsga2")
from nas.search.samplers import random as _random  # noqa: F401  (registers "random")
from nas.search.samplers import tpe as _tpe  # noqa: F401  (registers "tpe")
from nas.search.samplers.base import Sampler, get, names, register

__all__ = ["Sampler", "get", "names", "register"]
