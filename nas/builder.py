"""``build(genome) -> nn.Module``: the only bridge from a genome to torch."""

from __future__ import annotations

import torch
from torch import nn

from nas.blocks import RF, Head, create, module_rf
from nas.genome import Genome


class Net(nn.Module):
    """A built genome: ``stages`` (ModuleList of Sequential blocks) then ``head``.

    Keeps its genome string so a saved model always knows what it is.
    """

    def __init__(self, genome: Genome) -> None:
        super().__init__()
        self.genome = genome.to_string()
        ch = genome.head["i"]
        stages = []
        for stage in genome.stages:
            blocks = []
            for block in stage:
                module = create(ch, block)
                ch = module.out_channels
                blocks.append(module)
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.ModuleList(stages)
        self.head = Head(ch, genome.head)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        for stage in self.stages:
            x = stage(x)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    def rf_layers(self) -> RF:
        return [layer for stage in self.stages for layer in module_rf(stage)]


def build(genome: Genome | str, device: torch.device | str | None = None) -> Net:
    """Instantiate ``genome`` (a Genome or genome string).

    ``device="meta"`` builds without allocating weights: shapes and parameter counts
    are exact and it costs a few milliseconds, which is how candidates are screened.
    """
    if isinstance(genome, str):
        genome = Genome.from_string(genome)
    if device is None:
        return Net(genome)
    with torch.device(device):
        return Net(genome)
