"""Training one architecture to the end: ``fit`` (build, train, test once) and
``train_model``, what ``nas train`` does.

``fit`` is shared with ``nas retrain``, and both write their model with
``nas.io.save_model``, so ``nas.load(path)`` opens either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from nas.builder import Net, build
from nas.data import Dataset, load_dataset
from nas.genome import Genome
from nas.io import save_model
from nas.train.config import TrainConfig, preset
from nas.train.device import pick_device
from nas.train.evaluate import evaluate
from nas.train.loop import Callback, train
from nas.train.metrics import TrainResult
from nas.zoo import resolve


@dataclass(frozen=True)
class Fitted:
    """A trained model, its training result and its one test evaluation (fraction 0..1;
    None when the caller kept the test split for later)."""

    model: Net
    result: TrainResult
    test_loss: float | None
    test_acc: float | None


def fit(genome: Genome | str, data: Dataset, config: TrainConfig, *,
        checkpoint: Path | None = None, device: torch.device | str | None = None,
        progress: str | bool = "auto", callbacks: tuple[Callback, ...] = (),
        test: bool = True) -> Fitted:
    """Build ``genome`` (weights initialised from ``config.seed``), train it on ``data``
    (resuming from ``checkpoint`` if given), then evaluate the test split once, with the
    validation's settings (TTA etc.); ``test=False`` leaves the test split untouched."""
    torch.manual_seed(config.seed)  # weight init
    net = build(genome)
    result = train(net, data, config, callbacks=list(callbacks), checkpoint=checkpoint,
                   device=device, progress=progress)
    if not test:
        return Fitted(net, result, None, None)
    test_loss, test_acc = evaluate_test(net, data, config)
    return Fitted(net, result, test_loss, test_acc)


def evaluate_test(net: torch.nn.Module, data: Dataset,
                  config: TrainConfig) -> tuple[float, float]:
    """(loss, accuracy 0..1) on the test split, with the validation's settings (TTA,
    AMP, memory format): the one test evaluation of a trained model."""
    loss, acc = evaluate(net, data, "test", config.eval_batch_size, config.tta, config.amp,
                         config.channels_last)
    return float(loss), float(acc)


def train_model(model: str, data: str, epochs: int | None = None, subset: int | None = None,
                seed: int = 0, out: str | Path | None = None, preset_name: str = "full",
                device: str | None = None, progress: str | bool = "auto",
                callbacks: tuple[Callback, ...] = (), test: bool = True,
                **overrides: Any) -> dict[str, Any]:
    """Train a zoo name or genome string on ``data``; returns a JSON-ready summary
    (``test=False``: validation only, ``test_acc``/``test_loss`` None).

    Keys: name, genome, arch_id, params, val_acc, test_acc (fractions 0..1), val_loss,
    test_loss, epochs, seconds (training incl. per-epoch validation, all resumed segments),
    cpu_seconds (their process CPU time: the compute, pauses excluded), images_per_sec,
    stopped_early, config, history. With ``out``: ``checkpoint.pt`` (rerun to resume),
    ``result.json`` and ``model.pt`` (``nas.load``) there.
    """
    name, genome = resolve(model)
    dev = pick_device(device)
    ds = load_dataset(data, subset=subset, device=dev)
    genome = genome.replace_head(c=ds.num_classes, i=ds.in_chans)
    config = preset(preset_name, epochs=epochs, seed=seed, **overrides)
    out_dir = Path(out) if out is not None else None
    f = fit(genome, ds, config, checkpoint=out_dir / "checkpoint.pt" if out_dir else None,
            device=dev, progress=progress, callbacks=callbacks, test=test)
    summary = _summary(name, genome, f, config.to_dict())
    summary.update(data=data, subset=subset, train_images=len(ds.y_train), device=str(dev))
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "result.json").write_text(json.dumps(summary, indent=2) + "\n")
        metrics = {k: v for k, v in summary.items() if k not in ("config", "history")}
        save_model(out_dir / "model.pt", f.model, config=summary["config"], metrics=metrics)
    return summary


def _summary(name: str, genome: Genome, f: Fitted, config: dict[str, Any]) -> dict[str, Any]:
    r = f.result
    return {"name": name, "genome": genome.to_string(), "arch_id": genome.arch_id,
            "params": sum(p.numel() for p in f.model.parameters()),
            "val_acc": r.val_acc, "val_loss": r.val_loss, "epochs": r.epochs,
            "seconds": round(r.seconds, 2),
            "cpu_seconds": None if r.cpu_seconds is None else round(r.cpu_seconds, 2),
            "images_per_sec": round(r.images_per_sec, 1),
            "stopped_early": r.stopped_early, "config": config,
            "history": [vars(m) for m in r.history], "test_acc": f.test_acc,
            "test_loss": f.test_loss}
