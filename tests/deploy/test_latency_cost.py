"""scripts/reproduce/latency_cost.py: one tiny end-to-end run (no timing asserted)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "reproduce" / "latency_cost.py"
spec = importlib.util.spec_from_file_location("latency_cost", SCRIPT)
cost = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cost)


def test_writes_both_settings_and_the_zero_cost_scale(tmp_path):
    pytest.importorskip("onnxruntime")  # the machine line names its version
    out = tmp_path / "cost.md"
    assert cost.main(["--space", "small", "--budget", "30000", "--n", "2", "--repeats", "2",
                      "--size", "16", "--out", str(out)]) == 0
    text = out.read_text()
    assert "| recorded only | 20 (5) |" in text and "| budget or objective | 50 (10) |" in text
    assert "zero-cost scores every screened trial" in text and "load average" in text


def test_spread_is_relative_to_the_fastest_call():
    assert cost.spread([2.0, 2.5, 3.0]) == pytest.approx(0.5)
