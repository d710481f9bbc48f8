"""Why a search trained nothing: the line ``nas search`` prints first, before exiting 1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from optuna.trial import FrozenTrial

from nas.study.record import Status, records

EXIT_NOTHING_TRAINED = 1


def nothing_trained_reason(trials: Iterable[FrozenTrial], budget: int,
                           ended: str = "exhausted") -> str:
    """One line naming what happened to the candidates (rejected, failed) and the most
    common reason, so the user fixes the cause instead of retraining an empty study."""
    rs = records(list(trials))
    rejected = [r.reject_reason or "rejected" for r in rs if r.status == Status.REJECTED]
    failed = [r.fail_reason or "error" for r in rs if r.status == Status.FAILED]
    if failed and len(failed) >= len(rejected):
        why, n = Counter(failed).most_common(1)[0]
        return (f"error: no candidate was trained: {len(failed)} of {len(rs)} failed "
                f"(most often: {why} [{n}x])")
    if rejected:
        why, n = Counter(rejected).most_common(1)[0]
        return (f"error: no candidate was trained: all {len(rejected)} of {len(rs)} sampled "
                f"were rejected before training (most often: {why} [{n}x]); --budget "
                f"{budget:,} leaves the space almost nothing: raise it (see `nas spaces "
                f"--budget {budget}`)")
    if ended == "timeout":
        return (f"error: no candidate was trained before --timeout ({len(rs)} trials in "
                "the study); raise --timeout or use --quick")
    return f"error: no candidate was trained ({len(rs)} trials in the study)"
