"""The training recipe a learning curve ran: curves compare only within one.

A recipe here is what fixes the meaning of "the accuracy after epoch k": the schedule's
length in epochs (the one-cycle learning rate depends on it, so epoch 3 of a 30-epoch
schedule is not epoch 3 of a 15-epoch one), the training images per epoch, the batch and
the peak learning rate, plus any departure from the default ``full`` recipe (cutout,
EMA, bf16). ``key`` is a short text such as ``e30_n45000_b256_lr0.2`` that the studies'
``sh`` / ``proxy`` signatures and the runs' ``result.json`` configs both map onto.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

FULL_TRAIN_IMAGES = 45_000  # the first 45,000 CIFAR-10 training images; last 5,000 validate


@dataclass(frozen=True)
class Recipe:
    """Schedule length (epochs), training images per epoch, batch, peak learning rate,
    and ``extra``: departures from the default recipe ("" if none, else "+cutout8" ...)."""

    epochs: int
    n_train: int
    batch: int
    lr: float
    extra: str = ""

    @property
    def key(self) -> str:
        """``e<epochs>_n<images>_b<batch>_lr<lr><extra>``: equal keys, comparable curves."""
        return f"e{self.epochs}_n{self.n_train}_b{self.batch}_lr{self.lr:g}{self.extra}"


_SIG = re.compile(r"^(?:sh(?P<rungs>[\d-]+)_eta\d+|e(?P<epochs>\d+))"
                  r"_n(?P<n>\d+)_b(?P<b>\d+)_lr(?P<lr>[\d.e-]+)$")


def from_signature(sig: str) -> Recipe:
    """The recipe of a study's ``sh`` (``sh1-3-10-30_eta3_n45000_b256_lr0.2``: one run of
    the top rung's schedule, here 30 epochs) or ``proxy`` (``e2_n10000_b256_lr0.2``)
    signature; ValueError on any other text."""
    m = _SIG.match(sig)
    if m is None:
        raise ValueError(f"not an sh or proxy signature: {sig!r}")
    epochs = int(m["rungs"].split("-")[-1]) if m["rungs"] else int(m["epochs"])
    return Recipe(epochs, int(m["n"]), int(m["b"]), float(m["lr"]))


def extra_of(config: dict[str, Any]) -> str:
    """Departures of a ``nas train`` config from the default recipe, as a key suffix."""
    parts = []
    if config.get("cutout"):
        parts.append(f"cutout{config['cutout']}")
    if config.get("ema"):
        parts.append(f"ema{config['ema']:g}")
    if config.get("amp") == "bf16":
        parts.append("bf16")
    if config.get("schedule", "onecycle") != "onecycle":
        parts.append(str(config["schedule"]))
    return "".join(f"+{p}" for p in parts)


def from_config(config: dict[str, Any], n_train: int | None) -> Recipe:
    """The recipe of a ``result.json``'s ``config`` trained on ``n_train`` images (None:
    the full 45,000)."""
    return Recipe(int(config["epochs"]), int(n_train or FULL_TRAIN_IMAGES),
                  int(config.get("batch_size", 256)), float(config.get("lr", 0.2)),
                  extra_of(config))
