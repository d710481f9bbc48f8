"""The ``Strategy`` interface and its registry (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from nas.search.plugins import Plugins

if TYPE_CHECKING:
    import optuna

    from nas.search.config import SearchConfig
    from nas.train import TrainConfig


class Strategy:
    """Base strategy: one training run per candidate, no rungs, no pruner."""

    name: ClassVar[str]
    summary: ClassVar[str]  # one line for `nas search --help`
    evaluator: ClassVar[str]  # the registered evaluator that trains (nas.search.evaluators)

    def resolve(self, config: SearchConfig, recorded: Mapping[str, Any]) -> dict[str, Any]:
        """Values for this strategy's options left unset (None) in ``config``: its
        defaults for a new study (``recorded`` empty), the study's own on resume (its user
        attrs), so rerunning the command that made a study resumes it."""
        return {}

    def validate(self, config: SearchConfig) -> None:
        """NasError (one line, naming the flag) for options this strategy cannot run."""

    def recipe(self, config: SearchConfig) -> TrainConfig:
        """The training recipe of every candidate (what its trainer runs)."""
        raise NotImplementedError

    def rungs(self, config: SearchConfig) -> tuple[int, ...]:
        """Epochs at which a candidate is judged, the last = the recipe's (empty: none)."""
        return ()

    def epochs_per_candidate(self, config: SearchConfig) -> float:
        """Expected epochs one candidate trains (the time estimate before trial one)."""
        return float(self.recipe(config).epochs)

    def study_attrs(self, config: SearchConfig) -> dict[str, Any]:
        """What a rerun must match, besides the search's common attrs."""
        return {}

    def recorded_attrs(self, config: SearchConfig) -> dict[str, Any]:
        """What ``nas retrain`` follows, stored but not compared."""
        return {}

    def pruner(self, config: SearchConfig) -> optuna.pruners.BasePruner:
        """Optuna's pruner of the study (used only in one-objective studies, where
        ``trial.report``/``should_prune`` exist)."""
        import optuna

        return optuna.pruners.NopPruner()

    def warns_short_proxy(self) -> bool:
        """Whether a short recipe deserves the short-proxy warning (its result is what
        the sampler and the front read)."""
        return True

    def retrain_epochs(self, attrs: Mapping[str, Any]) -> int | None:
        """The schedule ``nas retrain`` uses for a study made with this strategy
        (``attrs``: the study's user attrs); None: the retrain default."""
        return None

    def study_rungs(self, attrs: Mapping[str, Any]) -> list[int] | None:
        """The rungs recorded on a study made with this strategy (None: none)."""
        return None


_PLUGINS: Plugins[Strategy] = Plugins("--strategy")
register = _PLUGINS.register  # class decorator: ``cls()`` is the strategy ``cls.name``
names = _PLUGINS.names
get = _PLUGINS.get  # NasError naming the known ones for an unknown name


def of_study(attrs: Mapping[str, Any]) -> Strategy:
    """The strategy a study was made with (its ``strategy`` user attr; studies made
    before strategies were recorded ran ``single``)."""
    return _PLUGINS.items.get(str(attrs.get("strategy") or "single"), get("single"))
