"""nas: neural architecture search for small CNNs under a parameter budget.

Public core: ``Genome`` (architecture spec), ``build`` (genome -> torch module) and
``analyze`` (params, MACs, receptive field, shapes without training).
"""

from nas.analysis import Analysis, analyze, count_params, receptive_field
from nas.builder import Net, build
from nas.genome import Block, Genome, GenomeError, parse
from nas.zoo import ZOO

__all__ = ["ZOO", "Analysis", "Block", "Genome", "GenomeError", "Net", "analyze", "build",
           "count_params", "parse", "receptive_field"]
