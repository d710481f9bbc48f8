"""``train_model``: what ``nas train`` does, from a zoo name or genome to val/test accuracy.

Builds the network for the data's classes and channels, trains it (checkpointing into
``out`` if given, so rerunning the same command resumes), then evaluates once on the test
split and writes ``result.json`` and ``model.pt`` next to the checkpoint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from nas.builder import build
from nas.data import load_dataset
from nas.train.config import preset
from nas.train.device import pick_device
from nas.train.evaluate import evaluate
from nas.train.loop import Callback, train
from nas.train.metrics import TrainResult
from nas.zoo import resolve


def train_model(model: str, data: str, epochs: int | None = None, subset: int | None = None,
                seed: int = 0, out: str | Path | None = None, preset_name: str = "full",
                device: str | None = None, progress: str | bool = "auto",
                callbacks: tuple[Callback, ...] = (), **overrides: Any) -> dict[str, Any]:
    """Train a zoo name or genome string on ``data``; returns a JSON-ready summary.

    Keys: name, genome, arch_id, params, val_acc, test_acc (fractions 0..1), val_loss,
    test_loss, epochs, seconds (training incl. per-epoch validation, all resumed segments),
    images_per_sec, stopped_early, config, history.
    """
    name, genome = resolve(model)
    dev = pick_device(device)
    ds = load_dataset(data, subset=subset, device=dev)
    genome = genome.replace_head(c=ds.num_classes, i=ds.in_chans)
    config = preset(preset_name, epochs=epochs, seed=seed, **overrides)
    torch.manual_seed(seed)  # weight init
    net = build(genome)
    out_dir = Path(out) if out is not None else None
    ckpt = out_dir / "checkpoint.pt" if out_dir is not None else None
    result = train(net, ds, config, callbacks=callbacks, checkpoint=ckpt, device=dev,
                   progress=progress)
    test_loss, test_acc = evaluate(net, ds, "test", config.eval_batch_size, config.tta,
                                   config.amp, config.channels_last)
    summary = _summary(name, genome.to_string(), genome.arch_id, net, result, config.to_dict())
    summary.update(test_acc=test_acc, test_loss=test_loss, data=data, subset=subset,
                   train_images=len(ds.y_train), device=str(dev))
    if out_dir is not None:
        _write(out_dir, summary, net)
    return summary


def _summary(name: str, genome: str, arch_id: str, net: torch.nn.Module, r: TrainResult,
             config: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "genome": genome, "arch_id": arch_id,
            "params": sum(p.numel() for p in net.parameters()),
            "val_acc": r.val_acc, "val_loss": r.val_loss, "epochs": r.epochs,
            "seconds": round(r.seconds, 2), "images_per_sec": round(r.images_per_sec, 1),
            "stopped_early": r.stopped_early, "config": config,
            "history": [vars(m) for m in r.history]}


def _write(out_dir: Path, summary: dict[str, Any], net: torch.nn.Module) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "result.json").write_text(json.dumps(summary, indent=2) + "\n")
    torch.save({"genome": summary["genome"], "state_dict": net.state_dict()},
               out_dir / "model.pt")
