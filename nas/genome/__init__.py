"""Architecture specs (pure Python: no torch, no Optuna)."""

from nas.genome.genome import Block, Genome, GenomeError, parse
from nas.genome.schema import ACTIVATIONS, HEAD, OPS, OpSchema, Option

__all__ = ["ACTIVATIONS", "HEAD", "OPS", "Block", "Genome", "GenomeError", "OpSchema", "Option",
           "parse"]
