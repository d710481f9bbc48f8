"""Exponential moving average of a model's weights and buffers, for evaluation."""

from __future__ import annotations

import copy

import torch
from torch import nn


class Ema:
    """A shadow copy updated after each step: ``shadow += (1 - d) * (model - shadow)``.

    The decay warms up as ``min(decay, (1 + t) / (10 + t))`` so early, poor weights fade
    fast. Integer buffers (BN's batch counter) are copied.
    """

    def __init__(self, model: nn.Module, decay: float) -> None:
        self.decay, self.steps = decay, 0
        self.module = copy.deepcopy(model).eval().requires_grad_(False)
        pairs = list(zip(self.module.state_dict().values(), model.state_dict().values(),
                         strict=True))
        self._float = [(s, m) for s, m in pairs if s.is_floating_point()]
        self._other = [(s, m) for s, m in pairs if not s.is_floating_point()]

    @torch.no_grad()
    def update(self) -> None:
        self.steps += 1
        d = min(self.decay, (1 + self.steps) / (10 + self.steps))
        shadow = [s for s, _ in self._float]
        torch._foreach_lerp_(shadow, [m for _, m in self._float], 1.0 - d)
        for s, m in self._other:
            s.copy_(m)

    def state_dict(self) -> dict:
        return {"steps": self.steps, "module": self.module.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.steps = state["steps"]
        self.module.load_state_dict(state["module"])
