"""ONNX files from built nets, and ONNX Runtime sessions to check and time them.

The exporter is torch's ``torch.export``-based one (``dynamo=True``, the default since
PyTorch 2.9; the TorchScript exporter is deprecated). Files are self-contained (weights
inside, no external data: these nets are well under 2 GB) and checked by ``onnx.checker``.
"""

from __future__ import annotations

import copy
import importlib
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nas.errors import NasError

OPSET = 18  # the lowest opset torch's exporter targets natively: the widest runtime support
INPUT, OUTPUT = "input", "logits"
PACKAGES = ("onnx", "onnxscript", "onnxruntime")


def missing_packages() -> list[str]:
    """The optional export packages that cannot be imported here."""
    missing = []
    for name in PACKAGES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def require() -> None:
    """Raise a one-line ``NasError`` naming the fix when the export extra is missing."""
    missing = missing_packages()
    if missing:
        raise NasError(f"ONNX export needs {', '.join(missing)}: "
                       "pip install -e '.[export]' (or pip install onnx onnxscript onnxruntime)")


def export_onnx(model: nn.Module, path: str | Path, input_size: int, in_chans: int = 3, *,
                dynamic: bool = False, opset: int = OPSET) -> Path:
    """Write ``model`` (eval mode) as ONNX with float32 NCHW input ``input``.

    Static: input exactly ``1 x C x S x S`` (what microcontroller toolchains want).
    ``dynamic``: batch dimension ``batch`` free, height and width fixed. The caller's model
    is not modified (a copy is exported).
    """
    import onnx

    if not OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise NasError(f"--opset {opset}: torch's exporter writes opsets {OPSET} to "
                       f"{onnx.defs.onnx_opset_version()} (this onnx package's newest)")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    net = copy.deepcopy(model).cpu().eval().to(memory_format=torch.contiguous_format)
    example = torch.zeros(2 if dynamic else 1, in_chans, input_size, input_size)
    shapes = ({0: torch.export.Dim("batch", min=1)},) if dynamic else None
    with warnings.catch_warnings():  # the exporter's deprecation/trace chatter
        warnings.simplefilter("ignore")
        program = torch.onnx.export(net, (example,), dynamo=True, opset_version=opset,
                                    input_names=[INPUT], output_names=[OUTPUT],
                                    dynamic_shapes=shapes, verbose=False)
        program.save(str(path), external_data=False)
    onnx.checker.check_model(str(path))
    if opset_of(path) != opset:  # the exporter's version conversion fell back silently
        raise NasError(f"--opset {opset}: the exporter wrote opset {opset_of(path)} instead")
    return path


def ort_session(path: str | Path, threads: int = 1) -> Any:
    """An ONNX Runtime CPU session: ``threads`` intra-op threads, sequential, all graph
    optimisations (what a deployment would use)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3  # errors only
    try:
        return ort.InferenceSession(str(path), sess_options=opts,
                                    providers=["CPUExecutionProvider"])
    except Exception as e:  # e.g. an opset newer than this onnxruntime knows
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise NasError(f"onnxruntime {ort.__version__} cannot load {path}: {first}") from e


def run(session: Any, x: Any) -> Any:
    """Logits (numpy float32) of ``session`` on the float32 NCHW array ``x``."""
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def opset_of(path: str | Path) -> int:
    """The default-domain opset version recorded in an ONNX file."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    return next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
