"""Picking the training device and its numeric settings."""

from __future__ import annotations

import torch

from nas.errors import NasError


def pick_device(name: str | torch.device | None = None) -> torch.device:
    """``cuda`` when available, else ``cpu``; ``name`` ('cpu', 'cuda', 'cuda:1') overrides."""
    if name is None or str(name) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(name)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise NasError(f"device {name!r} requested but CUDA is not available; use --device cpu")
    return dev


def amp_dtype(mode: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``mode`` on ``device``: None on CPU (fp32 is faster there)."""
    if device.type != "cuda" or mode == "none":
        return None
    if mode == "bf16" or (mode == "auto" and torch.cuda.is_bf16_supported()):
        return torch.bfloat16
    return torch.float16
