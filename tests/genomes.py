"""Random genomes for property tests: every op, small widths so CPU tests stay fast."""

from __future__ import annotations

import random

from nas.genome import ACTIVATIONS, Block, Genome


def random_block(rng: random.Random, allow_global: bool = True) -> Block:
    """One random block; allow_global=False leaves out SE (global pooling)."""
    op = rng.choice(["cv", "ds", "ir", "rb", "aspp", "mp", "dp"])
    c = rng.choice([4, 6, 8])
    k = rng.choice([1, 3, 5])
    se = rng.choice([0, 0.25, 0.5]) if allow_global else 0
    a = rng.choice(ACTIVATIONS)
    s, d = rng.choice([1, 1, 2]), rng.choice([1, 1, 2, 3])
    if op == "cv":
        return Block.make("cv", k=k, c=c, s=s, d=d, b=rng.random() < 0.5, n=rng.choice([0, 1]),
                          a=a, se=se, r=rng.random() < 0.5)
    if op == "ds":
        return Block.make("ds", k=k, c=c, s=s, d=d, b=rng.random() < 0.5, n=rng.choice([0, 1, 2]),
                          a=a, se=se, r=rng.random() < 0.5)
    if op == "ir":
        return Block.make("ir", k=k, c=c, s=s, d=d, e=rng.choice([1, 2, 3]), a=a, se=se,
                          r=rng.random() < 0.5)
    if op == "rb":
        return Block.make("rb", k=rng.choice([1, 3]), c=c, s=s, d=d, b=rng.random() < 0.5,
                          x=rng.random() < 0.5, a=a, se=se)
    if op == "aspp":
        return Block.make("aspp", c=c, d=tuple(rng.sample([1, 2, 3, 4], rng.randint(1, 3))),
                          x=rng.random() < 0.5, a=a)
    if op == "mp":
        return Block.make("mp", k=rng.choice([2, 3]), s=2)
    return Block.make("dp", p=rng.choice([0.0, 0.2]))


def random_genome(seed: int, allow_global: bool = True, max_stages: int = 3) -> Genome:
    rng = random.Random(seed)
    stages = tuple(
        tuple(random_block(rng, allow_global) for _ in range(rng.randint(1, 2)))
        for _ in range(rng.randint(1, max_stages))
    )
    head = Block.make("head", c=rng.choice([2, 5, 10]), h=rng.choice([0, 7]),
                      p=rng.choice([0.0, 0.1]), i=rng.choice([1, 3]))
    return Genome(stages, head)
