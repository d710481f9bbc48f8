"""``SearchConfig``: everything ``nas search`` takes, validated up front."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from nas.errors import NasError
from nas.search import feedback, samplers, strategies
from nas.search.space import Space

SAMPLERS = samplers.names()  # the registered plug-ins (nas.search.samplers)
STRATEGIES = strategies.names()  # (nas.search.strategies)
PRESCREEN_SCORES = ("synflow", "naswot", "grad_norm", "zico", "depth", "params", "macs", "rf")
PRESCREEN_SCORE = "macs"  # the default: the best-ranking zero-cost score of results/fidelity
RESNET_FROM = 300_000  # params: the default space is resnet from here on (space_for)
# The strategy of a new study (nas.search.strategies; its options' defaults live there)
STRATEGY = "sh"  # results/repeats-200k/PROTOCOL.md D1 (sh won or tied issue 14's arms)
# Default --fill of a new study: with it, arm (d) of results/search beat the same search
# without it by 0.44 points of top-rung validation accuracy at 200k, picking a net of 0.91
# of the budget (issue 14, PROTOCOL v2.1's rule).
FILL = 0.85
# Objective names: TrialRecord fields, in the order of the study's values; also the metric
# names the dashboard shows. val_acc is maximised, the others minimised.
BASE_OBJECTIVES = ("val_acc", "params")
# Objectives of a new study without MACs or latency objectives (objectives_for): with
# --fill, 1 (val_acc alone, the budget a constraint, rungs judged by Optuna's own
# pruners): in the training-free strategy benchmark it beat random search by 0.77 points
# at 27M training images (~200 trials; Wilcoxon p 0.013, 20 seeds), the Pareto design
# with the same feedback by 0.60 (p 0.059) (results/searchbench;
# results/repeats-200k/PROTOCOL.md D5). Without --fill, 2:
# (val_acc, params), the Pareto search, where params still vary.
FEEDBACK = "rung"  # what a new study's sampler is told (nas.search.feedback)


@dataclass(frozen=True)
class SearchConfig:
    """One search. Counts are parameters / multiply-accumulates / pixels / images.

    ``trials`` is the number of *trained* candidates wanted in the study in total
    (rejected, duplicate and failed trials do not count); a rerun tops the study up.
    ``space`` is a name in ``search_spaces/`` or a ``Space`` object (tests, notebooks).
    """

    budget: int
    trials: int
    space: str | Space | None = None  # None: space_for(budget)
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
    max_images: int | None = None  # stop starting candidates once counted trials saw this many
    sampler: str = "tpe"
    # 1: val_acc (budget a constraint); 2: (val_acc, params); 3: adds MACs
    # (--macs-objective); None: objectives_for(fill) for a new study, the study's own on
    # resume
    objectives: int | None = None
    # what the sampler is told (nas.search.feedback): 'rung' or 'raw'; None: FEEDBACK for
    # a new study, the study's own on resume ('raw' for studies made before it existed)
    feedback: str | None = None
    device: str | None = None  # None: cuda if available else cpu
    max_samples: int | None = None  # stop after this many trials without training
    # judging a screened candidate: registered names (nas.search.evaluators), in order;
    # ``chain`` puts latency timing and zero-cost scoring in front and swaps proxy for sh
    # with --strategy sh
    evaluators: tuple[str, ...] = ("proxy",)
    # 'single': one short proxy; 'sh': successive halving; None: STRATEGY for a new
    # study, the study's own on resume (and likewise its options below)
    strategy: str | None = None
    eta: int | None = None  # sh: the top 1/eta of each rung continues
    min_epochs: int | None = None  # sh: the lowest rung
    max_epochs: int | None = None  # sh: the top rung = the schedule nas retrain uses
    # sh: what ranks a candidate at the rungs below the top, 'raw' (its accuracy) or
    # 'ridge' (its predicted final accuracy, nas.lcurve.predict); None: raw for a new study
    promote_by: str | None = None
    # scale widths into [fill x budget, budget]; None: FILL for a new study, the study's
    # own on resume (``following``); 0: off
    fill: float | None = None
    zero_cost: bool = True  # record zero-cost scores on every screened trial
    record_latency: bool = True  # time latency_ms on every screened trial (off: benchmarks)
    prescreen: float | None = None  # reject below this running quantile of a zc score
    prescreen_score: str = PRESCREEN_SCORE
    latency_budget: float | None = None  # ms per image (batch 1, one thread, this CPU)
    latency_objective: bool = False  # minimise latency_ms too (after MACs if both)
    runs_dir: str = "runs/search"  # sh: per-architecture checkpoints, <runs_dir>/<study>/
    flip: bool | None = None  # random flips + mirrored TTA; None: the preset's (on)
    amp: str = "auto"  # mixed precision of every training (nas.train.device.amp_dtype)
    cutout: int | None = None  # px side of the square erased per training image; None: 0
    ema: float | None = None  # decay per step of an evaluated weight EMA; None: off
    # nets evaluated first (zoo names or genome strings), as they are: warm start
    start_from: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.space is None:  # frozen: the one default resolved at construction
            object.__setattr__(self, "space", space_for(self.budget))
        _positive("--budget", self.budget)
        _positive("--trials", self.trials)
        _positive("--workers", self.workers)
        for flag, v in (("--rf-min", self.rf_min), ("--macs-budget", self.macs_budget),
                        ("--proxy-epochs", self.proxy_epochs), ("--subset", self.subset),
                        ("--batch-size", self.proxy_batch), ("--max-images", self.max_images)):
            if v is not None:
                _positive(flag, v)
        if self.timeout is not None and self.timeout <= 0:
            raise NasError(f"--timeout must be > 0 seconds, got {self.timeout}")
        sampler = samplers.get(self.sampler)  # NasError naming the known ones
        if self.objectives not in (None, 1, 2, 3):
            raise NasError(f"objectives must be 1, 2 or 3, got {self.objectives}")
        if self.objectives == 1 and self.latency_objective:
            raise NasError("--latency-objective needs the Pareto search (drop --no-pareto)")
        if self.feedback is not None and self.feedback not in feedback.POLICIES:
            raise NasError(f"feedback must be one of {', '.join(feedback.POLICIES)}, got "
                           f"{self.feedback!r}")
        if self.promote_by is not None and self.plan.name != "sh":
            raise NasError(f"--promote-by needs --strategy sh, not {self.plan.name}")
        self.plan.validate(self)
        if self.prescreen_score not in PRESCREEN_SCORES:
            raise NasError(f"--prescreen-score must be one of {', '.join(PRESCREEN_SCORES)}, "
                           f"got {self.prescreen_score!r}")
        from nas.train.config import AMP_MODES

        if self.amp not in AMP_MODES:
            raise NasError(f"--amp must be one of {', '.join(AMP_MODES)}, got {self.amp!r}")
        if self.cutout is not None and (isinstance(self.cutout, bool)
                                        or not isinstance(self.cutout, int) or self.cutout < 0):
            raise NasError(f"--cutout must be a whole number of pixels >= 0, got "
                           f"{self.cutout!r}")
        if self.ema is not None and not 0.0 <= self.ema < 1.0:
            raise NasError(f"--ema must be a decay in [0, 1), got {self.ema}")
        if self.latency_budget is not None and self.latency_budget <= 0:
            raise NasError(f"--latency-budget must be > 0 ms, got {self.latency_budget}")
        if self.fill is not None and not 0.0 <= self.fill < 1.0:
            raise NasError(f"--fill must be a fraction in [0, 1) (0: off), got {self.fill}")
        if self.prescreen is not None and not 0.0 < self.prescreen < 1.0:
            raise NasError(f"--prescreen must be a fraction between 0 and 1, got "
                           f"{self.prescreen}")
        if self.start_from and not sampler.takes_start_from:
            raise NasError(f"--start-from cannot be used with --sampler {self.sampler}: it "
                           "needs every trial's sampled params (use tpe or random)")
        self.start_genomes  # noqa: B018 (validates --start-from)

    def following(self, recorded: Mapping[str, Any] | None) -> SearchConfig:
        """This search with the defaults that depend on the study resolved, so rerunning
        the command that made a study resumes it (``recorded``: the study's user attrs,
        None or empty for a new study). Unset ``fill`` is FILL for a new study and the
        study's own on resume (off for a study made before --fill had a default); unset
        ``objectives`` and ``feedback`` likewise (objectives_for(fill), FEEDBACK; a study made
        before feedback was recorded was told 'raw')."""
        old = recorded or {}
        fill = self.fill if self.fill is not None else \
            (FILL if not old else old.get("fill") or 0.0)
        objectives = self.objectives or (2 if self.latency_objective else
                                         _objectives_of(old) or objectives_for(fill))
        told = self.feedback or (old.get("feedback") or "raw" if old else FEEDBACK)
        strategy = self.strategy or (old.get("strategy") or "single" if old else STRATEGY)
        done = replace(self, fill=fill, objectives=objectives, feedback=told,
                       strategy=strategy)
        return replace(done, **done.plan.resolve(done, old))

    @property
    def start_genomes(self) -> tuple[str, ...]:
        """--start-from as canonical genome strings (zoo names resolved), in order,
        repeats dropped."""
        from nas.zoo import resolve

        out: list[str] = []
        for given in self.start_from:
            try:
                genome = resolve(given)[1].to_string()
            except NasError as e:
                raise NasError(f"--start-from {given!r}: {e}") from None
            out += [] if genome in out else [genome]
        return tuple(out)

    @property
    def filling(self) -> float | None:
        """The --fill fraction in effect, None when off (0 or unresolved)."""
        return self.fill or None

    @property
    def rungs(self) -> tuple[int, ...]:
        """sh: epochs at which candidates are scored (the last is --max-epochs)."""
        return self.plan.rungs(self)

    @property
    def plan(self) -> strategies.Strategy:
        """The strategy plug-in of ``strategy`` (nas.search.strategies)."""
        return strategies.get(self.strategy or STRATEGY)

    @property
    def chain(self) -> tuple[str, ...]:
        """The evaluators a screened candidate goes through, in order: latency first
        (``latency_ms`` on every screened trial; cheap, and a latency budget must reject
        before any scoring or training), then zero-cost scoring, then training."""
        base = tuple(self.plan.evaluator if e == "proxy" else e for e in self.evaluators)
        scored = self.zero_cost or self.prescreen is not None
        chain = ("zero_cost", *base) if scored and "zero_cost" not in base else base
        timed = self.record_latency or self.latency_decides
        return chain if "latency" in chain or not timed else ("latency", *chain)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The objectives, as TrialRecord fields: val_acc (max), params, then MACs and
        latency_ms (min) when asked for; a study keeps the ones it was created with."""
        n = self.objectives or objectives_for(self.fill if self.fill is not None else FILL)
        if n == 1:
            return ("val_acc",)
        extra = (("macs",) if n == 3 else ()) + \
            (("latency_ms",) if self.latency_objective else ())
        return (*BASE_OBJECTIVES, *extra)

    @property
    def directions(self) -> list[str]:
        return ["maximize" if m == "val_acc" else "minimize" for m in self.metrics]

    @property
    def latency_decides(self) -> bool:
        """Latency is a budget or an objective (not only recorded): it is then timed with
        ``nas.latency``'s full run count, the precise (and dearer) setting."""
        return self.latency_budget is not None or self.latency_objective

    @property
    def space_name(self) -> str:
        return self.space if isinstance(self.space, str) else self.space.name

    def study_attrs(self) -> dict[str, Any]:
        """What must stay equal across reruns of one study. ``objectives`` is their
        count and ``objective_names`` the list (older studies carry only the count; their
        metric names are compared instead, ``nas.study.storage.create_study``). The
        latency budget, the strategy and ``fill`` are stored even when unset, so adding or
        dropping one is refused (older studies lack some keys: those are not compared).
        ``feedback`` and the objectives come first: they are stored one by one, and a
        worker that reads a study being created must not take it for an older one."""
        attrs = {"feedback": self.feedback, "objective_names": list(self.metrics),
                 "objectives": len(self.metrics), "space": self.space_name,
                 "budget": self.budget, "rf_min": self.rf_min,
                 "macs_budget": self.macs_budget, "latency_budget": self.latency_budget,
                 "strategy": self.strategy, "fill": self.filling, "amp": self.amp}
        return {**attrs, **self.plan.study_attrs(self)}

    def recorded_attrs(self) -> dict[str, Any]:
        """What ``nas retrain`` follows (the search's data, flips, cutout and EMA): stored on a new
        study; a rerun with other values is refused (``preflight.check_recorded``). With
        sh, also where the top-rung runs are (not compared: it may differ by machine)."""
        recorded: dict[str, Any] = {"data": self.data, "flip": self.flip,
                                    "cutout": self.cutout, "ema": self.ema}
        return {**recorded, **self.plan.recorded_attrs(self)}

    def recipe(self) -> dict[str, Any]:
        """TrainConfig overrides every training of the search shares (None: the
        preset's): seed, flips and the TTA that follows them, mixed precision, cutout,
        EMA."""
        from nas.train.config import flip_overrides

        return {"seed": self.seed, **flip_overrides(self.flip), "amp": self.amp,
                "cutout": self.cutout, "ema": self.ema}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["space"] = self.space_name
        return d


def objectives_for(fill: float | None) -> int:
    """The objectives of a new study: 1 (val_acc, the budget a constraint) when ``fill``
    puts every net at 0.85-1.0 of the budget, where a params objective tells the sampler
    almost nothing; 2 (the Pareto search over val_acc and params) without it."""
    return 1 if fill else 2


def space_for(budget: int) -> str:
    """The default space at ``budget`` params: ``resnet`` from RESNET_FROM on, where the
    budget study's resnet-space searches validated best at 400k (top-rung val 90.18% and
    90.14% against the default space's 88.58% and 86.98%: results/budget, validation
    only); ``default`` below, the space of the 200k win and of every 100k search."""
    return "resnet" if budget >= RESNET_FROM else "default"


def _objectives_of(recorded: Mapping[str, Any]) -> int | None:
    """The ``objectives`` setting a study was made with (None: a new study). Its
    objective names say it; the oldest studies kept only a count (2, or 3 with MACs)."""
    names = recorded.get("objective_names")
    if names:
        return 1 if list(names) == ["val_acc"] else 3 if "macs" in names else 2
    return int(recorded["objectives"]) if recorded.get("objectives") else None


def _positive(flag: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise NasError(f"{flag} must be a positive integer, got {value!r}")
