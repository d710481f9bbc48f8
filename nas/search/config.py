"""``SearchConfig``: everything ``nas search`` takes, validated up front."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from nas.errors import NasError
from nas.search.space import Space

SAMPLERS = ("tpe", "nsga2", "random")


@dataclass(frozen=True)
class SearchConfig:
    """One search. Counts are parameters / multiply-accumulates / pixels / images.

    ``trials`` is the number of *trained* candidates wanted in the study in total
    (rejected, duplicate and failed trials do not count); a rerun tops the study up.
    ``space`` is a name in ``search_spaces/`` or a ``Space`` object (tests, notebooks).
    """

    budget: int
    trials: int
    space: str | Space = "default"
    study: str | None = None  # default: "<space>-<budget in k>"
    storage: str | None = None  # default: sqlite:///studies/<study>.db
    rf_min: int | None = None
    macs_budget: int | None = None
    data: str = "cifar10"
    proxy_epochs: int | None = None  # None: the proxy preset's
    proxy_batch: int | None = None  # images per step, None: the proxy preset's
    subset: int | None = None  # training images kept (validation unchanged)
    seed: int = 0
    workers: int = 1
    timeout: float | None = None  # seconds of wall time for this run
    sampler: str = "tpe"
    objectives: int = 2  # 2: (val_acc, params); 3: adds MACs
    device: str | None = None  # None: cuda if available else cpu
    max_samples: int | None = None  # stop after this many trials without training
    # judging a screened candidate: registered names (nas.search.evaluators), in order
    evaluators: tuple[str, ...] = ("proxy",)
    flip: bool | None = None  # random flips + mirrored TTA; None: the preset's (on)

    def __post_init__(self) -> None:
        _positive("--budget", self.budget)
        _positive("--trials", self.trials)
        _positive("--workers", self.workers)
        for flag, v in (("--rf-min", self.rf_min), ("--macs-budget", self.macs_budget),
                        ("--proxy-epochs", self.proxy_epochs), ("--subset", self.subset),
                        ("--batch-size", self.proxy_batch)):
            if v is not None:
                _positive(flag, v)
        if self.timeout is not None and self.timeout <= 0:
            raise NasError(f"--timeout must be > 0 seconds, got {self.timeout}")
        if self.sampler not in SAMPLERS:
            raise NasError(f"--sampler must be one of {', '.join(SAMPLERS)}, got "
                           f"{self.sampler!r}")
        if self.objectives not in (2, 3):
            raise NasError(f"objectives must be 2 or 3, got {self.objectives}")

    @property
    def space_name(self) -> str:
        return self.space if isinstance(self.space, str) else self.space.name

    def study_attrs(self) -> dict[str, Any]:
        """What must stay equal across reruns of one study."""
        return {"space": self.space_name, "budget": self.budget, "rf_min": self.rf_min,
                "macs_budget": self.macs_budget, "objectives": self.objectives}

    def recorded_attrs(self) -> dict[str, Any]:
        """What ``nas retrain`` follows (the search's data and flips): stored on a new
        study; a rerun with other values is refused (``preflight.check_recorded``)."""
        return {"data": self.data, "flip": self.flip}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["space"] = self.space_name
        return d


def _positive(flag: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise NasError(f"{flag} must be a positive integer, got {value!r}")
