"""``run_fidelity``: open (or resume) a fidelity study, then train its missing runs on one
or several worker processes."""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import dataclass, field
from pathlib import Path

import optuna
import torch

from nas.data import load_dataset
from nas.errors import NasError
from nas.fidelity.plan import DEFAULT_RUNS, Plan, Run, choose_archs, reference
from nas.fidelity.store import open_fidelity_study
from nas.fidelity.worker import work

RUNS_DIR = Path("runs/fidelity")


@dataclass(frozen=True)
class FidelityConfig:
    """One fidelity study. ``n`` sampled architectures of ``space`` under ``budget``
    params plus ``zoo`` names; ``ref_epochs`` on the whole training split is the
    reference."""

    study: str
    storage: str | None = None  # default: sqlite:///studies/<study>.db
    data: str = "cifar10"
    space: str = "default"
    budget: int = 200_000
    n: int = 20
    zoo: tuple[str, ...] = ("seed003", "seed004")
    ref_epochs: int = 15
    seed: int = 0  # architecture sampling and training
    workers: int = 1
    threads: int | None = None  # torch threads per worker
    device: str | None = None
    runs_dir: Path = field(default=RUNS_DIR)
    cheap: tuple[Run, ...] = DEFAULT_RUNS  # the cheap fidelities, in order

    @property
    def url(self) -> str:
        from nas.study.storage import storage_url

        return storage_url(self.storage, self.study)

    def plan(self) -> Plan:
        archs = choose_archs(self.space, self.budget, self.n, list(self.zoo), self.seed)
        return Plan(tuple(archs), (*self.cheap, reference(self.ref_epochs)))


def open_study(config: FidelityConfig, create: bool = True):  # -> (optuna.Study, Plan)
    attrs = {"data": config.data, "space": config.space, "budget": config.budget,
             "seed": config.seed}
    return open_fidelity_study(config.url, config.study, config.plan() if create else None,
                               attrs if create else {})


def _worker(config: FidelityConfig, index: int) -> int:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if config.threads:
        torch.set_num_threads(config.threads)
    study, plan = open_study(config, create=False)
    data = load_dataset(config.data, device=config.device)
    prefix = f"[w{index}] " if config.workers > 1 else ""
    return work(study, plan, data, config.runs_dir / config.study, config.seed,
                config.device, log=lambda s: print(prefix + s, flush=True))


def run_fidelity(config: FidelityConfig) -> int:
    """Train every missing run of the study; returns the runs trained by this command."""
    if config.workers < 1:
        raise NasError(f"--workers must be >= 1, got {config.workers}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    load_dataset(config.data)  # bad data fails before the study exists
    open_study(config)
    if config.workers == 1:
        return _worker(config, 0)
    ctx = mp.get_context("spawn")
    with ctx.Pool(config.workers) as pool:
        return sum(pool.starmap(_worker, [(config, i) for i in range(config.workers)]))
