"""Per-epoch checkpoints: everything needed to continue a killed run exactly.

A checkpoint holds the model, optimiser, scheduler, AMP scaler and EMA states, the genome
string, the config, the history and the global RNG states. It is written to a temporary
file and renamed, so a kill mid-write leaves the previous epoch's checkpoint intact.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from nas.errors import NasError
from nas.train.config import TrainConfig
from nas.train.metrics import EpochMetrics

VERSION = 1
_DEFAULTS = TrainConfig().to_dict()


class CheckpointError(NasError):
    """A checkpoint belongs to another genome or config, or cannot be read."""


def rng_state() -> dict[str, Any]:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save(path: Path, state: dict[str, Any]) -> None:
    """Atomically write ``state`` (plus format version and RNG states) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save({"version": VERSION, "rng": rng_state(), **state}, tmp)
    os.replace(tmp, path)


def load(path: Path, genome: str | None, config: dict[str, Any]) -> dict[str, Any] | None:
    """The checkpoint at ``path`` if any, after checking it is for this genome and config."""
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:  # truncated or foreign file: say which one
        raise CheckpointError(f"cannot read checkpoint {path}: {e}") from None
    if state.get("genome") != genome:
        raise CheckpointError(f"checkpoint {path} is for genome {state.get('genome')}, not "
                              f"{genome}; pass another path or delete it")
    saved = {**_DEFAULTS, **state.get("config", {})}  # options added later: their defaults
    diff = sorted(k for k in config if saved.get(k) != config[k])
    if diff:
        raise CheckpointError(f"checkpoint {path} was written with another config "
                              f"({', '.join(f'{k}={saved.get(k)!r}' for k in diff)}); pass "
                              "another path or delete it")
    state["history"] = [EpochMetrics(**m) for m in state["history"]]
    return state


def history_dicts(history: list[EpochMetrics]) -> list[dict[str, Any]]:
    return [asdict(m) for m in history]
