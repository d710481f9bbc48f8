"""scripts/reproduce/deploy_table.py: the statistics it prints, and one tiny end-to-end run."""

from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "reproduce" / "deploy_table.py"
spec = importlib.util.spec_from_file_location("deploy_table", SCRIPT)
table = importlib.util.module_from_spec(spec)
spec.loader.exec_module(table)


def test_ranks_average_ties():
    assert table.ranks([10, 30, 20, 30]) == [1.0, 3.5, 2.0, 3.5]


def test_spearman():
    assert table.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert table.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert table.spearman([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)
    assert math.isnan(table.spearman([1, 2, 3], [5, 5, 5]))


def test_inversions_count_only_clearly_slower_pairs():
    rows = [{"model": "a", "macs": 1, "t": 3.0}, {"model": "b", "macs": 2, "t": 2.0},
            {"model": "c", "macs": 3, "t": 2.1}]  # b vs c: 5% slower, within noise
    n, total, worst = table.inversions(rows, "t")
    assert (n, total) == (2, 3)
    assert worst.startswith("a (0.0M MACs) 1.50x slower than b")


def test_tiny_run_writes_table_csv_and_correlations(tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    picks = tmp_path / "study" / "summary.csv"
    picks.parent.mkdir()
    with picks.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["rank", "arch_id", "genome"])
        w.writeheader()
        w.writerow({"rank": 1, "arch_id": "x1", "genome": "cv_c8,ds_c16_s2/head"})
    out = tmp_path / "deploy.md"
    assert table.main(["--no-zoo", "--picks", str(picks), "--models", "cv_c4/head",
                       "cv_c4/head", "--batches", "1", "3", "--runs", "2", "--input-size",
                       "12", "--repeats", "2", "--spread-model", "cv_c4/head",
                       "--out", str(out)]) == 0
    text = out.read_text()
    assert "| study #1 `x1` |" in text and "--runs 2" in text
    assert "torch b3 ms" in text and "onnxruntime b1 ms" in text
    assert "| onnxruntime b3 | " in text and "Spearman" in text and "load average" in text
    rows = list(csv.DictReader(out.with_suffix(".csv").open()))
    assert len(rows) == 2 and float(rows[0]["onnxruntime b3"]) > 0  # cv_c4/head once
