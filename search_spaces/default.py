"""Every documented block: conv / separable / dilated / MBConv ops, SE, residuals,
activation, depth and width per stage, stride-conv or max-pool downsampling, optional
ASPP, head width and dropout.

Layout: a stem stage (``s1``, full resolution) then 3 or 4 stages (``s2``..``s5``), each
halving the resolution in its first block (stride-2 block) or with a max-pool before
it, then the head (global average pooling). The seed nets share this outline but not
all of its rules: seed000 and seed001 run their first stage after the stem at full
resolution and seed002 never downsamples, which stages that always halve cannot express
(results/budget/README.md reads what that costs at 400k).

Widths scale with the budget (``width_scale``): at ``REF_PARAMS`` the base widths apply,
and about 70 % of uniformly random samples fit (measured: see tests/search_spaces).
"""

from __future__ import annotations

from nas.genome import Block, Genome
from nas.search.space_registry import Chooser, register, width_scale, widths

DESCRIPTION = ("all blocks: cv/ds/dilated/MBConv, SE, residual, activation, depth+width per "
               "stage, stride or pool downsampling, ASPP, head")

REF_PARAMS = 600_000  # budget (params) at which the base widths below apply
ACTS = ("relu", "silu", "hswish")
OPS = ("ds", "dil", "ir", "cv")  # cheap to costly (the order param_range starts from)
STEM = (16, 24, 32)
STAGES = ((32, 48, 64), (48, 64, 96, 128), (64, 96, 128, 192), (96, 128, 192, 256))
DEPTHS = (1, 2, 3)


def _block(t: Chooser, p: str, c: int, stride: int, act: str) -> Block:
    """One stage block; ``p`` is its parameter prefix such as ``s3_b2``."""
    op = t.suggest_categorical(f"{p}_op", OPS)
    k = t.suggest_categorical(f"{p}_k", (3, 5))
    se = t.suggest_categorical(f"{p}_se", (0.0, 0.25))
    res = t.suggest_categorical(f"{p}_res", (False, True))
    common = {"k": k, "c": c, "s": stride, "a": act, "se": se, "r": res}
    if op == "ir":
        return Block.make("ir", e=t.suggest_categorical(f"{p}_e", (2, 4, 6)), **common)
    if op == "dil":
        return Block.make("ds", d=t.suggest_categorical(f"{p}_d", (2, 4)), **common)
    return Block.make(op, **common)


def _stage(t: Chooser, i: int, base: tuple[int, ...], scale: float, act: str) -> list[Block]:
    c = t.suggest_categorical(f"s{i}_c", widths(base, scale))
    depth = t.suggest_categorical(f"s{i}_depth", DEPTHS)
    pool = t.suggest_categorical(f"s{i}_down", ("stride", "pool")) == "pool"
    blocks = [Block.make("mp")] if pool else []
    for j in range(1, depth + 1):
        stride = 2 if j == 1 and not pool else 1
        blocks.append(_block(t, f"s{i}_b{j}", c, stride, act))
    return blocks


@register(DESCRIPTION)
def sample(t: Chooser, budget: int) -> Genome:
    """A genome whose widths suit ``budget`` (params)."""
    scale = width_scale(budget, REF_PARAMS)
    act = t.suggest_categorical("act", ACTS)
    stem_c = t.suggest_categorical("s1_c", widths(STEM, scale))
    stem = [Block.make("cv", c=stem_c, a=act)]
    if t.suggest_categorical("s1_depth", (1, 2)) == 2:
        stem.append(Block.make(t.suggest_categorical("s1_b2_op", ("ds", "cv")), c=stem_c, a=act))
    n = t.suggest_categorical("stages", (3, 4))
    stages = [stem] + [_stage(t, i, STAGES[i - 2], scale, act) for i in range(2, n + 2)]
    if t.suggest_categorical("aspp", (False, True)):
        last_c = stages[-1][-1]["c"]
        stages[-1].append(Block.make("aspp", c=last_c, a=act))
    head = Block.make("head", h=t.suggest_categorical("head_h", (0, 64, 128)),
                      p=t.suggest_categorical("head_p", (0.0, 0.1, 0.2, 0.3)))
    return Genome(tuple(tuple(s) for s in stages), head)
