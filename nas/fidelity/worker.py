"""One fidelity worker: claim the next unfinished run, train it, record it, repeat.

A run trains the ``full`` recipe compressed into its epochs, with precise-BN validation
after every epoch and the stale-statistics figure beside it (``eval_stale``), so the
study also measures what recalibration changes. Checkpoints after every epoch:
a killed worker's run continues where it stopped when any worker claims it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import torch
from optuna.trial import TrialState

from nas.builder import build
from nas.data import Dataset
from nas.data.augment import epoch_images
from nas.fidelity.plan import Arch, Plan, Run
from nas.fidelity.store import (
    arch_facts,
    arch_key,
    claimed,
    fail_orphans,
    finished,
    next_unit,
    worker_name,
)
from nas.genome import Genome
from nas.train import TrainingDiverged, preset, train

Log = Callable[[str], None]


def train_run(arch: Arch, run: Run, data: Dataset, checkpoint: Path, seed: int = 0,
              device: str | None = None) -> dict[str, Any]:
    """Train ``arch`` with ``run``'s schedule; the figures a trial records (accuracies as
    fractions, seconds of wall time over all resumed segments, images = training images)."""
    ds = data.subset(min(run.subset, len(data.y_train))) if run.subset else data
    genome = Genome.from_string(arch.genome).replace_head(c=ds.num_classes, i=ds.in_chans)
    torch.manual_seed(seed)
    net = build(genome)
    config = preset("full", epochs=run.epochs, eval_stale=True, seed=seed)
    r = train(net, ds, config, checkpoint=checkpoint, device=device, progress="none")
    images = run.epochs * epoch_images(len(ds.y_train), config.batch_size)
    return {"val_acc": r.val_acc, "val_acc_stale": r.history[-1].val_acc_stale,
            "val_loss": r.val_loss, "history": [m.val_acc for m in r.history],
            "history_stale": [m.val_acc_stale for m in r.history],
            "seconds": round(r.seconds, 1), "images": images,
            "images_per_sec": round(r.images_per_sec, 1)}


def record(study: optuna.Study, arch: Arch, run: Run, data: Dataset, runs_dir: Path,
           seed: int, device: str | None) -> dict[str, Any]:
    """Train one unit inside its own trial: COMPLETE with its figures, or FAIL (with
    ``fail_reason``) when it diverges or is interrupted (then the error propagates)."""
    trial = study.ask()
    for k, v in {"arch_id": arch.arch_id, "name": arch.name, "genome": arch.genome,
                 "run": run.name, "epochs": run.epochs, "subset": run.subset,
                 "worker": worker_name()}.items():
        trial.set_user_attr(k, v)
    try:
        out = train_run(arch, run, data, runs_dir / arch.arch_id / f"{run.name}.pt", seed,
                        device)
    except TrainingDiverged as e:
        trial.set_user_attr("fail_reason", str(e))
        study.tell(trial, state=TrialState.FAIL)
        return {"failed": str(e)}
    except BaseException as e:
        trial.set_user_attr("fail_reason", "interrupted" if isinstance(
            e, KeyboardInterrupt) else f"{type(e).__name__}: {e}")
        study.tell(trial, state=TrialState.FAIL)
        raise
    for k, v in out.items():
        trial.set_user_attr(k, v)
    study.tell(trial, out["val_acc"])
    return out


def score_archs(study: optuna.Study, archs: tuple[Arch, ...], data: Dataset,
                seed: int = 0) -> int:
    """Record the zero-cost scores of each of ``archs`` that has none yet (seconds each;
    deterministic, so two workers racing here write the same values). Returns how many."""
    from nas.zerocost import score_genome

    have = arch_facts(study)
    todo = [a for a in archs if a.arch_id not in have]
    for arch in todo:
        scores = score_genome(arch.genome, data, seed)
        study.set_user_attr(arch_key(arch), {
            "zero_cost": {k: v for k, (v, _) in scores.items()},
            "zero_cost_ms": {k: round(ms, 1) for k, (_, ms) in scores.items()}})
    return len(todo)


def work(study: optuna.Study, plan: Plan, data: Dataset, runs_dir: Path, seed: int = 0,
         device: str | None = None, log: Log = print) -> int:
    """Run unfinished units until none is left for this worker (scoring each
    architecture at its first unit), then score any architecture still unscored; returns
    runs trained."""
    skip: set[tuple[str, str]] = set()
    trained = 0
    while (unit := next_unit(study, plan, skip)) is not None:
        arch, run = unit
        key = (arch.arch_id, run.name)
        with claimed(runs_dir / arch.arch_id / f"{run.name}.lock") as ours:
            if not ours:  # another worker trains it
                skip.add(key)
                continue
            if key in finished(study):
                continue
            fail_orphans(study, arch, run)
            score_archs(study, (arch,), data, seed)
            t0 = time.perf_counter()
            out = record(study, arch, run, data, runs_dir, seed, device)
            trained += 1
            log(_line(arch, run, out, time.perf_counter() - t0))
    score_archs(study, plan.archs, data, seed)
    return trained


def _line(arch: Arch, run: Run, out: dict[str, Any], seconds: float) -> str:
    if "failed" in out:
        return f"{arch.name} {run.name}: FAILED ({out['failed']})"
    return (f"{arch.name} {run.name}: val {out['val_acc']:.4f} (stale BN "
            f"{out['val_acc_stale']:.4f}), {seconds:.0f} s")
