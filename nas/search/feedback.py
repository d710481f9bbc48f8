"""What the sampler is told about a trial: the values stored on it, apart from the record.

The trial record (``nas.study.record``: user attrs) holds what was *measured*: the
validation accuracy at the last rung reached, params, MACs, latency. The values of a
COMPLETE trial are what every Optuna sampler, ``study.best_trials`` and optuna-dashboard's
Pareto plot read, so they must be comparable across trials. Two policies
(``SearchConfig.feedback``):

- ``raw`` (studies made before the policy existed): the measured values, whatever rung
  the trial reached. A net halted after one epoch then sits on the sampler's front beside
  nets trained for thirty: results/budget/README.md ("Why TPE repeats nets") found
  multi-objective TPE's good group filled with halted nets.
- ``rung`` (default): rung first, then accuracy. A trial halted ``k`` rungs below the top
  is told ``val_acc - k`` and, for each minimised objective, ``value + k x cap`` (``cap``
  bounds that objective: the parameter budget for params). So every trial that went
  further dominates it, whatever accuracy it had at its own rung, while top-rung trials
  are told exactly what was measured (the dashboard's front is real). A duplicate of a
  trained architecture is not told its result again (``repeats_told``), which doubled
  the weight of a point already told: it ends PRUNED without values, which samplers rank
  below every result, so TPE moves away from a point it knows. (Ending it FAIL, which
  samplers skip, left TPE's model unchanged: it proposed the same net again and again,
  200 times in a row in a small space.)

With one objective (validation accuracy, the budget a constraint) halted trials end
PRUNED through Optuna's own pruner (``nas.search.strategies``), which TPE ranks natively
by the step reached, then the value: no shift is needed there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

POLICIES = ("rung", "raw")
MACS_CAP = 10**12  # multiply-accumulates per image: above any net a CIFAR search trains
LATENCY_CAP_MS = 10**6  # ms per image: above any net a CIFAR search trains


@dataclass(frozen=True)
class Caps:
    """Upper bounds of the minimised objectives (params, MACs per image, latency ms):
    the shift per missing rung, so that a lower rung is always worse on every objective."""

    params: float
    macs: float = MACS_CAP
    latency_ms: float = LATENCY_CAP_MS

    def of(self, metric: str) -> float:
        return float(getattr(self, metric))


UNCAPPED = Caps(params=float("inf"))  # for policies that never shift (raw)


def told(policy: str, metrics: Sequence[str], measured: Mapping[str, float],
         rungs_short: int, caps: Caps) -> tuple[float, ...]:
    """The values a trial is told, in ``metrics`` order (val_acc maximised, the rest
    minimised). ``rungs_short``: rungs between the last one it reached and the top (0 at
    the top rung, and for every trial of a strategy without rungs)."""
    if policy not in POLICIES:
        raise ValueError(f"feedback policy must be one of {POLICIES}, got {policy!r}")
    k = rungs_short if policy == "rung" else 0
    if k == 0:  # the top rung, or no rungs: what was measured
        return tuple(float(measured[m]) for m in metrics)
    return tuple(float(measured[m]) - k if m == "val_acc" else
                 float(measured[m]) + k * caps.of(m) for m in metrics)


def repeats_told(policy: str) -> bool:
    """Whether a duplicate of a trained architecture is told the earlier result again
    (``raw``) rather than ending PRUNED without values (``rung``)."""
    return policy == "raw"
