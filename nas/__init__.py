"""nas: neural architecture search for small CNNs under a parameter budget.

Public core: ``Genome`` (architecture spec), ``build`` (genome -> torch module) and
``analyze`` (params, MACs, receptive field, shapes without training). Attributes load
lazily so that ``import nas.genome`` stays free of torch (a genome is plain data).

Structure map, lowest layer first; a package imports only its own layer and those below
(function-level imports included), and no import loop exists between packages or modules
(tests/test_layers.py checks both from the source):

1. base: ``errors``, ``interrupts``, ``significance`` (Welch's test), ``nondominated``
   (the one non-dominated sort), ``lcurve`` (learning-curve recipes and predictors of the
   final accuracy, numpy only); no torch.
2. genome: ``genome``, ``zoo`` (plain data: no torch, no Optuna).
3. model: ``blocks``, ``builder``, ``io`` (torch modules built from genomes, and loaded from files).
4. analysis: ``analysis`` (static figures: params, MACs, receptive field, block caches).
5. training: ``data``, ``train``, ``zerocost``, ``bench``. Layers 1-5 import no Optuna.
6. study: ``study`` (Optuna's storage, records, Pareto fronts; the only code importing
   Optuna's private modules; no torch).
7. deploy: ``deploy`` (export and latency of a built net; reads studies).
8. search: ``search`` (drives Optuna: spaces, screening, evaluators, the run loop).
9. apps: ``retrain``, ``report``, ``fidelity``, ``dashboard``, ``curves``, ``searchbench``.
10. cli: ``cli``, ``__main__`` (thin: parse, call one layer-9 or lower function, print).
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
