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
    """The autocast dtype for ``mode`` on ``device``.

    CUDA: 'auto' is bf16 where supported, else fp16. CPU: fp32 unless 'bf16' is asked
    for: on a CPU with bf16 matrix units (AMX, AVX512-BF16) it trains 1.4-1.8x faster
    (results/bench.md), on older CPUs it is emulated and slower, so it is never implied.
    """
    if device.type == "cpu":
        return torch.bfloat16 if mode == "bf16" else None
    if device.type != "cuda" or mode == "none":
        return None
    if mode == "bf16" or (mode == "auto" and torch.cuda.is_bf16_supported()):
        return torch.bfloat16
    return torch.float16
