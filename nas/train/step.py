"""``Stepper``: the model with its optimiser, schedule, AMP scaler and EMA, one step at a time.

Shared by ``train`` and ``nas bench`` so the benchmark measures exactly the training step.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nas.train.config import TrainConfig
from nas.train.device import amp_dtype
from nas.train.ema import Ema
from nas.train.schedule import make_scheduler


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.SGD:
    """SGD (Nesterov); weight decay only on weights with >1 dim, not on BN or biases."""
    decay = [p for p in model.parameters() if p.requires_grad and p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.ndim <= 1]
    groups = [{"params": decay, "weight_decay": config.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.SGD(groups, lr=config.lr, momentum=config.momentum,
                           nesterov=config.nesterov and config.momentum > 0)


class Stepper:
    """Owns everything that changes per step; ``state_dict`` is what a checkpoint keeps."""

    def __init__(self, model: nn.Module, config: TrainConfig, total_steps: int,
                 device: torch.device) -> None:
        self.model, self.device = model, device
        self.forward = torch.compile(model) if config.compile else model
        self.opt = make_optimizer(model, config)
        self.sched = make_scheduler(self.opt, total_steps, config)
        self.dtype = amp_dtype(config.amp, device)
        self.scaler = torch.amp.GradScaler(device.type, enabled=self.dtype == torch.float16)
        self.ema = Ema(model, config.ema) if config.ema else None
        self.loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)

    @property
    def eval_model(self) -> nn.Module:
        """The weights to evaluate: the EMA copy when enabled."""
        return self.ema.module if self.ema is not None else self.model

    @property
    def lr(self) -> float:
        return float(self.opt.param_groups[0]["lr"])

    def step(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One SGD step on a batch; returns (mean loss, number correct), both unsynced."""
        with torch.autocast(self.device.type, dtype=self.dtype, enabled=self.dtype is not None):
            out = self.forward(x)
            loss = self.loss_fn(out, y)
        self.opt.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.opt)
        self.scaler.update()
        self.sched.step()
        if self.ema is not None:
            self.ema.update()
        return loss.detach(), (out.detach().argmax(1) == y).sum()

    def state_dict(self) -> dict[str, Any]:
        return {"model": self.model.state_dict(), "optimizer": self.opt.state_dict(),
                "scheduler": self.sched.state_dict(), "scaler": self.scaler.state_dict(),
                "ema": self.ema.state_dict() if self.ema is not None else None}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["optimizer"])
        self.sched.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        if self.ema is not None and state.get("ema") is not None:
            self.ema.load_state_dict(state["ema"])
