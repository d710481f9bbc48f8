"""``latency``: the candidate's measured forward-pass latency on this CPU, the
``--latency-budget`` check, and the figure ``--latency-objective`` minimises.

Records ``latency_ms`` (median of ``nas.latency``'s timed runs: batch 1, one thread
whatever ``--threads`` says, torch eager, the data's image size) and ``latency_runs`` on
every screened trial. One thread because the budget is about the deployment target's
core, not this machine's, and so that figures compare across workers and resumes.

How many runs: when latency decides something (a budget or an objective,
``Setup.latency_decides``) ``nas.latency``'s full 50 timed runs after 10 warm-up ones;
when it is only recorded, ``RECORD_RUNS`` after ``RECORD_WARMUP``: half the cost (~0.1 s
instead of ~0.12 s per default-space candidate at 200k on a quiet 2-core CPU, building
the net included) for a figure within a few % of the 50-pass one (results/latency_cost.md:
``scripts/latency_cost.py``). Either way it is small next to training, and a tenth of the
zero-cost scores recorded on the same trials.

With ``Setup.latency_budget`` a candidate over it is rejected before any training, like
one over the parameter budget, and the relative overshoot is an Optuna constraint so TPE
learns where the slow nets are. It runs after the static constraints because it builds
the net. A latency budget is only as good as the machine is quiet: measure on the
deployment CPU with nothing else running.
"""

from __future__ import annotations

from nas.deploy import latency
from nas.deploy.timing import RUNS, WARMUP
from nas.search.evaluators.base import Candidate, Outcome, Setup, register

RECORD_RUNS = 20  # timed passes when latency_ms is only recorded
RECORD_WARMUP = 5


class LatencyCheck:
    name = "latency"
    trains = False

    def __init__(self, setup: Setup) -> None:
        self.setup = setup

    @property
    def runs(self) -> tuple[int, int]:
        """(timed runs, warm-up runs): the full count only when latency decides."""
        return (RUNS, WARMUP) if self.setup.latency_decides else (RECORD_RUNS, RECORD_WARMUP)

    def evaluate(self, c: Candidate) -> Outcome:
        runs, warmup = self.runs
        ms = round(latency(c.genome, batch=1, threads=1, input_size=self.setup.data.image_size,
                           runs=runs, warmup=warmup).median_ms, 3)
        figures = {"latency_ms": ms, "latency_runs": runs}
        budget = self.setup.latency_budget
        if budget is None:
            return Outcome.proceed(**figures)
        if "latency" not in c.trial.constraints:  # a retried trial inherits it
            c.trial.set_constraint("latency", ms / budget - 1.0)
        if ms > budget:
            return Outcome.reject(f"latency {ms:.3f} ms > latency-budget {budget:g} ms",
                                  **figures)
        return Outcome.proceed(**figures)


@register("latency")
def make(setup: Setup) -> LatencyCheck:
    return LatencyCheck(setup)
