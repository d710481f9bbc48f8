"""``export_model``: a trained net as two ONNX files, checked against torch and timed.

Writes ``<arch_id>.onnx`` (static ``1 x C x S x S`` input), ``<arch_id>.dynamic.onnx``
(free batch dimension) and ``<arch_id>.json`` (input spec, normalisation, check and
latency figures). The check runs both files under ONNX Runtime on the same images as
torch: every logit within ``ATOL`` and the same top-1 class on every image.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nas.analysis import analyze
from nas.builder import Net
from nas.deploy.images import CheckImages
from nas.deploy.onnx import OPSET, export_onnx, opset_of, ort_session, run
from nas.deploy.timing import RUNS, WARMUP, Latency, latency, ort_times, summarize
from nas.genome import Genome

ATOL = 1e-4  # largest allowed |logit_onnx - logit_torch|


@dataclass(frozen=True)
class Check:
    """ONNX Runtime against torch on the same images (both ONNX variants)."""

    images: int
    source: str
    max_abs_diff: float  # largest |onnx - torch| over every logit of both variants
    top1_same: int  # images whose top-1 class is identical in torch and both variants

    @property
    def ok(self) -> bool:
        return self.max_abs_diff <= ATOL and self.top1_same == self.images


@dataclass(frozen=True)
class ExportResult:
    """What one export wrote and measured (sizes in bytes, MACs per image)."""

    arch_id: str
    genome: str
    static_path: Path
    dynamic_path: Path
    opset: int
    input_shape: tuple[int, int, int, int]
    params: int
    macs: int
    static_bytes: int
    dynamic_bytes: int
    check: Check
    torch_latency: Latency
    ort_latency: Latency
    mean: tuple[float, ...] | None
    std: tuple[float, ...] | None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(static_path=str(self.static_path), dynamic_path=str(self.dynamic_path),
                 check_ok=self.check.ok, atol=ATOL)
        return d

    def lines(self) -> list[str]:
        """Human summary: files, size, params/MACs, check, latency."""
        c, t, o = self.check, self.torch_latency, self.ort_latency
        shape = "x".join(map(str, self.input_shape))
        verdict = "ok" if c.ok else "FAILED"
        return [
            f"{self.arch_id}: {self.static_path} ({self.static_bytes / 1024:,.1f} KiB, input "
            f"{shape}), {self.dynamic_path.name} ({self.dynamic_bytes / 1024:,.1f} KiB, "
            f"batch free), opset {self.opset}",
            f"  {self.params:,} params, {self.macs:,} MACs per image",
            f"  check on {c.images} images ({c.source}): max |logit diff| "
            f"{c.max_abs_diff:.1e} (limit {ATOL:.0e}), same top-1 on {c.top1_same}/"
            f"{c.images}: {verdict}",
            f"  latency, batch {t.batch}, {t.threads} thread(s), median of {t.runs} "
            f"(p90): torch {t.median_ms:.2f} ms ({t.p90_ms:.2f}), onnxruntime "
            f"{o.median_ms:.2f} ms ({o.p90_ms:.2f})",
        ]


def compare(model: Net, sessions: tuple[Any, Any], images: CheckImages) -> Check:
    """Logits of torch vs the static session (one image per run) and the dynamic one
    (all images in one run)."""
    x = images.x
    with torch.inference_mode():
        ref = model.eval()(x).float().numpy()
    static, dynamic = sessions
    one_by_one = np.concatenate([run(static, x[i:i + 1].numpy()) for i in range(len(x))])
    batched = run(dynamic, x.numpy())
    diff = max(float(np.abs(one_by_one - ref).max()), float(np.abs(batched - ref).max()))
    top = ref.argmax(1)
    same = (one_by_one.argmax(1) == top) & (batched.argmax(1) == top)
    return Check(len(x), images.source, diff, int(same.sum()))


def export_model(model: Net, out: str | Path, images: CheckImages, *, opset: int = OPSET,
                 threads: int = 1, runs: int = RUNS) -> ExportResult:
    """Export ``model`` into ``out`` at the size of ``images``, check and time it.

    Latency is batch 1 with ``threads`` threads, ``runs`` timed runs for each runtime.
    """
    out = Path(out)
    genome = Genome.from_string(model.genome)
    size, chans = int(images.x.shape[-1]), int(images.x.shape[1])
    static = export_onnx(model, out / f"{genome.arch_id}.onnx", size, chans, opset=opset)
    dynamic = export_onnx(model, out / f"{genome.arch_id}.dynamic.onnx", size, chans,
                          dynamic=True, opset=opset)
    sessions = (ort_session(static, threads), ort_session(dynamic, threads))
    check = compare(model, sessions, images)
    ort_ms = ort_times(sessions[0], images.x[:1].numpy(), runs, WARMUP)
    stats = analyze(genome, size)
    result = ExportResult(
        arch_id=genome.arch_id, genome=genome.to_string(), static_path=static,
        dynamic_path=dynamic, opset=opset_of(static), input_shape=(1, chans, size, size),
        params=stats.params, macs=stats.macs, static_bytes=static.stat().st_size,
        dynamic_bytes=dynamic.stat().st_size, check=check,
        torch_latency=latency(model, 1, threads, input_size=size, runs=runs),
        ort_latency=summarize(ort_ms, 1, threads, "onnxruntime", size),
        mean=images.mean, std=images.std)
    (out / f"{genome.arch_id}.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    return result
