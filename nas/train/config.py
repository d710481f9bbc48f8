"""``TrainConfig`` (one frozen recipe) and ``preset(name, **overrides)``.

The defaults are tuned for small CIFAR nets on a CPU: batch 256 (higher throughput than
128 on CPU, see results/bench.md), SGD with Nesterov momentum, a one-cycle schedule peaking
at 20% of the steps, label smoothing 0.1, weight decay 5e-4 on conv/linear weights only,
flip test-time augmentation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from nas.errors import NasError

SCHEDULES = ("onecycle", "cosine")
AMP_MODES = ("auto", "bf16", "fp16", "none")


class ConfigError(NasError):
    """An unknown preset or option, or an option value out of range."""


@dataclass(frozen=True)
class TrainConfig:
    """One training recipe. Learning rates are peak values per step; fractions are 0..1."""

    epochs: int = 40
    batch_size: int = 256  # images per step
    lr: float = 0.2  # peak learning rate (at the end of warm-up)
    momentum: float = 0.9
    nesterov: bool = True
    weight_decay: float = 5e-4  # conv/linear weights only; BN and biases get none
    label_smoothing: float = 0.1
    schedule: str = "onecycle"  # 'onecycle': linear up then linear down to 0; 'cosine'
    warmup: float = 0.2  # fraction of all steps spent warming up
    start_lr_frac: float = 0.1  # one-cycle starts at lr * this (cosine warm-up starts at 0)
    cutout: int = 0  # px side of the cutout square, 0 = off
    pad: int = 4  # px of crop padding at 32 px (scaled to other sizes), 0 = no crop
    flip: bool = True  # random horizontal flips while training
    ema: float = 0.0  # EMA decay per step (e.g. 0.999), 0 = off
    tta: bool = True  # evaluate on the image and its mirror, averaged
    bn_recal: int = 1024  # training images that recompute BN statistics before each
    # evaluation ("precise BN", nas.train.bn); 0 = use the running averages training left
    eval_stale: bool = False  # also validate with the stale running averages (measurement)
    compile: bool = False  # torch.compile the training forward/backward
    amp: str = "auto"  # CUDA: 'auto' = bf16 when supported else fp16; CPU: only 'bf16'; 'none'
    channels_last: bool = True  # faster for these nets on CPU and on CUDA
    eval_batch_size: int = 1000
    seed: int = 0  # shuffling, augmentation and dropout

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ConfigError(f"epochs ({self.epochs}) and batch_size ({self.batch_size}) "
                              "must be >= 1")
        if self.schedule not in SCHEDULES:
            raise ConfigError(f"schedule {self.schedule!r}: expected one of {SCHEDULES}")
        if self.amp not in AMP_MODES:
            raise ConfigError(f"amp {self.amp!r}: expected one of {AMP_MODES}")
        if not 0.0 <= self.warmup < 1.0 or not 0.0 <= self.ema < 1.0:
            raise ConfigError("warmup and ema must be in [0, 1)")
        if self.bn_recal < 0:
            raise ConfigError(f"bn_recal must be >= 0 images, got {self.bn_recal}")
        if self.lr <= 0:
            raise ConfigError(f"lr must be > 0, got {self.lr}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def replace(self, **overrides: Any) -> TrainConfig:
        """A copy with ``overrides``; unknown names raise ``ConfigError``."""
        _check_names(overrides)
        return replace(self, **overrides)


PRESETS: dict[str, TrainConfig] = {
    "proxy": TrainConfig(epochs=5),  # cheap ranking of candidates during a search
    "full": TrainConfig(epochs=40),  # final training of the chosen architectures
}


def _check_names(overrides: dict[str, Any]) -> None:
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ConfigError(f"unknown training option '{unknown[0]}'; known: {', '.join(known)}")


def preset(name: str, **overrides: Any) -> TrainConfig:
    """The ``proxy`` (5 epochs) or ``full`` (40 epochs) recipe with ``overrides`` applied.

    ``None`` values are ignored, so CLI options that were not given can be passed through.
    """
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}: expected one of {', '.join(PRESETS)}")
    return PRESETS[name].replace(**{k: v for k, v in overrides.items() if v is not None})


def flip_overrides(flip: bool | None) -> dict[str, bool | None]:
    """Recipe fields ``--flip/--no-flip`` sets: a net never shown mirrored images should not
    be tested on mirrored ones either, so TTA follows the training flips (None = preset)."""
    return {"flip": flip, "tta": flip}
