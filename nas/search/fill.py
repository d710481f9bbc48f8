"""Budget filling: scale a sampled topology's widths so its size lands in
``[fraction x budget, budget]``.

Without it, random topologies under a budget spread from a few thousand parameters to
the budget, and a search spends its trials comparing nets of very different sizes. With
``--fill 0.85`` every candidate uses 85-100% of what the user pays for, so the search
compares topologies at the size that will be trained. Widths stay multiples of 8.
"""

from __future__ import annotations

from collections.abc import Callable

from nas.genome import Block, Genome

WIDTH_STEP = 8
CHANNEL_KEYS = ("c",)  # block options that are widths (the head's hidden width too)


def scale_widths(genome: Genome, factor: float) -> Genome:
    """Every block's channel count times ``factor``, rounded to a multiple of 8 (>= 8);
    the head's hidden width likewise when present. Topology, kernels, strides unchanged."""
    def width(c: int) -> int:
        return max(WIDTH_STEP, round(c * factor / WIDTH_STEP) * WIDTH_STEP)

    def scaled(b: Block) -> Block:
        values = dict(b.args)
        if b.op != "head" and "c" in values:
            values["c"] = width(values["c"])
        elif b.op == "head" and values.get("h"):
            values["h"] = width(values["h"])
        return Block.make(b.op, **values)

    return Genome(tuple(tuple(scaled(b) for b in s) for s in genome.stages),
                  scaled(genome.head))


def fill(genome: Genome, budget: int, fraction: float,
         params_of: Callable[[Genome], int], steps: int = 24) -> Genome | None:
    """The widest scaling of ``genome`` with params <= ``budget``, if it reaches
    ``fraction x budget``; None when no width multiplier in [1/16, 16] gets there (the
    topology's fixed parts exceed the budget, or the 8-channel rounding skips the band).
    Bisection on the multiplier: params grow monotonically with width."""
    lo, hi = 1 / 16, 16.0
    if params_of(scale_widths(genome, lo)) > budget:
        return None
    best = scale_widths(genome, lo)
    for _ in range(steps):
        mid = (lo * hi) ** 0.5
        g = scale_widths(genome, mid)
        if params_of(g) <= budget:
            lo, best = mid, g
        else:
            hi = mid
    return best if params_of(best) >= fraction * budget else None
