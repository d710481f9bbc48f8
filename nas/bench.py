"""``nas bench``: training and evaluation throughput of one architecture, and how close
the achieved GFLOP/s come to a large fp32 matmul on the same device (the practical peak).

Training throughput includes batch preparation (crop, flip, normalise) and the full SGD
step of ``nas.train.Stepper``, i.e. exactly what ``nas train`` does per batch. FLOPs are
2 x thop's MACs per image forward, x3 for a training step (backward ~ 2 x forward).

Every rate is given per wall-clock second and per CPU-second of this process (all its
threads). On a machine shared with other jobs the wall-clock figures drop with the load;
the per-CPU-second ones much less, and with one thread they measure per-core efficiency.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from typing import Any

import torch

from nas.analysis import analyze
from nas.builder import build
from nas.data import Dataset, TrainLoader, eval_batches, load_dataset, make_synthetic
from nas.train.config import preset
from nas.train.device import pick_device
from nas.train.memory import keep_freed_memory
from nas.train.step import Stepper
from nas.zoo import resolve

WARMUP = 3  # batches run before timing (allocator, oneDNN kernel choice, cuDNN autotune)


@dataclass(frozen=True)
class BenchResult:
    """Throughputs in images/s, compute rates in GFLOP/s (10^9 floating-point ops/s)."""

    name: str
    device: str
    threads: int
    batch_size: int
    batches: int
    macs_per_image: int
    train_images_per_sec: float
    eval_images_per_sec: float
    train_gflops: float
    eval_gflops: float
    matmul_gflops: float
    train_images_per_cpu_sec: float = 0.0
    eval_images_per_cpu_sec: float = 0.0
    matmul_gflops_per_cpu_sec: float = 0.0
    load_avg_1min: float = 0.0  # other jobs on the machine make every figure lower

    @property
    def train_fraction_of_matmul(self) -> float:
        return self.train_gflops / self.matmul_gflops

    @property
    def train_cpu_fraction_of_matmul(self) -> float:
        """Training GFLOP per CPU-second over the matmul's: the load-robust efficiency."""
        flops = 6 * self.macs_per_image * self.train_images_per_cpu_sec / 1e9
        return flops / self.matmul_gflops_per_cpu_sec

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "train_fraction_of_matmul": self.train_fraction_of_matmul,
                "eval_fraction_of_matmul": self.eval_gflops / self.matmul_gflops,
                "train_cpu_fraction_of_matmul": self.train_cpu_fraction_of_matmul}

    def summary(self) -> str:
        return (f"{self.name} on {self.device} ({self.threads} threads), batch "
                f"{self.batch_size}: train {self.train_images_per_sec:,.0f} img/s "
                f"({self.train_gflops:.1f} GFLOP/s), eval {self.eval_images_per_sec:,.0f} "
                f"img/s ({self.eval_gflops:.1f} GFLOP/s); fp32 matmul "
                f"{self.matmul_gflops:.1f} GFLOP/s, training reaches "
                f"{100 * self.train_fraction_of_matmul:.1f}% of it "
                f"({100 * self.train_cpu_fraction_of_matmul:.1f}% per CPU-second; load "
                f"average {self.load_avg_1min:.1f})")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class Timer:
    """Wall-clock and process CPU seconds since ``start()`` (device synchronised)."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.start()

    def start(self) -> None:
        _sync(self.device)
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def rates(self, work: float) -> tuple[float, float]:
        """(work per second, work per CPU-second)."""
        _sync(self.device)
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        return work / wall, work / max(cpu, 1e-9)


def matmul_gflops(device: torch.device, n: int = 2048, reps: int = 5) -> tuple[float, float]:
    """Best-of-``reps`` (GFLOP/s, GFLOP per CPU-second) of an n x n fp32 matmul (2 n^3 FLOPs)."""
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    torch.mm(a, b)
    best, best_cpu = 0.0, 0.0
    for _ in range(reps):
        t = Timer(device)
        torch.mm(a, b)
        wall, cpu = t.rates(2 * n**3 / 1e9)
        best, best_cpu = max(best, wall), max(best_cpu, cpu)
    return best, best_cpu


def train_throughput(stepper: Stepper, loader: TrainLoader,
                     batches: int) -> tuple[float, float]:
    """(images/s, images per CPU-second) of ``batches`` training steps (batch preparation
    included) after warm-up."""
    def stream():
        epoch = 0
        while True:
            yield from loader.epoch(epoch)
            epoch += 1

    it = stream()
    for _ in range(WARMUP):
        stepper.step(*next(it))
    t = Timer(stepper.device)
    n = 0
    for _ in range(batches):
        x, y = next(it)
        stepper.step(x, y)
        n += len(y)
    return t.rates(n)


@torch.inference_mode()
def eval_throughput(model: torch.nn.Module, data: Dataset, batch_size: int,
                    batches: int, dtype: torch.dtype | None = None) -> tuple[float, float]:
    """(images/s, images per CPU-second) of inference (normalisation included, no TTA),
    under autocast to ``dtype`` if given (as ``nas.train.evaluate`` does)."""
    model.eval()
    done, n, t = 0, 0, Timer(data.device)
    while done < batches + WARMUP:
        for x, _ in eval_batches(data, "train", batch_size):
            if done == WARMUP:
                t.start()
            with torch.autocast(data.device.type, dtype=dtype, enabled=dtype is not None):
                model(x)
            n += len(x) if done >= WARMUP else 0
            done += 1
            if done >= batches + WARMUP:
                break
    model.train()
    return t.rates(n)


def run_bench(model: str, batches: int = 20, batch_size: int = 256,
              device: str | None = None, data: str | None = None,
              amp: str = "auto") -> BenchResult:
    """Benchmark a zoo name or genome with ``nas train``'s step (the ``full`` preset,
    mixed precision ``amp``: see ``nas.train.device.amp_dtype``)."""
    name, genome = resolve(model)
    dev = pick_device(device)
    if dev.type == "cpu":
        keep_freed_memory()  # as train() does
    ds = (load_dataset(data, device=dev) if data else
          make_synthetic(n_train=max(2 * batch_size, 1024), n_val=128, n_test=128,
                         image_size=32, num_classes=10, device=dev))
    genome = genome.replace_head(c=ds.num_classes, i=ds.in_chans)
    config = preset("full", batch_size=batch_size, amp=amp)
    net = build(genome).to(dev, memory_format=torch.channels_last)
    loader = TrainLoader(ds, batch_size, pad=config.pad, cutout=config.cutout)
    stepper = Stepper(net, config, total_steps=batches + WARMUP + 1, device=dev)
    train_ips, train_cpu = train_throughput(stepper, loader, batches)
    eval_ips, eval_cpu = eval_throughput(net, ds, batch_size, batches, stepper.dtype)
    mm, mm_cpu = matmul_gflops(dev)
    macs = analyze(genome, ds.image_size).macs
    return BenchResult(
        name=name, device=str(dev), threads=torch.get_num_threads(), batch_size=batch_size,
        batches=batches, macs_per_image=macs, train_images_per_sec=train_ips,
        eval_images_per_sec=eval_ips, train_gflops=6 * macs * train_ips / 1e9,
        eval_gflops=2 * macs * eval_ips / 1e9, matmul_gflops=mm,
        train_images_per_cpu_sec=train_cpu, eval_images_per_cpu_sec=eval_cpu,
        matmul_gflops_per_cpu_sec=mm_cpu, load_avg_1min=os.getloadavg()[0],
    )
