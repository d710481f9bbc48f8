"""nas: neural architecture search for small CNNs under a parameter budget.

Public core: ``Genome`` (architecture spec), ``build`` (genome -> torch module) and
``analyze`` (params, MACs, receptive field, shapes without training). Attributes load
lazily so that ``import nas.genome`` stays free of torch (a genome is plain data).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Block": "nas.genome", "Genome": "nas.genome", "GenomeError": "nas.genome",
    "parse": "nas.genome", "build": "nas.builder", "Net": "nas.builder",
    "Analysis": "nas.analysis", "analyze": "nas.analysis", "count_params": "nas.analysis",
    "receptive_field": "nas.analysis", "ZOO": "nas.zoo",
    "load": "nas.io",  # nas.load(path) -> ready model from a retrain's model.pt
    "latency": "nas.deploy", "Latency": "nas.deploy",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nas' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
