"""``latency``: the candidate's measured forward-pass latency on this CPU, and the
``--latency-budget`` check.

Records ``latency_ms`` (median of ``nas.latency``'s timed runs: batch 1, one thread,
torch eager, the data's image size) on every screened trial; with ``Setup.latency_budget``
a candidate over it is rejected before any training, like one over the parameter budget.
It runs after the static constraints because it builds the net and times it (~0.1-1 s).
A latency budget is only as good as the machine is quiet: measure on the deployment CPU
with nothing else running (``scripts/deploy_table.py`` reports the run-to-run spread).
"""

from __future__ import annotations

from nas.deploy import latency
from nas.search.evaluators.base import Candidate, Outcome, Setup, register


class LatencyCheck:
    name = "latency"
    trains = False

    def __init__(self, setup: Setup) -> None:
        self.setup = setup

    def evaluate(self, c: Candidate) -> Outcome:
        ms = round(latency(c.genome, batch=1, threads=1,
                           input_size=self.setup.data.image_size).median_ms, 3)
        budget = self.setup.latency_budget
        if budget is not None and ms > budget:
            return Outcome.reject(f"latency {ms:.3f} ms > latency-budget {budget:g} ms",
                                  latency_ms=ms)
        return Outcome.proceed(latency_ms=ms)


@register("latency")
def make(setup: Setup) -> LatencyCheck:
    return LatencyCheck(setup)
