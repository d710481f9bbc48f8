"""The residual family of seed 000, seed 001 and ResNet-20: a conv stem, then three stages
of residual basic blocks (plain or depthwise-separable convs, optional SE), the first of
which may keep the full 32x32 resolution, the next two halving it with a strided first
block; optional dropout after each stage, GAP and a dropout head.

Why a second large space: the default space halves the resolution in every stage, so at
400k its filled candidates have a median of about 15M MACs, while the best baseline,
seed000, spends 20M of its 54M MACs in a full-resolution residual stage
(results/budget/README.md, "Why"). Here that stage is a choice. Seed 001 is a sample of
this space at a 400k budget, and seed 000 is one up to its last width (224 for 228): see
tests/search_spaces. About a quarter of uniform samples fit 400k (wide stages of plain
convs overflow; a rejected candidate costs no training). Widened into the 85-100% band
as ``--fill 0.85`` does, its 400k samples have a median of 34M MACs (the default space's:
15.5M) and 31% reach seed000's 54M (the default's: 2%; ``python scripts/reproduce/budget_rungs.py
--space resnet``): full-resolution stages cost compute, so on a CPU expect hours per
candidate at the full schedule.
"""

from __future__ import annotations

from nas.genome import Block, Genome
from nas.search.space_registry import Chooser, register, width_scale, widths

DESCRIPTION = ("seed 000/001 and ResNet-20 family: residual basic blocks, separable or not, "
               "SE, a first stage that may keep full resolution")

REF_PARAMS = 400_000  # budget (params) at which the base widths below apply
ACTS = ("relu", "silu")
STEM = (16, 24, 32, 48)
STAGES = ((32, 48, 64, 96), (64, 96, 128, 160), (128, 160, 192, 224, 256))
DEPTHS = (1, 2, 3)


def _stage(t: Chooser, i: int, base: tuple[int, ...], scale: float, act: str) -> list[Block]:
    """Stage ``s{i}``: ``depth`` alike blocks; only ``s2`` may keep the resolution."""
    c = t.suggest_categorical(f"s{i}_c", widths(base, scale))
    depth = t.suggest_categorical(f"s{i}_depth", DEPTHS)
    sep = t.suggest_categorical(f"s{i}_sep", (True, False))  # cheap to costly
    se = t.suggest_categorical(f"s{i}_se", (0.0, 0.25))
    down = i > 2 or t.suggest_categorical(f"s{i}_down", ("stride", "none")) == "stride"
    blocks = [Block.make("rb", c=c, s=2 if j == 0 and down else 1, x=sep, a=act, se=se)
              for j in range(depth)]
    p = t.suggest_categorical(f"s{i}_drop", (0.0, 0.1))
    return blocks + ([Block.make("dp", p=p)] if p else [])


@register(DESCRIPTION)
def sample(t: Chooser, budget: int) -> Genome:
    """A genome whose widths suit ``budget`` (params)."""
    scale = width_scale(budget, REF_PARAMS)
    act = t.suggest_categorical("act", ACTS)
    stem = [Block.make("cv", c=t.suggest_categorical("s1_c", widths(STEM, scale)), a=act)]
    stages = [stem] + [_stage(t, i, STAGES[i - 2], scale, act) for i in (2, 3, 4)]
    head = Block.make("head", p=t.suggest_categorical("head_p", (0.0, 0.1, 0.2, 0.3)))
    return Genome(tuple(tuple(s) for s in stages), head)
