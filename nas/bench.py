"""``nas bench``: training and evaluation throughput of one architecture, and how close
the achieved GFLOP/s come to a large fp32 matmul on the same device (the practical peak).

Training throughput includes batch preparation (crop, flip, normalise) and the full SGD
step of ``nas.train.Stepper``, i.e. exactly what ``nas train`` does per batch. FLOPs are
2 x thop's MACs per image forward, x3 for a training step (backward ~ 2 x forward).
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
    load_avg_1min: float = 0.0  # other jobs on the machine make every figure lower

    @property
    def train_fraction_of_matmul(self) -> float:
        return self.train_gflops / self.matmul_gflops

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "train_fraction_of_matmul": self.train_fraction_of_matmul,
                "eval_fraction_of_matmul": self.eval_gflops / self.matmul_gflops}

    def summary(self) -> str:
        return (f"{self.name} on {self.device} ({self.threads} threads), batch "
                f"{self.batch_size}: train {self.train_images_per_sec:,.0f} img/s "
                f"({self.train_gflops:.1f} GFLOP/s), eval {self.eval_images_per_sec:,.0f} "
                f"img/s ({self.eval_gflops:.1f} GFLOP/s); fp32 matmul "
                f"{self.matmul_gflops:.1f} GFLOP/s, training reaches "
                f"{100 * self.train_fraction_of_matmul:.1f}% of it (load average "
                f"{self.load_avg_1min:.1f})")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_gflops(device: torch.device, n: int = 2048, reps: int = 5) -> float:
    """Best-of-``reps`` GFLOP/s of an n x n fp32 matmul (2 n^3 FLOPs) on ``device``."""
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(reps):
        _sync(device)
        t0 = time.perf_counter()
        torch.mm(a, b)
        _sync(device)
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def train_throughput(stepper: Stepper, loader: TrainLoader, batches: int) -> float:
    """Images/s of ``batches`` training steps (batch preparation included) after warm-up."""
    def stream():
        epoch = 0
        while True:
            yield from loader.epoch(epoch)
            epoch += 1

    it = stream()
    for _ in range(WARMUP):
        stepper.step(*next(it))
    _sync(stepper.device)
    t0 = time.perf_counter()
    n = 0
    for _ in range(batches):
        x, y = next(it)
        stepper.step(x, y)
        n += len(y)
    _sync(stepper.device)
    return n / (time.perf_counter() - t0)


@torch.inference_mode()
def eval_throughput(model: torch.nn.Module, data: Dataset, batch_size: int,
                    batches: int) -> float:
    """Images/s of inference (normalisation included, no TTA) on the training images."""
    model.eval()
    done, n, t0 = 0, 0, 0.0
    while done < batches + WARMUP:
        for x, _ in eval_batches(data, "train", batch_size):
            if done == WARMUP:
                _sync(x.device)
                t0 = time.perf_counter()
            model(x)
            n += len(x) if done >= WARMUP else 0
            done += 1
            if done >= batches + WARMUP:
                break
    _sync(x.device)
    model.train()
    return n / (time.perf_counter() - t0)


def run_bench(model: str, batches: int = 20, batch_size: int = 256,
              device: str | None = None, data: str | None = None) -> BenchResult:
    """Benchmark a zoo name or genome with ``nas train``'s step (the ``full`` preset)."""
    name, genome = resolve(model)
    dev = pick_device(device)
    ds = (load_dataset(data, device=dev) if data else
          make_synthetic(n_train=max(2 * batch_size, 1024), n_val=128, n_test=128,
                         image_size=32, num_classes=10, device=dev))
    genome = genome.replace_head(c=ds.num_classes, i=ds.in_chans)
    config = preset("full", batch_size=batch_size)
    net = build(genome).to(dev, memory_format=torch.channels_last)
    loader = TrainLoader(ds, batch_size, pad=config.pad, cutout=config.cutout)
    stepper = Stepper(net, config, total_steps=batches + WARMUP + 1, device=dev)
    train_ips = train_throughput(stepper, loader, batches)
    eval_ips = eval_throughput(net, ds, batch_size, batches)
    macs = analyze(genome, ds.image_size).macs
    return BenchResult(
        name=name, device=str(dev), threads=torch.get_num_threads(), batch_size=batch_size,
        batches=batches, macs_per_image=macs, train_images_per_sec=train_ips,
        eval_images_per_sec=eval_ips, train_gflops=6 * macs * train_ips / 1e9,
        eval_gflops=2 * macs * eval_ips / 1e9, matmul_gflops=matmul_gflops(dev),
        load_avg_1min=os.getloadavg()[0],
    )
