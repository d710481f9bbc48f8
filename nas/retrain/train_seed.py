"""One seed of one architecture: train with the ``full`` preset, then test once.

The only module of ``nas.retrain`` that calls the trainer. ``result.json`` is written
last, so its presence means "done"; before that, the trainer's checkpoint resumes.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from nas.builder import build
from nas.errors import NasError
from nas.io import save_model
from nas.retrain.outputs import write_csv, write_json


@dataclass(frozen=True)
class SeedRun:
    """One finished seed: accuracies as fractions 0..1, seconds of training."""

    seed: int
    val_acc: float
    test_acc: float
    test_loss: float
    epochs: int
    seconds: float
    stopped_early: bool
    config: dict[str, Any]
    history: list[dict[str, Any]]
    model_path: str

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.pop("history")
        return d


def _plain(obj: Any) -> Any:
    """JSON/torch.load(weights_only)-safe copy of a config or metrics object."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    return json.loads(json.dumps(obj, default=str))


def _config(epochs: int | None, seed: int) -> Any:
    from nas.train import preset

    names = {f.name for f in dataclasses.fields(preset("full"))}
    overrides: dict[str, Any] = {"seed": seed} if "seed" in names else {}
    if epochs is not None:
        overrides["epochs"] = epochs
    return preset("full", **overrides)


def _load_done(result: Path, config: dict[str, Any]) -> SeedRun | None:
    if not result.is_file():
        return None
    run = SeedRun(**json.loads(result.read_text()))
    if run.config != config:
        raise NasError(f"{result.parent} holds a retrain with a different config "
                       f"(epochs {run.config.get('epochs')}); pass another --out or remove it")
    return run


def train_seed(genome: str, data: Any, d: Path, *, seed: int, epochs: int | None,
               device: str | None, progress: str,
               echo: Callable[[str], None] = print) -> SeedRun:
    """Train ``genome`` with ``seed`` into directory ``d`` (resuming), then test once."""
    from nas.train import evaluate, train

    config = _config(epochs, seed)
    plain = _plain(config)
    d.mkdir(parents=True, exist_ok=True)
    done = _load_done(d / "result.json", plain)
    if done is not None:
        echo(f"  seed {seed}: already done ({d / 'result.json'})")
        return done
    torch.manual_seed(seed)
    model = build(genome)
    t0 = time.monotonic()
    res = train(model, data, config, checkpoint=d / "checkpoint.pt", device=device,
                progress=progress)
    # the test split's one use: same evaluation settings as validation (TTA etc.)
    test_loss, test_acc = evaluate(model, data, split="test", batch_size=config.eval_batch_size,
                                   tta=config.tta, amp=config.amp,
                                   channels_last=config.channels_last)
    history = [_plain(h) for h in res.history]
    run = SeedRun(seed=seed, val_acc=float(res.val_acc), test_acc=float(test_acc),
                  test_loss=float(test_loss), epochs=int(res.epochs),
                  seconds=float(getattr(res, "seconds", time.monotonic() - t0)),
                  stopped_early=bool(res.stopped_early), config=plain, history=history,
                  model_path=str(d / "model.pt"))
    metrics = {k: v for k, v in run.to_dict().items() if k not in ("config", "model_path")}
    save_model(d / "model.pt", model.cpu(), config=plain, metrics=metrics)
    write_csv(d / "history.csv", history)
    write_json(d / "result.json", dataclasses.asdict(run))
    return run
