"""The fidelity study on Optuna storage: its plan, its finished runs, and claiming a run.

One trial per (architecture, run): user attrs ``arch_id``, ``run`` and the run's figures,
value = the run's final validation accuracy. Per-architecture facts (figures, zero-cost
scores) are study user attrs ``arch:<arch_id>``: written once, by whichever worker gets
there first (they are deterministic). A run is claimed with an exclusive file lock next
to its checkpoint, held while it trains; so workers share one runs folder (one machine,
or machines on a shared file system) and a lock whose holder died is free at once.
"""

from __future__ import annotations

import fcntl
import os
import socket
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from nas.errors import NasError
from nas.fidelity.plan import Arch, Plan, Run

KIND = "fidelity"
# nas.study storages beat a heartbeat for search workers; fidelity runs are claimed with
# file locks instead, so Optuna's note that heartbeats go with Study.optimize is noise.
warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")


def open_fidelity_study(url: str, name: str, plan: Plan | None,
                        attrs: dict[str, Any]) -> tuple[optuna.Study, Plan]:
    """Create study ``name`` with ``plan`` or resume it; NasError if it exists with another
    plan or settings, or is not a fidelity study. ``plan`` None: resume only."""
    from nas.study.storage import make_storage

    storage = make_storage(url)
    exists = name in {s.study_name for s in optuna.get_all_study_summaries(storage)}
    if not exists and plan is None:
        raise NasError(f"no study {name!r} in {url}")
    study = optuna.create_study(storage=storage, study_name=name, direction="maximize",
                                load_if_exists=True)
    old = study.user_attrs
    if not old.get("plan"):
        if plan is None:
            raise NasError(f"study {name!r} in {url} has no fidelity plan")
        for k, v in {"kind": KIND, "plan": plan.to_dict(), **attrs}.items():
            study.set_user_attr(k, v)
        study.set_metric_names(["val_acc"])
        return study, plan
    if old.get("kind") != KIND:
        raise NasError(f"study {name!r} in {url} is not a fidelity study")
    stored = Plan.from_dict(old["plan"])
    if plan is not None and plan != stored:
        raise NasError(f"study {name!r} in {url} was created with other architectures or "
                       "runs: rerun with the same options, or pick a new --study")
    for k, v in attrs.items():
        if k in old and old[k] != v:
            raise NasError(f"study {name!r} in {url} was created with {k}={old[k]!r}, not "
                           f"{v!r}")
    return study, stored


def unit_key(t: FrozenTrial) -> tuple[str, str] | None:
    a, r = t.user_attrs.get("arch_id"), t.user_attrs.get("run")
    return (a, r) if a and r else None


def finished(study: optuna.Study) -> dict[tuple[str, str], FrozenTrial]:
    """(arch_id, run name) -> its completed trial."""
    done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return {k: t for t in done if (k := unit_key(t)) is not None}


def fail_orphans(study: optuna.Study, arch: Arch, run: Run) -> None:
    """Record FAIL on RUNNING trials of a run whose lock we now hold: their worker died."""
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if unit_key(t) == (arch.arch_id, run.name):
            study.tell(t.number, state=TrialState.FAIL)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def claimed(path: Path) -> Iterator[bool]:
    """Hold an exclusive, non-blocking lock on ``path`` (True) or yield False if held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        os.ftruncate(fd, 0)
        os.write(fd, worker_name().encode())
        yield True
    finally:
        os.close(fd)  # releases the lock


def next_unit(study: optuna.Study, plan: Plan,
              skip: set[tuple[str, str]]) -> tuple[Arch, Run] | None:
    """The first unit in plan order that is neither finished nor in ``skip``."""
    done = finished(study)
    for arch, run in plan.units():
        key = (arch.arch_id, run.name)
        if key not in done and key not in skip:
            return arch, run
    return None


def arch_key(arch: Arch) -> str:
    return f"arch:{arch.arch_id}"


def arch_facts(study: optuna.Study) -> dict[str, dict[str, Any]]:
    """arch_id -> its recorded facts (zero-cost scores and their milliseconds)."""
    return {k.removeprefix("arch:"): v for k, v in study.user_attrs.items()
            if k.startswith("arch:")}
