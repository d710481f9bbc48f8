"""fp32 vs bf16 autocast training-step throughput on this CPU, side by side.

Alternates rounds of fp32 and bf16 steps (batch 256 of random images, channels last,
SGD) in one process, so both see the same machine load; prints images/s per round and
the ratio of the best rounds. Usage:

    OMP_NUM_THREADS=1 python scripts/reproduce/bench_amp.py seed004 seed003
"""

from __future__ import annotations

import sys
import time

import torch

from nas.builder import build
from nas.train.memory import keep_freed_memory
from nas.zoo import resolve

ROUNDS, STEPS, BATCH = 3, 4, 256


def rates(name: str) -> dict[bool, list[float]]:
    """Images/s of each round, keyed by bf16 on/off."""
    _, genome = resolve(name)
    net = build(genome).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(BATCH, 3, 32, 32).to(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (BATCH,))

    def step(bf16: bool) -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = torch.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for bf16 in (False, True):  # warm-up: oneDNN picks its kernels
        for _ in range(2):
            step(bf16)
    out: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(ROUNDS):
        for bf16 in (False, True):
            t = time.perf_counter()
            for _ in range(STEPS):
                step(bf16)
            out[bf16].append(STEPS * BATCH / (time.perf_counter() - t))
    return out


def main(names: list[str]) -> None:
    torch.set_num_threads(1)
    keep_freed_memory()
    for name in names:
        r = rates(name)
        print(f"{name}: fp32 img/s {[round(v) for v in r[False]]}, bf16 "
              f"{[round(v) for v in r[True]]}, ratio of best {max(r[True]) / max(r[False]):.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["seed004"])
