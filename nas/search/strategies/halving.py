"""``sh``: successive halving up to the full schedule (``--eta``, ``--min-epochs``,
``--max-epochs``).

Each candidate trains one run of the top rung's recipe (the ``full`` preset over
``--max-epochs``: the schedule ``nas retrain`` then uses) and is judged at each rung.
In a one-objective study Optuna's own ``SuccessiveHalvingPruner`` decides (asynchronous:
the top ``1/eta`` of the trials that reached a rung go on) and halted trials end PRUNED;
with several objectives MO-ASHA's rank decides (``nas.search.rungs``) and halted trials
end COMPLETE, told rung first, then accuracy (``nas.search.feedback``). ``--promote-by
ridge`` ranks the rungs below the top by the final accuracy ``nas.lcurve.predict``'s
ridge predicts from the curve so far (fitted for the 30-epoch full-data CIFAR-10 recipe
only) instead of the raw accuracy.
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
# --promote-by: what ranks a candidate at the rungs below the top (nas.lcurve.predict);
# raw by default: ridge ranked the 30-epoch accuracy better at 1 and 3 epochs on the
# recorded curves (results/curves) but is not shown to win in the strategy benchmark
PROMOTE_BY = ("raw", "ridge")


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
        by = config.promote_by or recorded.get("promote_by") or "raw"
        if by != "raw" and recorded and "promote_by" not in recorded:
            raise NasError(f"--promote-by {by}: this study was made before --promote-by (its "
                           "rungs ranked by raw accuracy); pick a new --study")
        return {**dict(zip(("min_epochs", "max_epochs", "eta"),
                           (g if g is not None else o for g, o in zip(given, old, strict=True)),
                           strict=True)), "promote_by": by}

    def validate(self, config: SearchConfig) -> None:
        rungs = self.rungs(config)  # validates --eta, --min-epochs, --max-epochs
        if len(config.metrics) == 1:
            check_pruner_rungs(rungs, options(config)[2])
        self.check_promote_by(config)

    def check_promote_by(self, config: SearchConfig) -> None:
        """NasError unless --promote-by is raw, or a predictor fitted for this recipe
        (nas/lcurve/fitted.json: the 30-epoch full-data CIFAR-10 recipe, no cutout or
        EMA; the sh evaluator checks the data's image count again when it starts)."""
        by = config.promote_by or "raw"
        if by not in PROMOTE_BY:
            raise NasError(f"--promote-by must be one of {', '.join(PROMOTE_BY)}, got {by!r}")
        if by == "raw":
            return
        from nas.lcurve.predict import fitted_recipes
        from nas.lcurve.recipe import FULL_TRAIN_IMAGES, Recipe, extra_of

        r = self.recipe(config)
        key = Recipe(r.epochs, config.subset or FULL_TRAIN_IMAGES, r.batch_size, r.lr,
                     extra_of({"cutout": config.cutout, "ema": config.ema})).key
        if config.data != "cifar10" or key not in fitted_recipes():
            raise NasError(f"--promote-by {by} has fitted models only for the CIFAR-10 "
                           f"recipe(s) {', '.join(fitted_recipes())}, not {config.data} "
                           f"{key}: use --promote-by raw")

    def rungs(self, config: SearchConfig) -> tuple[int, ...]:
        return rung_epochs(*options(config))

    def recipe(self, config: SearchConfig) -> TrainConfig:
        from nas.train import preset

        return preset("full", epochs=options(config)[1], batch_size=config.proxy_batch,
                      **config.recipe())

    def epochs_per_candidate(self, config: SearchConfig) -> float:
        return expected_epochs(self.rungs(config), options(config)[2])

    def study_attrs(self, config: SearchConfig) -> dict[str, Any]:
        return {"rungs": list(self.rungs(config)), "eta": options(config)[2],
                "promote_by": config.promote_by or "raw"}

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
