"""What the sampler is told (nas.search.feedback): the policy as a function."""

from __future__ import annotations

import itertools
import random

import pytest

from nas.search.feedback import Caps, repeats_told, told

METRICS = ("val_acc", "params", "macs")
CAPS = Caps(params=200_000, macs=10**9)


def _dominates(a, b):  # val_acc maximised, the rest minimised
    better_or_equal = a[0] >= b[0] and all(x <= y for x, y in zip(a[1:], b[1:], strict=True))
    return better_or_equal and a != b


def test_top_rung_and_no_rungs_are_told_what_was_measured():
    measured = {"val_acc": 0.8, "params": 150_000, "macs": 3e7}
    assert told("rung", METRICS, measured, 0, CAPS) == (0.8, 150_000, 3e7)
    assert told("raw", METRICS, measured, 2, CAPS) == (0.8, 150_000, 3e7)


def test_each_missing_rung_costs_one_accuracy_unit_and_one_cap():
    measured = {"val_acc": 0.62, "params": 190_000, "macs": 5e7}
    assert told("rung", METRICS, measured, 2, CAPS) == pytest.approx(
        (0.62 - 2, 190_000 + 2 * 200_000, 5e7 + 2 * 10**9))


def test_every_trial_that_went_further_dominates_whatever_the_accuracies():
    """Rung first, then accuracy: a net halted at rung r with 99% is dominated by a net
    of rung r+1 with 1% and more params (within the caps)."""
    rng = random.Random(0)
    top = 3
    trials = [(rng.randrange(top + 1), {"val_acc": rng.random(),
                                        "params": rng.randrange(1, 200_001),
                                        "macs": rng.randrange(1, 10**9)})
              for _ in range(60)]
    values = [(r, told("rung", METRICS, m, top - r, CAPS)) for r, m in trials]
    for (ra, a), (rb, b) in itertools.permutations(values, 2):
        if ra > rb:
            assert _dominates(a, b), (ra, a, rb, b)


def test_raw_tells_halted_nets_as_if_final_which_the_rung_policy_fixes():
    halted = {"val_acc": 0.9, "params": 100_000, "macs": 1e7}  # 1 epoch, lucky
    final = {"val_acc": 0.85, "params": 150_000, "macs": 2e7}  # 30 epochs
    assert not _dominates(told("raw", METRICS, final, 0, CAPS),
                          told("raw", METRICS, halted, 3, CAPS))
    assert _dominates(told("rung", METRICS, final, 0, CAPS),
                      told("rung", METRICS, halted, 3, CAPS))


def test_duplicates_are_told_again_only_by_the_raw_policy():
    assert repeats_told("raw") and not repeats_told("rung")


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="feedback policy"):
        told("median", METRICS, {"val_acc": 0.5, "params": 1, "macs": 1}, 0, CAPS)
