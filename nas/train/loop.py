"""``train(model, data, config, callbacks)``: the epoch loop, checkpoints and stopping.

Knows nothing of Optuna: a search passes a callback that receives each epoch's
``EpochMetrics`` and returns True to stop (pruning). A NaN/inf loss raises
``TrainingDiverged`` so the caller can record a failed trial.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from torch import nn

from nas.data import Dataset, TrainLoader
from nas.train import checkpoint as ckpt
from nas.train.bn import recalibrate_bn
from nas.train.config import TrainConfig, preset
from nas.train.device import pick_device
from nas.train.evaluate import evaluate
from nas.train.memory import keep_freed_memory
from nas.train.metrics import EpochMetrics, TrainingDiverged, TrainResult
from nas.train.progress import Reporter, reporter
from nas.train.step import Stepper

Callback = Callable[[EpochMetrics], bool | None]
REPORT_EVERY = 10  # steps between progress updates and divergence checks


def train(model: nn.Module, data: Dataset, config: TrainConfig | None = None,
          callbacks: Iterable[Callback] = (), checkpoint: str | Path | None = None,
          device: torch.device | str | None = None,
          progress: str | bool = "auto") -> TrainResult:
    """Train ``model`` in place on ``data``'s train split, validating after every epoch.

    ``config`` defaults to ``preset("full")``. With ``checkpoint``, state is saved after
    every epoch and an existing file for the same genome and config is resumed from (a
    finished one returns at once). ``progress``: 'auto', 'rich', 'plain' or 'none'. With
    EMA enabled the model ends up holding the EMA weights, which the metrics refer to.
    Seeds the global torch RNG with ``config.seed`` (dropout) unless resuming.
    """
    config = config or preset("full")
    device = pick_device(device)
    if device.type == "cpu":
        keep_freed_memory()
    data = data.to(device)
    fmt = torch.channels_last if config.channels_last else torch.preserve_format
    model.to(device, memory_format=fmt)
    loader = TrainLoader(data, config.batch_size, config.seed, config.pad, config.flip,
                         config.cutout, config.channels_last)
    stepper = Stepper(model, config, len(loader) * config.epochs, device)
    path = Path(checkpoint) if checkpoint is not None else None
    history, seconds, cpu = _resume(stepper, path, getattr(model, "genome", None), config)
    t0, c0 = time.perf_counter(), time.process_time()

    def spent() -> tuple[float, float | None]:  # (wall, CPU) seconds, resumed ones included
        return (seconds + time.perf_counter() - t0,
                None if cpu is None else cpu + time.process_time() - c0)

    stopped, train_time, images = False, 0.0, 0
    rep = reporter(progress)
    try:
        for epoch in range(len(history) + 1, config.epochs + 1):
            m, t_train, n = _epoch(stepper, loader, data, config, epoch, rep)
            history.append(m)
            train_time, images = train_time + t_train, images + n
            rep.end_epoch(m, config.epochs)
            stopped = any([bool(cb(m)) for cb in callbacks])  # every callback sees the epoch
            if path is not None:
                _save(path, stepper, model, config, history, *spent())
            if stopped:
                break
    finally:
        rep.close()
    if stepper.ema is not None:
        model.load_state_dict(stepper.ema.module.state_dict())
    last, (wall, cpu_s) = history[-1], spent()
    return TrainResult(val_acc=last.val_acc, val_loss=last.val_loss, epochs=len(history),
                       seconds=wall, stopped_early=stopped, history=history,
                       images_per_sec=images / train_time if train_time else 0,
                       cpu_seconds=cpu_s)


def _resume(stepper: Stepper, path: Path | None, genome: str | None,
            config: TrainConfig) -> tuple[list[EpochMetrics], float, float | None]:
    """Load a checkpoint into ``stepper``: (history so far, wall and CPU seconds spent so
    far; CPU None from a checkpoint that predates it)."""
    state = ckpt.load(path, genome, config.to_dict()) if path is not None else None
    if state is None:
        torch.manual_seed(config.seed)
        return [], 0.0, 0.0
    stepper.load_state_dict(state)
    ckpt.set_rng_state(state["rng"])
    cpu = state.get("cpu_seconds")
    return list(state["history"]), float(state["seconds"]), None if cpu is None else float(cpu)


def _save(path: Path, stepper: Stepper, model: nn.Module, config: TrainConfig,
          history: list[EpochMetrics], seconds: float, cpu_seconds: float | None) -> None:
    ckpt.save(path, {**stepper.state_dict(), "genome": getattr(model, "genome", None),
                     "config": config.to_dict(), "history": ckpt.history_dicts(history),
                     "seconds": seconds, "cpu_seconds": cpu_seconds})


def _epoch(stepper: Stepper, loader: TrainLoader, data: Dataset, config: TrainConfig,
           epoch: int, rep: Reporter) -> tuple[EpochMetrics, float, int]:
    """One epoch of steps then validation: (metrics, training seconds, images seen)."""
    t0 = time.perf_counter()
    rep.start_epoch(epoch, config.epochs, len(loader))
    stepper.model.train()
    dev = stepper.device
    loss_sum = torch.zeros((), device=dev)
    correct = torch.zeros((), device=dev, dtype=torch.int64)
    n = 0
    for i, (x, y) in enumerate(loader.epoch(epoch), 1):
        loss, corr = stepper.step(x, y)
        loss_sum += loss * len(y)
        correct += corr
        n += len(y)
        if i % REPORT_EVERY == 0 or i == len(loader):
            mean = loss_sum.item() / n
            if not math.isfinite(mean):
                raise TrainingDiverged(epoch, i, mean)
            rep.step(i, mean, correct.item() / n, n)
    t_train = time.perf_counter() - t0
    (val_loss, val_acc), stale = _validate(stepper.eval_model, data, config)
    m = EpochMetrics(epoch=epoch, train_loss=loss_sum.item() / n, train_acc=correct.item() / n,
                     val_loss=val_loss, val_acc=val_acc, lr=stepper.lr,
                     seconds=time.perf_counter() - t0, val_acc_stale=stale)
    return m, t_train, n


def _validate(model: nn.Module, data: Dataset,
              config: TrainConfig) -> tuple[tuple[float, float], float | None]:
    """(val loss, val acc) after precise-BN recalibration, and the stale-statistics val acc
    when ``config.eval_stale`` asks for it (None otherwise)."""
    def val() -> tuple[float, float]:
        return evaluate(model, data, "val", config.eval_batch_size, config.tta, config.amp,
                        config.channels_last)

    stale = val()[1] if config.eval_stale else None
    if config.bn_recal:
        recalibrate_bn(model, data, config.bn_recal, config.batch_size, config.channels_last,
                       config.pad, config.flip, config.cutout)
    return val(), stale
