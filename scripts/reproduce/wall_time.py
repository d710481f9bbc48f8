"""Wall time a search spent training, net of the pauses its run log records.

Long experiments are paused (SIGSTOP) around benchmarks and at a session's end, and
resumed by a rerun in the next session, so a study's clock time overstates its cost.
Run logs carry stamped lines ``# <UTC time>Z paused ...``, ``... resumed ...`` (written by
scripts/longrun/pause_runs.sh) and ``... commit ...`` (the run scripts' first line, which a rerun
repeats). Trials run one after another with one worker, so their durations add up.

Only the result scripts use it (budget_table.py, search_table.py import it as a sibling
script), so it lives here rather than in the ``nas`` package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from nas.study.record import TrialRecord

STAMP = re.compile(r"^# (\S+Z) (paused|resumed|commit)")


def stamp_time(stamp: str) -> datetime:
    """``2026-11-30T12:10:00Z`` as an aware UTC datetime."""
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def pauses(log: str) -> list[tuple[datetime, datetime]]:
    """(paused, resumed) intervals of a run log: a pause ends at the next ``resumed`` or
    at a rerun's ``commit`` line; a pause still open at the end is ignored."""
    out, start = [], None
    for line in log.splitlines():
        m = STAMP.match(line)
        if m and m[2] == "paused":
            start = stamp_time(m[1])
        elif m and start is not None:
            out.append((start, stamp_time(m[1])))
            start = None
    return out


def _overlap(a: datetime, b: datetime, gaps: list[tuple[datetime, datetime]]) -> float:
    return sum(max(0.0, (min(b, g1) - max(a, g0)).total_seconds()) for g0, g1 in gaps)


def search_seconds(trials: Iterable[TrialRecord], log: str) -> float:
    """Seconds: the sum of the finished trials' durations minus the log's pauses inside
    them (one worker; startup and data loading, ~10 s a run, are not counted)."""
    gaps = pauses(log)
    total = 0.0
    for r in trials:
        t = r.trial
        if t is None or t.datetime_start is None or t.datetime_complete is None:
            continue
        a, b = (d.replace(tzinfo=UTC) for d in (t.datetime_start, t.datetime_complete))
        total += (b - a).total_seconds() - _overlap(a, b, gaps)
    return total
