"""Seeds 003/004's family, for quick runs: a two-block stem, three two-block stages that
downsample with a strided conv (in either block; stage 3 may keep its resolution, as
seed 003 does), plain / separable / dilated / 1x1 convs with biases, ReLU, GAP and a
light dropout.

Seed 003 itself is a sample of this space at a 220k budget (see the tests), seed 004 is
close; the widths scale with the budget like the default space's.
"""

from __future__ import annotations

from nas.genome import Block, Genome
from nas.search.space_registry import Chooser, register, width_scale, widths

DESCRIPTION = "seed 003/004 family (cv/ds/dilated, strided-conv downsampling): quick runs"

REF_PARAMS = 220_000  # budget (params) at which the base widths below apply
STEM = (16, 24)
STEM2 = (24, 32)
STAGES = ((32, 48, 64), (48, 64, 96), (64, 96, 128))


STRIDE_AT = {2: ("b1", "b2"), 3: ("b1", "b2", "none"), 4: ("b1", "b2")}


def _block(t: Chooser, p: str, c: int, stride: int, ops: tuple[str, ...]) -> Block:
    op = t.suggest_categorical(f"{p}_op", ops)
    if op == "dil":
        return Block.make("cv", c=c, s=stride, d=2, b=True)
    if op == "pw":
        return Block.make("cv", k=1, c=c, s=stride, b=True)
    return Block.make(op, c=c, s=stride, b=True)


@register(DESCRIPTION)
def sample(t: Chooser, budget: int) -> Genome:
    """A genome whose widths suit ``budget`` (params)."""
    scale = width_scale(budget, REF_PARAMS)
    c1 = t.suggest_categorical("s1_c", widths(STEM, scale))
    c2 = t.suggest_categorical("s1_b2_c", widths(STEM2, scale))
    stages = [(Block.make("cv", c=c1, b=True), Block.make("ds", c=c2, b=True))]
    for i, base in enumerate(STAGES, start=2):
        c = t.suggest_categorical(f"s{i}_c", widths(base, scale))
        at = t.suggest_categorical(f"s{i}_stride_at", STRIDE_AT[i])
        b1 = _block(t, f"s{i}_b1", c, 2 if at == "b1" else 1, ("ds", "cv"))
        b2 = _block(t, f"s{i}_b2", c, 2 if at == "b2" else 1, ("pw", "ds", "dil", "cv"))
        stages.append((b1, b2))
    head = Block.make("head", p=t.suggest_categorical("head_p", (0.0, 0.05, 0.1)))
    return Genome(tuple(stages), head)
