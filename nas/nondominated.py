"""Non-dominated sorting of objective vectors, every entry minimised: the one sort that
the study's Pareto fronts (``nas.study.pareto``) and successive halving's multi-objective
rank (``nas.search.rungs``) share. Plain Python, no Optuna, no torch, so the pure rung
rules can use it.

Cost: O(f x n^2) comparisons for n points in f fronts; a front holds tens to a few
thousand trials, where this takes well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence

Vector = Sequence[float]


def dominates(a: Vector, b: Vector) -> bool:
    """``a`` is no worse than ``b`` everywhere and better somewhere (all minimised)."""
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(
        x < y for x, y in zip(a, b, strict=True))


def fronts(points: Sequence[Vector]) -> list[list[int]]:
    """Indices of ``points`` by non-domination level: ``[0]`` is the Pareto front, ``[1]``
    the front once ``[0]`` is removed, and so on. Equal vectors share a front; within a
    front the indices keep their input order."""
    left, out = list(range(len(points))), []
    while left:
        front = [i for i in left if not any(dominates(points[j], points[i]) for j in left)]
        out.append(front)
        taken = set(front)
        left = [i for i in left if i not in taken]
    return out


def levels(points: Sequence[Vector]) -> list[int]:
    """Non-domination level of each point (0 = on the Pareto front), in input order."""
    out = [0] * len(points)
    for level, front in enumerate(fronts(points)):
        for i in front:
            out[i] = level
    return out
