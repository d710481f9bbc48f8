"""``sh``: successive halving up to the full schedule (``--eta``, ``--min-epochs``,
``--max-epochs``).

Each candidate trains one run of the top rung's recipe (the ``full`` preset over
``--max-epochs``: the schedule ``nas retrain`` then uses) and is judged at each rung.
In a one-objective study Optuna's own ``SuccessiveHalvingPruner`` decides (asynchronous:
the top ``1/eta`` of the trials that reached a rung go on) and halted trials end PRUNED;
with several objectives MO-ASHA's rank decides (``nas.search.rungs``) and halted trials
end COMPLETE, told rung first, then accuracy (``nas.search.feedback``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nas.errors import NasError
from nas.search.rungs import expected_epochs, rung_epochs
from nas.search.strategies.base import Strategy, register

if TYPE_CHECKING:
    import optuna

    from nas.search.config import SearchConfig
    from nas.train import TrainConfig


ETA = 3  # the top 1/eta of each rung continue
MIN_EPOCHS = 1  # the lowest rung
# The top rung = the schedule nas retrain uses: R30, chosen on validation
# (results/budget/PROTOCOL-recipe.md); every net the budget study retrained ran it.
MAX_EPOCHS = 30


def options(config: SearchConfig) -> tuple[int, int, int]:
    """(--min-epochs, --max-epochs, --eta), the defaults where unset."""
    return (config.min_epochs or MIN_EPOCHS, config.max_epochs or MAX_EPOCHS,
            config.eta or ETA)


@register
class Halving(Strategy):
    name = "sh"
    summary = ("successive halving: each candidate trains the full schedule (--max-epochs, "
               "the one nas retrain uses) and goes past each rung only if it ranks in the "
               "top 1/eta there")
    evaluator = "sh"

    def resolve(self, config: SearchConfig, recorded: Mapping[str, Any]) -> dict[str, Any]:
        rungs, eta = recorded.get("rungs"), recorded.get("eta")
        old = (int(rungs[0]), int(rungs[-1]), int(eta)) if rungs and eta else \
            (MIN_EPOCHS, MAX_EPOCHS, ETA)
        given = (config.min_epochs, config.max_epochs, config.eta)
        if any(v is not None for v in given):  # options given: the defaults complete them
            old = (MIN_EPOCHS, MAX_EPOCHS, ETA)
        return dict(zip(("min_epochs", "max_epochs", "eta"),
                        (g if g is not None else o for g, o in zip(given, old, strict=True)),
                        strict=True))

    def validate(self, config: SearchConfig) -> None:
        rungs = self.rungs(config)  # validates --eta, --min-epochs, --max-epochs
        if len(config.metrics) == 1:
            check_pruner_rungs(rungs, options(config)[2])

    def rungs(self, config: SearchConfig) -> tuple[int, ...]:
        return rung_epochs(*options(config))

    def recipe(self, config: SearchConfig) -> TrainConfig:
        from nas.train import preset

        return preset("full", epochs=options(config)[1], batch_size=config.proxy_batch,
                      **config.recipe())

    def epochs_per_candidate(self, config: SearchConfig) -> float:
        return expected_epochs(self.rungs(config), options(config)[2])

    def study_attrs(self, config: SearchConfig) -> dict[str, Any]:
        return {"rungs": list(self.rungs(config)), "eta": options(config)[2]}

    def recorded_attrs(self, config: SearchConfig) -> dict[str, Any]:
        return {"runs_dir": config.runs_dir}  # where the top-rung runs are (per machine)

    def pruner(self, config: SearchConfig) -> optuna.pruners.BasePruner:
        import optuna

        return optuna.pruners.SuccessiveHalvingPruner(
            min_resource=self.rungs(config)[0], reduction_factor=options(config)[2],
            min_early_stopping_rate=0, bootstrap_count=0)

    def warns_short_proxy(self) -> bool:
        return False  # the top rung is the full schedule

    def retrain_epochs(self, attrs: Mapping[str, Any]) -> int | None:
        rungs = self.study_rungs(attrs)
        return int(rungs[-1]) if rungs else None

    def study_rungs(self, attrs: Mapping[str, Any]) -> list[int] | None:
        rungs = attrs.get("rungs")
        return [int(r) for r in rungs] if rungs else None


def check_pruner_rungs(rungs: tuple[int, ...], eta: int) -> None:
    """NasError unless Optuna's SuccessiveHalvingPruner judges each rung below the top at
    its own epoch: it decides rung ``k`` at the first report at or past
    ``rungs[0] x eta^k`` epochs, so each rung must lie in [rungs[0] x eta^k,
    rungs[0] x eta^(k+1))."""
    for k, epochs in enumerate(rungs[:-1]):
        lo = rungs[0] * eta**k
        if not lo <= epochs < lo * eta:
            raise NasError(
                f"rungs {list(rungs)} (--min-epochs {rungs[0]}, --max-epochs {rungs[-1]}, "
                f"--eta {eta}) do not follow Optuna's successive halving ({rungs[0]} x "
                f"{eta}^k epochs): pick --max-epochs near {rungs[0]} x {eta}^n (e.g. "
                f"{rungs[0] * eta ** max(1, len(rungs) - 1)}) or use --pareto")
