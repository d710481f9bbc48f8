"""Files a retrain leaves behind: metrics.json, history.csv, curves.svg, summary.csv/.md.

Curves are a small hand-written SVG (no plotting dependency, renders on GitHub) of the
accuracy and loss columns of the per-epoch history.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


def write_json(path: Path, obj: Any) -> None:
    """Atomic JSON write: a kill leaves either the old file or the new one."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str) + "\n")
    os.replace(tmp, path)


def write_csv(path: Path, rows: Sequence[dict[str, Any]],
              columns: Sequence[str] | None = None) -> None:
    """Rows as CSV; columns default to every key seen, in first-seen order."""
    cols: list[str] = list(columns or [])
    for r in rows if columns is None else ():
        cols += [k for k in r if k not in cols]
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)


def _panel(rows: Sequence[dict[str, Any]], keys: list[str], x0: int, title: str) -> list[str]:
    w, h, pad = 360, 220, 40
    pts = [(r["epoch"], r[k]) for k in keys for r in rows if _num(r.get(k))]
    if not pts:
        return []
    e_lo, e_hi = min(p[0] for p in pts), max(p[0] for p in pts)
    v_lo, v_hi = min(p[1] for p in pts), max(p[1] for p in pts)
    sx = (w - 2 * pad) / max(1e-9, e_hi - e_lo)
    sy = (h - 2 * pad) / max(1e-9, v_hi - v_lo)

    def xy(e: float, v: float) -> str:
        return f"{x0 + pad + (e - e_lo) * sx:.1f},{h - pad - (v - v_lo) * sy:.1f}"

    out = [f'<text x="{x0 + w / 2}" y="16" text-anchor="middle">{title}</text>',
           f'<rect x="{x0 + pad}" y="{pad}" width="{w - 2 * pad}" height="{h - 2 * pad}" '
           'fill="none" stroke="#999"/>',
           f'<text x="{x0 + pad}" y="{h - 8}" font-size="10">epoch {e_lo}..{e_hi}</text>',
           f'<text x="{x0 + 2}" y="{pad + 4}" font-size="10">{v_hi:.3g}</text>',
           f'<text x="{x0 + 2}" y="{h - pad}" font-size="10">{v_lo:.3g}</text>']
    for i, k in enumerate(keys):
        line = " ".join(xy(r["epoch"], r[k]) for r in rows if _num(r.get(k)))
        color = COLORS[i % len(COLORS)]
        out.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{x0 + w - pad}" y="{h - pad + 16 + 12 * i}" font-size="10" '
                   f'text-anchor="end" fill="{color}">{k}</text>')  # legend under the plot
    return out


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and v == v  # not NaN


def write_curves(path: Path, rows: Sequence[dict[str, Any]], title: str) -> None:
    """Accuracy and loss per epoch (one seed's history) as a two-panel SVG."""
    keys = [k for k in (rows[0] if rows else {}) if k != "epoch" and _num(rows[0][k])]
    accs = [k for k in keys if "acc" in k]
    losses = [k for k in keys if "loss" in k]
    body = _panel(rows, accs, 0, "accuracy") + _panel(rows, losses, 360, "loss")
    path.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="720" height="240" '
        'font-family="sans-serif" font-size="12">'
        f"<title>{title}</title>" + "".join(body) + "</svg>\n")


SUMMARY_COLS = ("rank", "pareto_rank", "trial", "arch_id", "params", "macs", "rf",
                "proxy_val_acc", "final_val_acc", "final_val_acc_std", "test_acc",
                "test_acc_std", "seeds", "epochs", "seconds", "genome")


def _fmt(v: Any, col: str = "") -> str:
    if isinstance(v, float):
        return f"{v:.4f}" if "acc" in col else f"{v:,.1f}"
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10_000:
        return f"{v:,}"
    return str(v)


def write_summary(out: Path, rows: Sequence[dict[str, Any]], header: Sequence[str]) -> None:
    """summary.csv (machine-readable, fractions 0..1) and summary.md (a readable table)."""
    write_csv(out / "summary.csv", [{k: r[k] for k in SUMMARY_COLS} for r in rows],
              SUMMARY_COLS)
    cols = SUMMARY_COLS
    lines = [*header, "", "| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
    for r in rows:
        cells = [f"`{r[c]}`" if c == "genome" else _fmt(r[c], c) for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
