"""``latency(genome_or_model)``: forward-pass wall time on this CPU, as a usable constraint.

A budget needs a number that repeats: the model is warmed up first (allocator, oneDNN
kernel selection, ONNX Runtime's graph optimisation), then timed for a *fixed* number of
runs with the garbage collector off, and the median (robust to the odd preempted run) and
the 90th percentile are reported in milliseconds. Threads are pinned (default 1) because a
deployment target's core count, not this machine's, is what the budget is about.
Background load on the machine still shifts every figure: measure on a quiet machine.
"""

from __future__ import annotations

import copy
import gc
import math
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nas.builder import build
from nas.errors import NasError
from nas.genome import Genome
from nas.zoo import resolve

RUNTIMES = ("torch", "onnxruntime")
RUNS = 50  # timed forward passes: enough for a stable median, seconds for these nets
WARMUP = 10  # untimed passes first


@dataclass(frozen=True)
class Latency:
    """Wall time of one forward pass of ``batch`` images, in milliseconds."""

    median_ms: float
    p90_ms: float
    batch: int
    threads: int
    runs: int
    runtime: str
    input_size: int

    @property
    def per_image_ms(self) -> float:
        """Median milliseconds per image (throughput view of a batched pass)."""
        return self.median_ms / self.batch

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def as_model(genome_or_model: Genome | str | nn.Module) -> tuple[nn.Module, int]:
    """A module and its input channels from a Genome, genome string, zoo name or module.

    Built genomes get random weights: the time of a forward pass does not depend on them.
    """
    if isinstance(genome_or_model, nn.Module):
        g = getattr(genome_or_model, "genome", None)
        chans = Genome.from_string(g).head["i"] if isinstance(g, str) else 3
        return genome_or_model, int(chans)
    if isinstance(genome_or_model, str):
        genome_or_model = resolve(genome_or_model)[1]
    return build(genome_or_model), int(genome_or_model.head["i"])


def _check(batch: int, threads: int, runs: int, warmup: int, runtime: str,
           input_size: int) -> None:
    if runtime not in RUNTIMES:
        raise NasError(f"runtime {runtime!r}: expected one of {', '.join(RUNTIMES)}")
    for name, value, low in (("batch", batch, 1), ("threads", threads, 1), ("runs", runs, 1),
                             ("warmup", warmup, 0), ("input_size", input_size, 8)):
        if not isinstance(value, int) or value < low:
            raise NasError(f"{name} must be an integer >= {low}, got {value!r}")


def time_runs(fn: Callable[[], Any], runs: int, warmup: int) -> list[float]:
    """Milliseconds of each of ``runs`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter_ns()
            fn()
            times.append((time.perf_counter_ns() - t0) / 1e6)
    finally:
        if gc_was_on:
            gc.enable()
    return times


def summarize(times: list[float], batch: int, threads: int, runtime: str,
              input_size: int) -> Latency:
    """Median and nearest-rank 90th percentile of ``times`` (ms)."""
    ordered = sorted(times)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return Latency(statistics.median(ordered), p90, batch, threads, len(times), runtime,
                   input_size)


def _torch_times(model: nn.Module, xs: list[torch.Tensor], threads: int, runs: int,
                 warmup: int) -> list[list[float]]:
    """channels_last, as in training: 2-4x faster for these nets on CPU than NCHW."""
    net = copy.deepcopy(model).cpu().eval().to(memory_format=torch.channels_last)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with torch.inference_mode():
            out = []
            for x in xs:
                x = x.contiguous(memory_format=torch.channels_last)
                out.append(time_runs(lambda x=x: net(x), runs, warmup))
            return out
    finally:
        torch.set_num_threads(before)


def _onnxruntime_times(model: nn.Module, xs: list[torch.Tensor], threads: int, runs: int,
                       warmup: int) -> list[list[float]]:
    """Exports one dynamic-batch ONNX file to a temp dir and times ONNX Runtime on it."""
    from nas.deploy.onnx import export_onnx, ort_session, require

    require()
    x0 = xs[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = export_onnx(model, Path(tmp) / "m.onnx", x0.shape[-1], x0.shape[1], dynamic=True)
        session = ort_session(path, threads)
    return [ort_times(session, x.numpy(), runs, warmup) for x in xs]


def ort_times(session: Any, x: Any, runs: int, warmup: int) -> list[float]:
    """Milliseconds per ``session.run`` on the float32 NCHW array ``x``."""
    feed = {session.get_inputs()[0].name: x}
    return time_runs(lambda: session.run(None, feed), runs, warmup)


def latencies(genome_or_model: Genome | str | nn.Module, batches: Sequence[int] = (1,),
              threads: int = 1, *, input_size: int = 32, runs: int = RUNS,
              warmup: int = WARMUP, runtime: str = "torch") -> list[Latency]:
    """``latency`` at several batch sizes, building (or exporting) the model once."""
    if not batches:
        raise NasError("batches must name at least one batch size")
    for batch in batches:
        _check(batch, threads, runs, warmup, runtime, input_size)
    model, chans = as_model(genome_or_model)
    gen = torch.Generator().manual_seed(0)
    xs = [torch.randn(b, chans, input_size, input_size, generator=gen) for b in batches]
    timer = _torch_times if runtime == "torch" else _onnxruntime_times
    all_times = timer(model, xs, threads, runs, warmup)
    return [summarize(t, b, threads, runtime, input_size)
            for t, b in zip(all_times, batches, strict=True)]


def latency(genome_or_model: Genome | str | nn.Module, batch: int = 1, threads: int = 1, *,
            input_size: int = 32, runs: int = RUNS, warmup: int = WARMUP,
            runtime: str = "torch") -> Latency:
    """Median and p90 milliseconds of one forward pass of ``batch`` images on this CPU.

    ``genome_or_model``: a Genome, genome string, zoo name or torch module (not modified).
    ``runtime`` is ``torch`` (eager, channels_last, inference mode) or ``onnxruntime``
    (the model exported to ONNX, CPU provider, all graph optimisations; needs the
    ``export`` extra). ``threads`` pins intra-op threads; the input is a fixed random
    ``batch x C x input_size x input_size`` float32 tensor.
    """
    return latencies(genome_or_model, (batch,), threads, input_size=input_size, runs=runs,
                     warmup=warmup, runtime=runtime)[0]
