"""One random edit of a genome: the step of evolution and local search (``--sampler
evolve``), in the spirit of regularized evolution (Real et al. 2019), where a child is
its parent with one thing changed.

Edits read the op schemas, so they stay inside the genome grammar: a width scaled by
3/4 or 5/4 (multiples of 8), a kernel of 3 or 5, squeeze-excitation on or off, an
inverted residual's expansion, a dilation of 1 or 2, a residual shortcut on or off, the
activation, a plain conv swapped for a depthwise-separable one (or back), and one more or
one fewer stride-1 block in a stage (resolution and the stage layout stay as they were).
The head is never edited. Pure Python, like the rest of ``nas.genome``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from nas.genome.genome import Block, Genome, GenomeError

WIDTH_FACTORS = (0.75, 1.25)
KERNELS = (3, 5)
SE_ON = 0.25
EXPANSIONS = (2, 3, 4, 6)
ACTS = ("relu", "silu", "hswish")
SWAP = {"cv": "ds", "ds": "cv"}  # ops with the same options (k c s d b n a se r)

Where = tuple[int, int]  # (stage, block) index


def _blocks(g: Genome, has: Callable[[Block], bool]) -> list[Where]:
    return [(i, j) for i, s in enumerate(g.stages) for j, b in enumerate(s) if has(b)]


def _with(g: Genome, at: Where, block: Block | None, insert: bool = False) -> Genome:
    """``g`` with the block at ``at`` replaced by ``block`` (None: removed; ``insert``:
    ``block`` goes in after it)."""
    i, j = at
    stage = list(g.stages[i])
    if insert:
        stage.insert(j + 1, block)
    elif block is None:
        del stage[j]
    else:
        stage[j] = block
    return Genome((*g.stages[:i], tuple(stage), *g.stages[i + 1:]), g.head)


def _set(b: Block, **values: Any) -> Block:
    return Block.make(b.op, **{**dict(b.args), **values})


def _width(b: Block, rng: random.Random) -> Block | None:
    c = max(8, round(b["c"] * rng.choice(WIDTH_FACTORS) / 8) * 8)
    return None if c == b["c"] else _set(b, c=c)


def _choose(b: Block, key: str, values: tuple[Any, ...], rng: random.Random) -> Block | None:
    others = [v for v in values if v != b[key]]
    return _set(b, **{key: rng.choice(others)}) if others else None


def _swap(b: Block, rng: random.Random) -> Block:
    return Block.make(SWAP[b.op], **dict(b.args))


# name -> (which blocks it applies to, the edit; None when it would change nothing)
EDITS: dict[str, tuple[Callable[[Block], bool],
                       Callable[[Block, random.Random], Block | None]]] = {
    "width": (lambda b: b.get("c") is not None, _width),
    "kernel": (lambda b: b.op != "mp" and b.get("k") is not None,
               lambda b, r: _choose(b, "k", KERNELS, r)),
    "se": (lambda b: b.get("se") is not None,
           lambda b, r: _set(b, se=0.0 if b["se"] else SE_ON)),
    "expand": (lambda b: b.op == "ir", lambda b, r: _choose(b, "e", EXPANSIONS, r)),
    "dilation": (lambda b: isinstance(b.get("d"), int),
                 lambda b, r: _set(b, d=1 if b["d"] > 1 else 2)),
    "residual": (lambda b: b.get("r") is not None, lambda b, r: _set(b, r=not b["r"])),
    "act": (lambda b: b.get("a") is not None, lambda b, r: _choose(b, "a", ACTS, r)),
    "op": (lambda b: b.op in SWAP, _swap),
}
MUTATIONS = (*EDITS, "deeper", "shallower")


def _deeper(g: Genome, rng: random.Random) -> tuple[Genome, str] | None:
    """A copy of one block, at stride 1, right after it."""
    spots = _blocks(g, lambda b: b.get("c") is not None)
    if not spots:
        return None
    at = rng.choice(spots)
    b = g.stages[at[0]][at[1]]
    copy = _set(b, s=1) if b.get("s") is not None else b
    return _with(g, at, copy, insert=True), f"deeper: {copy.to_string()} after stage " \
        f"{at[0] + 1} block {at[1] + 1}"


def _shallower(g: Genome, rng: random.Random) -> tuple[Genome, str] | None:
    """One stride-1 block fewer, in a stage that keeps at least one block."""
    spots = [(i, j) for i, j in _blocks(g, lambda b: b.get("s", 1) == 1)
             if len(g.stages[i]) > 1]
    if not spots:
        return None
    at = rng.choice(spots)
    return _with(g, at, None), f"shallower: without stage {at[0] + 1} block {at[1] + 1} " \
        f"({g.stages[at[0]][at[1]].to_string()})"


def mutate(g: Genome, rng: random.Random, tries: int = 20) -> tuple[Genome, str]:
    """A child of ``g`` one edit away, and what the edit was (``width: stage 2 block 1
    ds_c64 -> ds_c80``). Draws an edit kind, then where; ``tries`` draws before giving up
    (ValueError: nothing in ``g`` can change, e.g. a net of max-pools only)."""
    for _ in range(tries):
        kind = rng.choice(MUTATIONS)
        if kind == "deeper":
            out = _deeper(g, rng)
        elif kind == "shallower":
            out = _shallower(g, rng)
        else:
            applies, edit = EDITS[kind]
            spots = _blocks(g, applies)
            if not spots:
                continue
            at = rng.choice(spots)
            old = g.stages[at[0]][at[1]]
            try:
                new = edit(old, rng)
            except GenomeError:  # an option the other op does not allow (ds n2 -> cv)
                new = None
            out = None if new is None or new == old else (
                _with(g, at, new), f"{kind}: stage {at[0] + 1} block {at[1] + 1} "
                f"{old.to_string()} -> {new.to_string()}")
        if out is not None and out[0] != g:
            return out
    raise ValueError(f"no edit changes genome {g.to_string()!r}")
