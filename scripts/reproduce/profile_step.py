"""Where a training step's time goes, for one architecture (zoo name or genome string):
images per CPU-second of `nas train`'s step (channels_last, SGD Nesterov, label
smoothing; random images, so no data loading) and torch.profiler's top operators.

    OMP_NUM_THREADS=1 python scripts/reproduce/profile_step.py seed004 [--batch 256] \
        [--compile] [--nchw]

``--compile`` also times the same step under ``torch.compile``, ``--nchw`` in the
contiguous (NCHW) memory format instead of channels_last, alternating rounds with the
eager step (ratios side by side in one run; absolute figures need a quiet machine).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch
from torch import nn

from nas.builder import build
from nas.zoo import resolve


def make_step(net: nn.Module, batch: int, compiled: bool = False,
              fmt: torch.memory_format = torch.channels_last) -> Callable[[], None]:
    """One training step of ``net`` (moved to ``fmt``) on a fixed random batch."""
    net = net.to(memory_format=fmt)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    x = torch.randn(batch, 3, 32, 32).to(memory_format=fmt)
    y = torch.randint(0, 10, (batch,))

    def loss() -> torch.Tensor:
        return nn.functional.cross_entropy(net(x), y, label_smoothing=0.1)

    forward = torch.compile(loss) if compiled else loss

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        forward().backward()
        opt.step()

    return step


def seeded_build(genome: str) -> nn.Module:
    """The net of ``genome`` with seed-0 weights, so every variant times the same net."""
    torch.manual_seed(0)
    return build(genome)


def rate(step: Callable[[], None], batch: int, steps: int) -> float:
    """Images per CPU-second over ``steps`` steps."""
    t = time.process_time()
    for _ in range(steps):
        step()
    return batch * steps / (time.process_time() - t)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="zoo name or genome string")
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=3, help="timed steps per round")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--compile", action="store_true", help="also time torch.compile")
    p.add_argument("--nchw", action="store_true",
                   help="also time the eager step in the NCHW (contiguous) memory format")
    p.add_argument("--rows", type=int, default=15, help="profiler rows")
    a = p.parse_args()
    genome = str(resolve(a.model)[1])
    steps = {"eager": make_step(seeded_build(genome), a.batch)}
    if a.nchw:
        steps["eager NCHW"] = make_step(seeded_build(genome), a.batch, False,
                                        torch.contiguous_format)
    if a.compile:
        steps["compiled"] = make_step(seeded_build(genome), a.batch, True)
        t = time.time()
        steps["compiled"]()
        print(f"compile: {time.time() - t:.1f} s")
    for s in steps.values():
        s()
        s()  # warm-up
    rates: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(a.rounds):
        for k, s in steps.items():
            rates[k].append(rate(s, a.batch, a.steps))
    for k, r in rates.items():
        print(f"{k}: images per CPU-second by round {[round(v) for v in r]}, best {max(r):.0f}")
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for _ in range(2):
            steps["eager"]()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=a.rows))


if __name__ == "__main__":
    main()
