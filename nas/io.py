"""Saved models: one ``model.pt`` holds weights, genome, training config and metrics.

The genome travels with the weights, so ``nas.load(path)`` needs nothing else to rebuild
the network: no search space, no study, no code version of the architecture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from nas.builder import Net, build
from nas.errors import NasError

FORMAT = "nas-model/1"


def save_model(path: str | Path, model: Net, config: dict[str, Any] | None = None,
               metrics: dict[str, Any] | None = None) -> Path:
    """Write ``model`` (a built ``Net``) with its genome, config and metrics (plain data).

    Weights are stored on the CPU so the file loads on any machine; written to a temp
    file first so a kill never leaves a truncated model behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    blob = {"format": FORMAT, "genome": model.genome, "state_dict": state,
            "config": dict(config or {}), "metrics": dict(metrics or {})}
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(blob, tmp)
    tmp.replace(path)
    return path


def read_model_file(path: str | Path) -> dict[str, Any]:
    """The raw contents of a ``model.pt`` (genome, state_dict, config, metrics)."""
    path = Path(path)
    if not path.is_file():
        raise NasError(f"{path}: no such model file")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # pickle/zip errors: not a model file
        raise NasError(f"{path}: not a nas model file ({type(e).__name__})") from e
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise NasError(f"{path}: not a nas model file (expected format {FORMAT})")
    return blob


def load(path: str | Path, device: torch.device | str | None = None) -> Net:
    """A ready model from ``model.pt``: rebuilt from its genome, weights loaded, eval mode.

    The file's ``config`` and ``metrics`` are kept on the model as ``.config`` and
    ``.metrics`` (e.g. ``metrics["test_acc"]``, a fraction in 0..1).
    """
    blob = read_model_file(path)
    model = build(blob["genome"])
    model.load_state_dict(blob["state_dict"])
    model.config = blob["config"]
    model.metrics = blob["metrics"]
    if device is not None:
        model.to(device)
    return model.eval()
