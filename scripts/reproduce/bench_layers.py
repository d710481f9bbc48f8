"""What two exact changes to the layers (nas/blocks/layers.py) buy a search's candidates:
SiLU/hard-swish out of place (no autograd clone of their input) and `DilatedConv2d`
(skip the kernel taps a dilation puts wholly in the zero padding).

Images per CPU-second of `nas train`'s step (channels_last, batch 256, SGD Nesterov,
label smoothing; random images, no data loading) for every trained candidate of a
`nas report` trials.csv, in three variants measured in alternating rounds (best round of
each): `before` (in-place activations, plain nn.Conv2d), `+act` (out of place), `+taps`
(both: the code as it is). The last line weights each candidate by the images it trained.

    OMP_NUM_THREADS=1 python scripts/reproduce/bench_layers.py results/search/b-200k-s0/trials.csv

Ratios come from one run, side by side; absolute rates need a quiet machine.
"""

from __future__ import annotations

import argparse

import pandas as pd
import torch
from profile_step import make_step, rate, seeded_build  # this folder's
from torch import nn

from nas.blocks.layers import DilatedConv2d
from nas.train.memory import keep_freed_memory

VARIANTS = ("before", "+act", "+taps")
SKIP_TAPS = DilatedConv2d.forward


def set_variant(net: nn.Module, variant: str) -> None:
    """Switch ``net`` (and the DilatedConv2d class) to ``variant`` of VARIANTS."""
    for m in net.modules():
        if isinstance(m, (nn.SiLU, nn.Hardswish)):
            m.inplace = variant == "before"
    skip = variant == "+taps"
    DilatedConv2d.forward = SKIP_TAPS if skip else nn.Conv2d.forward  # type: ignore[method-assign]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trials", help="trials.csv of `nas report` (trial, genome, images columns)")
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=2, help="timed steps per round")
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(1)
    keep_freed_memory()  # as nas train does: glibc keeps the freed activations
    t = pd.read_csv(args.trials)
    t = t[t["images"].fillna(0) > 0]
    rows = []
    for trial, genome, images in zip(t["trial"], t["genome"], t["images"], strict=True):
        net = seeded_build(genome)
        step = make_step(net, args.batch)
        best = dict.fromkeys(VARIANTS, 0.0)
        for _ in range(args.rounds):
            for v in VARIANTS:
                set_variant(net, v)
                step()  # warm-up: this variant's oneDNN primitives
                best[v] = max(best[v], rate(step, args.batch, args.steps))
        rows.append({"trial": trial, "images": images, **best})
        print(f"trial {trial:4d} {images:>9,.0f} images  " + "  ".join(
            f"{v} {best[v]:5.0f}" for v in VARIANTS) + f" images/CPU-s  "
            f"x{best['+taps'] / best['before']:.2f}", flush=True)
    DilatedConv2d.forward = SKIP_TAPS  # type: ignore[method-assign]  # the code as it is
    df = pd.DataFrame(rows)
    hours = {v: (df["images"] / df[v]).sum() / 3600 for v in VARIANTS}
    print(f"{len(df)} candidates, {df['images'].sum():,.0f} images; CPU-hours of training "
          "steps: " + ", ".join(f"{v} {h:.2f}" for v, h in hours.items())
          + f" (x{hours['before'] / hours['+act']:.2f} from +act, "
          f"x{hours['before'] / hours['+taps']:.2f} from both)")


if __name__ == "__main__":
    main()
