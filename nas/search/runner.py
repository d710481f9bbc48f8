"""``run_search(config)``: the search loop, in this process or in K worker processes.

Each worker repeats: read the study; stop when ``trials`` counted trials exist; wait
while the remaining slots are all being trained by others (failing dead ones); else fail
dead workers' trials and run one trial through ``study.optimize(n_trials=1)``, which
gives it Optuna's heartbeat and records exceptions and Ctrl-C as FAIL. The study is the
only shared state, so workers on other machines cooperate the same way as local ones.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from nas.data import Dataset, load_dataset
from nas.errors import NasError
from nas.interrupts import atomic
from nas.search import preflight, samplers
from nas.search.config import FEEDBACK, SearchConfig
from nas.search.ending import nothing_trained_reason
from nas.search.evaluators import Setup, create
from nas.search.evaluators.base import Trainer, check_names, train_genome
from nas.search.feedback import Caps
from nas.search.notes import notes
from nas.search.objective import Objective, Told, TrialFailed
from nas.search.processes import POLL_S, device_of, run_workers
from nas.search.progress import Monitor
from nas.search.screen import Limits
from nas.search.signals import Terminated, sigterm_as_interrupt
from nas.search.space import as_space, check_budget
from nas.search.totals import Stats, compute, images_spent
from nas.study.errors import nas_error_in, one_line
from nas.study.files import ReadOnlyStudy
from nas.study.given import enqueue_given
from nas.study.pareto import pareto_front, trained_trials
from nas.study.record import Status, TrialRecord, as_record, records
from nas.study.storage import (
    check_attrs,
    create_study,
    default_study_name,
    existing_attrs,
    file_path,
    make_storage,
    open_study,
    storage_url,
)
from nas.study.workers import (
    fail_own_running,
    fail_stale,
    requeue_interrupted,
    slots,
)

MAX_IDLE = 200  # trials in a row without training before the space counts as exhausted


@dataclass
class SearchSummary:
    """The outcome of ``run_search``: study figures (all runs), its front, how it ended.

    ``ended`` is 'done' (``trials`` counted trials exist), 'timeout', 'exhausted' (the
    space yields no new architectures), 'interrupted' (Ctrl-C) or 'terminated' (SIGTERM).
    """

    study: str
    storage: str
    stats: Stats
    front: list[TrialRecord]
    ended: str
    wall_seconds: float
    config: dict[str, Any] = field(default_factory=dict)
    nothing_trained: str | None = None  # why no trial was trained (an 'error:' line)

    @property
    def interrupted(self) -> bool:
        return self.ended in ("interrupted", "terminated")

    @property
    def target(self) -> str:
        """What ``nas retrain``/``nas dashboard`` take: the .db path for sqlite, else the URL."""
        path = file_path(self.storage)
        return self.storage if path is None else str(path)

    def commands(self) -> dict[str, str]:
        study = "" if self.storage.startswith(("sqlite:", "journal:")) else \
            f" --study {self.study}"
        return {"retrain": f"nas retrain {self.target}{study} --top 3",
                "dashboard": f"nas dashboard {self.target}"}


def reached(recs: list[TrialRecord], target: int, max_images: int | None) -> str | None:
    """'done' when ``target`` trials are counted, 'allowance' when the counted trials have
    seen ``max_images`` training images, else None: the two ends a search aims for."""
    if slots(recs)[0] >= target:
        return "done"
    if max_images is not None and images_spent(recs) >= max_images:
        return "allowance"
    return None


def work(study: optuna.Study, objective: Objective, target: int, deadline: float | None,
         on_update: Any = None, max_idle: int = MAX_IDLE,
         max_images: int | None = None) -> str:
    """The worker loop; returns how it ended ('done', 'timeout', 'exhausted',
    'allowance': the study's counted trials have seen ``max_images`` training images;
    checked before each candidate starts, so candidates in flight finish)."""
    idle, last = 0, []
    while True:
        trials = study.get_trials(deepcopy=False)
        if on_update is not None:
            on_update(trials)
        recs = records(trials)
        counted, running = slots(recs)
        end = reached(recs, target, max_images)
        if end is not None:
            return end
        if deadline is not None and time.time() >= deadline:
            return "timeout"
        if idle >= max_idle:
            return "exhausted"
        if counted + running >= target:  # the last slots are being trained elsewhere
            time.sleep(POLL_S)
            fail_stale(study)
            continue
        last.clear()
        # reap dead workers' trials first (status, reason, retry): the heartbeat check
        # study.optimize runs before each trial would fail them without a status or reason
        fail_stale(study)
        _one_trial(study, objective, last)
        done = as_record(last[0]) if last else None
        if done is not None and done.status == Status.SURPLUS:
            time.sleep(random.uniform(0.0, 1.0))  # break ties between racing workers
        idle = 0 if done is not None and done.is_counted else idle + 1


def _one_trial(study: optuna.Study, objective: Objective, last: list[FrozenTrial]) -> None:
    """One trial through ``study.optimize`` (finished trials appended to ``last``).

    A storage that fails for good inside it (a full disk; a database server away for
    longer than ``NAS_STORAGE_PATIENCE``) surfaces as whatever Optuna's clean-up raised
    next; the one-line error is raised instead, after the trial is recorded FAIL if the
    storage still takes that.
    """
    try:
        with atomic():  # a stop is raised inside the objective or after Optuna's writes
            study.optimize(objective, n_trials=1, catch=(TrialFailed,),
                           callbacks=[lambda s, t: last.append(t)])
    except Exception as e:
        told = nas_error_in(e)
        if told is None or told is e:
            raise
        fail_own_running(study, one_line(told))
        raise told from None


@dataclass(frozen=True)
class Prepared:
    """An opened study and what works on it. ``config`` has the study-dependent defaults
    resolved (``SearchConfig.following``): worker processes get that one."""

    study: optuna.Study
    objective: Objective
    name: str
    url: str
    config: SearchConfig


def _prepare(config: SearchConfig, data: Dataset | None, worker: int = 0,
             announce: bool = True, trainer: Trainer | None = None) -> Prepared:
    space = as_space(config.space)
    check_budget(space, config.budget)
    check_names(config.chain)  # before a study is created for nothing
    name = config.study or default_study_name(space.name, config.budget)
    url = storage_url(config.storage, name)
    storage = make_storage(url, announce=announce)
    config = config.following(existing_attrs(storage, name))
    probe = create_study(storage, url, name, config.directions, config.study_attrs(),
                         config.recorded_attrs(), metric_names=config.metrics)
    seed = config.seed + 1009 * worker + len(probe.get_trials(deepcopy=False))
    plugin = samplers.get(config.sampler)
    study = optuna.load_study(study_name=name, storage=storage,
                              sampler=plugin.create(seed, config.trials),
                              pruner=config.plan.pruner(config))
    if data is None:
        data = load_dataset(config.data, subset=config.subset)
    chain = create(config.chain, _setup(config, data, name, worker, trainer))
    told = Told(config.feedback or FEEDBACK, len(config.rungs) - 1 if config.rungs else 0,
                Caps(params=config.budget, **_caps(config)))
    objective = Objective(space, _limits(config), data, chain, config.trials, config.metrics,
                          config.filling, plugin.proposer(seed), told)
    return Prepared(study, objective, name, url, config)


def _caps(config: SearchConfig) -> dict[str, float]:
    """Bounds of the minimised objectives other than params, where the search has one."""
    return {k: v for k, v in (("macs", config.macs_budget),
                              ("latency_ms", config.latency_budget)) if v is not None}


def _limits(config: SearchConfig) -> Limits:
    return Limits(config.budget, config.macs_budget, config.rf_min)


def _start_from(config: SearchConfig, study: optuna.Study, echo: Any) -> None:
    """Queue the --start-from nets this study was not given before, if the search will
    train at all (a finished study would keep them waiting)."""
    if not config.start_from or reached(records(study), config.trials, config.max_images):
        return
    queued = enqueue_given(study, config.start_genomes)
    if queued and echo is not None:
        echo(f"start-from: {len(queued)} given net(s) queued as the next trials")


def _setup(config: SearchConfig, data: Dataset, study: str, worker: int,
           trainer: Trainer | None = None) -> Setup:
    """What the evaluators are built from. With ``sh`` the recipe is the ``full`` one over
    --max-epochs (the top rung), and runs checkpoint under <runs_dir>/<study>/.
    ``trainer``: how candidates are trained (default: really, ``train_genome``)."""
    return Setup(data, config.plan.recipe(config), device_of(config.device, worker),
                 rungs=config.rungs, eta=config.eta, optuna_pruner=len(config.metrics) == 1,
                 promote_by=config.promote_by or "raw",
                 checkpoints=Path(config.runs_dir) / study, prescreen=config.prescreen,
                 prescreen_score=config.prescreen_score,
                 latency_budget=config.latency_budget,
                 latency_decides=config.latency_decides, trainer=trainer or train_genome)


def work_in_process(config: SearchConfig, worker: int) -> None:
    """What worker process ``worker`` of ``--workers N`` runs (``nas.search.processes``
    spawns it): open the study and work until done or out of time."""
    deadline = time.time() + config.timeout if config.timeout else None
    p = _prepare(config, None, worker, announce=False)
    work(p.study, p.objective, config.trials, deadline,
         max_idle=config.max_samples or MAX_IDLE, max_images=config.max_images)


def _run_workers(config: SearchConfig, study: optuna.Study, monitor: Monitor,
                 deadline: float | None) -> str:
    """``config.workers`` processes on the study; how the search ended."""
    crashed = run_workers(work_in_process, config, study, monitor)
    end = reached(records(study), config.trials, config.max_images)
    if end is not None:
        return end
    if crashed:
        raise RuntimeError(f"search workers exited with errors (worker, exit code): {crashed}")
    return "timeout" if deadline is not None and time.time() >= deadline else "exhausted"


def run_search(config: SearchConfig, data: Dataset | None = None, progress: bool = True,
               monitor: Monitor | None = None, echo: Any = None,
               trainer: Trainer | None = None) -> SearchSummary:
    """Run (or resume) a search until ``config.trials`` trained trials exist in the study.

    ``data``: an already loaded ``Dataset`` (in-process runs only); default loads
    ``config.data``. Ctrl-C or SIGTERM ends the run cleanly: the running trial is FAIL
    (with ``fail_reason``), finished ones are kept, and the same call resumes the study.
    The device and the data are checked before the study is opened. ``echo(line)``
    receives the notes printed before the first trial (estimate, short-proxy warning).
    ``trainer`` replaces real training (in-process only; ``nas.searchbench`` passes
    recorded-curve surrogates).
    """
    t0 = time.time()
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # the monitor prints each trial
    if config.workers > 1 and (data is not None or trainer is not None):
        raise ValueError("data= and trainer= cannot be shared with worker processes")
    preflight.check_device(config.device)
    check_budget(as_space(config.space), config.budget)  # cheap checks before loading data
    check_names(config.evaluators)
    name = config.study or default_study_name(config.space_name, config.budget)
    try:
        preflight.check_storage(storage_url(config.storage, name))
    except ReadOnlyStudy:
        done = _read_only_done(config, name, t0)
        if done is None:
            raise
        if echo is not None:
            echo(f"note: {done.target} is read-only; study {name!r} already holds "
                 f"{done.stats.counted}/{config.trials} trained trials, nothing to add")
        return done
    if data is None:  # before the study: a bad --data must not leave a study behind
        data = _peek_data(config)
    preflight.check_given(config.start_from, _limits(config), data)
    p = _prepare(config, data, trainer=trainer)
    study, objective, name, url, config = p.study, p.objective, p.name, p.url, p.config
    preflight.check_recorded(study, config.recorded_attrs())
    fail_stale(study)
    requeue_interrupted(study)  # a Ctrl-C'd candidate is trained (sh: resumed) this time
    _start_from(config, study, echo)
    if echo is not None:
        notes(config, study, data, echo)
    trials = study.get_trials(deepcopy=False)
    monitor = monitor or Monitor(config.trials, trials, enabled=progress)
    deadline = t0 + config.timeout if config.timeout else None
    try:
        with sigterm_as_interrupt():
            if config.workers == 1:
                ended = work(study, objective, config.trials, deadline, monitor.update,
                             config.max_samples or MAX_IDLE, config.max_images)
            else:
                ended = _run_workers(config, study, monitor, deadline)
    except KeyboardInterrupt as e:
        ended = "terminated" if isinstance(e, Terminated) else "interrupted"
    trials = study.get_trials(deepcopy=False)
    monitor.update(trials)
    monitor.close()
    front = pareto_front(trained_trials(trials))
    stats = compute(trials)
    why = (nothing_trained_reason(trials, config.budget, ended)
           if stats.counted == 0 and ended not in ("interrupted", "terminated") else None)
    return SearchSummary(name, url, stats, front, ended, time.time() - t0,
                         config.to_dict(), why)


def _read_only_done(config: SearchConfig, name: str, t0: float) -> SearchSummary | None:
    """The summary of study ``name`` when its storage cannot be written but the search
    has nothing to add (``config.trials`` trained trials, the same settings and data),
    read without writing; None otherwise (then the read-only error stands)."""
    url = storage_url(config.storage, name)
    try:
        study = open_study(file_path(url) or url, name)
        config = config.following(study.user_attrs)
        check_attrs(study.user_attrs, config.study_attrs(), name, url)
        preflight.check_recorded(study, config.recorded_attrs())  # no write: it has trials
    except NasError:
        return None
    trials = study.get_trials(deepcopy=False)
    if reached(records(trials), config.trials, config.max_images) is None:
        return None
    return SearchSummary(name, url, compute(trials), pareto_front(trained_trials(trials)),
                         "done", time.time() - t0, config.to_dict())


def _peek_data(config: SearchConfig) -> Dataset:
    """Load the data once in the parent so a bad ``--data`` fails before workers start."""
    return load_dataset(config.data, subset=config.subset)
