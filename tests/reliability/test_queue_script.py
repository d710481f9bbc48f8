"""scripts/longrun/queue.sh: every line runs once, with two queue runs on one file at a time,
and a killed queue's lines run again (the long runs of results/ go through it)."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from pathlib import Path

QUEUE_SH = Path(__file__).resolve().parents[2] / "scripts" / "longrun" / "queue.sh"


def _queue(tmp_path: Path, lines: list[str]) -> Path:
    q = tmp_path / "q.txt"
    q.write_text("# a comment\n" + "\n".join(lines) + "\n")
    return q


def _start(q: Path, state: Path, lanes: int) -> subprocess.Popen:
    return subprocess.Popen(["bash", str(QUEUE_SH), str(q), str(lanes)],
                            env={**os.environ, "QUEUE_STATE": str(state)})


def _ran(out: Path) -> Counter:
    return Counter(out.read_text().split()) if out.exists() else Counter()


def test_two_queue_runs_on_one_file_run_each_line_once(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    q = _queue(tmp_path, [f"sleep 0.2; echo {i} >> {out}" for i in range(8)])
    runs = [_start(q, state, 1), _start(q, state, 2)]
    assert [p.wait(timeout=60) for p in runs] == [0, 0]
    assert _ran(out) == Counter(str(i) for i in range(8))
    assert sorted(int(n) for n in (state / "q.txt.done").read_text().split()) == list(range(2, 10))


def test_a_dead_lanes_line_runs_again_and_a_live_ones_does_not(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    q = _queue(tmp_path, [f"echo {i} >> {out}" for i in range(3)])  # file lines 2, 3, 4
    state.mkdir()
    (state / "q.txt.done").write_text("")
    # line 2: taken by a lane that is gone; line 3: by one that lives (this test);
    # line 4: an entry without a pid (the old format), which counts as gone
    (state / "q.txt.taken").write_text(f"2 999999999\n3 {os.getpid()}\n4\n")
    assert _start(q, state, 1).wait(timeout=60) == 0
    assert _ran(out) == Counter({"0": 1, "2": 1})


def test_a_failed_line_is_logged_and_not_done(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    q = _queue(tmp_path, ["exit 3", f"echo ok >> {out}"])
    assert _start(q, state, 1).wait(timeout=60) == 0
    assert _ran(out) == Counter({"ok": 1})
    assert (state / "q.txt.done").read_text().split() == ["3"]
    assert "ends line 2: exit 3" in (state / "q.txt.log").read_text()
