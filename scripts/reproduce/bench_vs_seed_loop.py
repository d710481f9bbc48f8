"""Seed-style training loop vs ours, side by side in one process, images/s and the ratio.

Seed style (what the seed repositories do): a torchvision ``DataLoader`` over PIL images
with ``RandomCrop(32, padding=4) + RandomHorizontalFlip + ToTensor + Normalize``,
2 workers, batch 128, fp32 NCHW, a plain ``SGD(momentum=0.9)`` step.
Ours: ``nas.train.Stepper`` fed by ``nas.data.TrainLoader`` (batched uint8 augmentation on
the device, channels_last, our default batch size), i.e. exactly a ``nas train`` step.

Both loops use the first 45,000 training images of $NAS_CIFAR10_NPZ (or --data; synthetic
32px images without either), time ``--batches`` steps after ``--warmup`` steps, and
alternate ``--rounds`` times so that load from other processes hits both alike; the best
round of each is reported (the least disturbed measurement). Besides images/s (wall
clock) it reports images per CPU-second (all threads and the loader's worker processes),
which other jobs on a shared machine disturb much less.

    python scripts/reproduce/bench_vs_seed_loop.py --models seed003 seed004 --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import time

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader
from torchvision import transforms

from nas.bench import train_throughput
from nas.builder import build
from nas.data import Dataset, TrainLoader, load_dataset, make_synthetic
from nas.train import Stepper, preset
from nas.zoo import resolve

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


class PilDataset(torch.utils.data.Dataset):
    """What ``torchvision.datasets.CIFAR10`` does per item: PIL image, then transforms."""

    def __init__(self, x: np.ndarray, y: np.ndarray, transform: transforms.Compose) -> None:
        self.x, self.y, self.transform = x, y, transform

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int):
        return self.transform(Image.fromarray(self.x[i])), int(self.y[i])


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def seed_loop(genome, data: Dataset, batches: int, warmup: int) -> tuple[float, float]:
    """(images/s, images per CPU-second) of the seed-style loop, data loading included.

    The workers' CPU time is known once they exit; it is scaled by timed / produced
    batches (warm-up, timed and the 2 x 2 prefetched ones) to charge only the timed part.
    """
    tf = transforms.Compose([transforms.RandomCrop(32, padding=4),
                             transforms.RandomHorizontalFlip(), transforms.ToTensor(),
                             transforms.Normalize(MEAN, STD)])
    ds = PilDataset(data.x_train.numpy(), data.y_train.numpy(), tf)
    loader = DataLoader(ds, batch_size=128, shuffle=True, num_workers=2, drop_last=True)
    model = build(genome)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    kids0 = _children_cpu()
    it = iter(loader)
    n, t0, c0 = 0, 0.0, 0.0
    for i in range(warmup + batches):
        if i == warmup:
            t0, c0 = time.perf_counter(), time.process_time()
        x, y = next(it)
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        n += len(y) if i >= warmup else 0
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    it._shutdown_workers()  # join the workers so that their CPU time is counted
    del it
    workers = (_children_cpu() - kids0) * batches / (warmup + batches + 4)
    return n / wall, n / (cpu + workers)


def our_loop(genome, data: Dataset, batches: int, batch_size: int,
             channels_last: bool) -> tuple[float, float]:
    """(images/s, images per CPU-second) of ``nas train``'s step and batch preparation."""
    config = preset("full", batch_size=batch_size, channels_last=channels_last)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = build(genome).to(memory_format=fmt)
    loader = TrainLoader(data, batch_size, channels_last=channels_last)
    stepper = Stepper(model, config, total_steps=10**6, device=torch.device("cpu"))
    return train_throughput(stepper, loader, batches)


def _data(spec: str | None) -> Dataset:
    spec = spec or os.environ.get("NAS_CIFAR10_NPZ")
    if spec:
        return load_dataset(spec)
    return make_synthetic(n_train=8192, n_val=256, n_test=256, image_size=32, num_classes=10)


def _cpu() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        return next(line.split(":", 1)[1].strip() for line in out.splitlines()
                    if line.startswith("Model name"))
    except (OSError, StopIteration):
        return platform.processor()


def _row(name: str, seed: list[tuple[float, float]],
         ours: list[tuple[float, float]]) -> dict:
    """Best round of each loop (least disturbed by other processes) and the ratios."""
    s_wall, s_cpu = max(r[0] for r in seed), max(r[1] for r in seed)
    o_wall, o_cpu = max(r[0] for r in ours), max(r[1] for r in ours)
    return {"model": name, "seed_images_per_sec": s_wall, "ours_images_per_sec": o_wall,
            "ratio": o_wall / s_wall, "seed_images_per_cpu_sec": s_cpu,
            "ours_images_per_cpu_sec": o_cpu, "cpu_ratio": o_cpu / s_cpu,
            "seed_rounds": seed, "ours_rounds": ours}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", nargs="+", default=["seed003", "seed004"])
    p.add_argument("--batches", type=int, default=20, help="timed steps per round")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=preset("full").batch_size,
                   help="our batch size (the seed loop always uses 128)")
    p.add_argument("--no-channels-last", action="store_true")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    p.add_argument("--our-threads", type=int, default=None,
                   help="torch threads for our loop only (default: as --threads)")
    p.add_argument("--data", default=None)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    data = _data(a.data)
    rows = []
    for name in a.models:
        genome = resolve(name)[1].replace_head(c=data.num_classes, i=data.in_chans)
        seed, ours = [], []
        for _ in range(a.rounds):
            seed.append(seed_loop(genome, data, a.batches, a.warmup))
            before = torch.get_num_threads()
            torch.set_num_threads(a.our_threads or before)
            ours.append(our_loop(genome, data, a.batches, a.batch_size,
                                 not a.no_channels_last))
            torch.set_num_threads(before)
        row = _row(name, seed, ours)
        rows.append(row)
        if not a.json:
            print(f"{name}: seed-style {row['seed_images_per_sec']:7.1f} img/s, ours "
                  f"{row['ours_images_per_sec']:7.1f} img/s, ratio {row['ratio']:.2f}x; per "
                  f"CPU-second {row['cpu_ratio']:.2f}x  (rounds: seed "
                  f"{[round(s[0]) for s in seed]}, ours {[round(o[0]) for o in ours]})",
                  flush=True)
    meta = {"cpu": _cpu(), "threads": torch.get_num_threads(),
            "our_threads": a.our_threads or torch.get_num_threads(), "batch_size": a.batch_size,
            "channels_last": not a.no_channels_last, "batches": a.batches,
            "load_avg_1min": os.getloadavg()[0]}
    if a.json:
        print(json.dumps({**meta, "results": rows}))
    else:
        print(json.dumps(meta))


if __name__ == "__main__":
    main()
