"""Helpers shared by the scores: which weights are scored, and a BN-free copy."""

from __future__ import annotations

from torch import nn

from nas.train.bn import BN_TYPES


def scored_layers(model: nn.Module) -> list[nn.Module]:
    """Conv and linear layers: the weights the zero-cost papers sum over."""
    return [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def scored_weights(model: nn.Module) -> list[nn.Parameter]:
    return [m.weight for m in scored_layers(model)]


def strip_batchnorm(model: nn.Module) -> nn.Module:
    """``model`` with every BatchNorm replaced by Identity (in place; pass a copy)."""
    for name, child in model.named_children():
        if isinstance(child, BN_TYPES):
            setattr(model, name, nn.Identity())
        else:
            strip_batchnorm(child)
    return model
