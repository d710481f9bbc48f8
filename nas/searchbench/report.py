"""The benchmark's table, paired tests and figure, from the searches' JSON lines.

"Best found at I images": the highest true final accuracy among the nets that reached the
top rung by the time the search had spent I training images (a net counts once its
30-epoch run ends: it is what a user would retrain). "At the allowance A": the nets of
the trials *started* before A images were spent, as ``--max-images A`` runs a search
(a start rule: the trial under way finishes). "Picked": the true final accuracy of the
top-rung net with the best *measured* 30-epoch accuracy, what ``nas retrain --top 1``
takes. Accuracies are fractions here, points (x100) in the written tables.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import stats

from nas.searchbench.run import ALLOWANCE, SearchResult, TrialRow

CHECKPOINTS = (ALLOWANCE // 2, ALLOWANCE, 2 * ALLOWANCE, 4 * ALLOWANCE)  # images
PAIRS = (("tpe-rung", "random"), ("tpe-rung", "tpe-raw"), ("tpe-1obj", "random"),
         ("tpe-1obj", "tpe-rung"), ("tpe-raw", "random"), ("tpe-1obj-ridge", "tpe-1obj"))
COLOURS = {"random": "#7f7f7f", "tpe-raw": "#d62728", "tpe-rung": "#1f77b4",
           "tpe-1obj": "#2ca02c", "tpe-1obj-ridge": "#9467bd"}


def _best(rows: Sequence[TrialRow]) -> float:
    finals = [r.true_final for r in rows if r.top and r.true_final is not None]
    return max(finals) if finals else math.nan


def best_found(r: SearchResult, images: float) -> float:
    """Best true final accuracy among top-rung nets finished within ``images``."""
    return _best([x for x in r.rows if x.end <= images])


def at_allowance(r: SearchResult, images: float | None = None) -> float:
    """Best true final among the top-rung nets of trials started before ``images``
    were spent (None: the whole search)."""
    return _best([x for x in r.rows if images is None or x.start < images])


def picked(r: SearchResult, images: float | None = None) -> float:
    """True final of the top-rung net with the best measured 30-epoch accuracy among the
    trials started before ``images`` (None: all): what the search hands the user."""
    top = [x for x in r.rows if x.top and (images is None or x.start < images)]
    return max(top, key=lambda x: x.measured or 0.0).true_final if top else math.nan


@dataclass(frozen=True)
class Paired:
    """A - B over the seeds both have (points): mean, sd, n, and the two tests' p."""

    a: str
    b: str
    where: str
    mean: float
    sd: float
    n: int
    wins: int  # seeds where A > B
    p_wilcoxon: float
    p_ttest: float
    short: int = 0  # pairs where a search ended (200 trials) before this image count


def paired(results: Sequence[SearchResult], a: str, b: str, where: str,
           value: object) -> Paired:
    """``value(result)`` of arm ``a`` minus arm ``b``, paired by seed (points)."""
    va = {r.seed: value(r) for r in results if r.arm == a}  # type: ignore[operator]
    vb = {r.seed: value(r) for r in results if r.arm == b}  # type: ignore[operator]
    seeds = sorted(s for s in va.keys() & vb.keys()
                   if np.isfinite(va[s]) and np.isfinite(vb[s]))
    x = np.array([va[s] for s in seeds]) * 100
    y = np.array([vb[s] for s in seeds]) * 100
    d = x - y
    if len(d) < 2 or not np.any(d):
        return Paired(a, b, where, float(np.mean(d)) if len(d) else math.nan, 0.0, len(d),
                      int(np.sum(d > 0)), 1.0, 1.0)
    return Paired(a, b, where, float(d.mean()), float(d.std(ddof=1)), len(d),
                  int(np.sum(d > 0)), float(stats.wilcoxon(x, y).pvalue),
                  float(stats.ttest_rel(x, y).pvalue))


def columns() -> list[tuple[str, object]]:
    """(name, value of a SearchResult) of the table, accuracies as fractions."""
    cols: list[tuple[str, object]] = [
        (f"best@{i / 1e6:g}M", (lambda r, i=i: at_allowance(r, i))) for i in CHECKPOINTS]
    cols += [("best@end", at_allowance), (f"picked@{ALLOWANCE / 1e6:g}M",
                                          lambda r: picked(r, ALLOWANCE)),
             ("picked@end", picked)]
    return cols


COUNTS = ("trials", "counted", "top", "duplicates", "duplicates_complete", "rejected",
          "stopped", "images", "wall_s")


def table(results: Sequence[SearchResult], arms: Sequence[str]) -> list[dict[str, object]]:
    """One row per arm: mean and sd over seeds of every column (points) and count."""
    out = []
    for arm in arms:
        rs = [r for r in results if r.arm == arm]
        if not rs:
            continue
        row: dict[str, object] = {"arm": arm, "seeds": len(rs)}
        for name, f in columns():
            v = np.array([f(r) for r in rs]) * 100  # type: ignore[operator]
            ok = v[np.isfinite(v)]
            row[name] = float(ok.mean()) if len(ok) else math.nan
            row[f"{name}_sd"] = float(ok.std(ddof=1)) if len(ok) > 1 else math.nan
            row[f"{name}_n"] = len(ok)
        for c in COUNTS:
            row[c] = float(np.mean([getattr(r, c) for r in rs]))
        out.append(row)
    return out


def comparisons(results: Sequence[SearchResult]) -> list[Paired]:
    """The paired contrasts of ``PAIRS`` at equal training images: the allowance, 2x and
    4x it (``short`` counts the pairs where a search had ended before)."""
    arms = {r.arm for r in results}
    out = []
    for a, b in PAIRS:
        if a in arms and b in arms:
            for images in CHECKPOINTS[1:]:
                p = paired(results, a, b, f"{images / 1e6:g}M",
                           lambda r, i=images: at_allowance(r, i))
                ended = {r.seed for r in results if r.arm in (a, b) and r.images < images}
                out.append(replace(p, short=len(ended)))
    return out


def markdown(rows: Sequence[dict[str, object]], pairs: Sequence[Paired]) -> str:
    """The table and the contrasts as Markdown (accuracies in points)."""
    names = [n for n, _ in columns()]
    head = "| arm | seeds | " + " | ".join(names) + " | top-rung nets | images (M) | " \
        "trials | duplicates (told COMPLETE) | rejected | wall s |"
    lines = [head, "| --- |" + " ---: |" * (len(names) + 7)]
    for r in rows:
        cells = [f"{r[n]:.2f} ± {r[f'{n}_sd']:.2f}" + ("" if r[f"{n}_n"] == r["seeds"]
                                                     else f" (n={r[f'{n}_n']})")
                 for n in names]
        lines.append(f"| {r['arm']} | {r['seeds']} | " + " | ".join(cells)
                     + f" | {r['top']:.1f} | {r['images'] / 1e6:.1f} | {r['trials']:.0f} | "
                     f"{r['duplicates']:.1f} "
                     f"({r['duplicates_complete']:.1f}) | {r['rejected']:.1f} | "
                     f"{r['wall_s']:.0f} |")
    lines += ["", "| contrast | images | mean diff (points) | sd | seeds | A wins | "
              "Wilcoxon p | paired t p | pairs with a search ended before |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {p.a} - {p.b} | {p.where} | {p.mean:+.2f} | {p.sd:.2f} | {p.n} | "
              f"{p.wins} | {_p(p.p_wilcoxon)} | {_p(p.p_ttest)} | {p.short} |"
              for p in pairs]
    return "\n".join(lines) + "\n"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def write_csv(rows: Sequence[dict[str, object]], path: Path) -> None:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()})


def curve(results: Sequence[SearchResult], arm: str, grid: np.ndarray) -> np.ndarray:
    """Mean over seeds of ``best_found`` at each image count of ``grid`` (points; NaN
    where some seed has no top-rung net yet)."""
    rs = [r for r in results if r.arm == arm]
    return np.array([np.mean([best_found(r, i) for r in rs]) * 100 for i in grid])


def svg(results: Sequence[SearchResult], arms: Sequence[str], path: Path,
        width: int = 640, height: int = 400) -> None:
    """A small hand-written SVG: mean best-found true final accuracy vs images up to the
    last checkpoint, one line per arm, the allowance marked (a search that ended before
    an image count counts with its final best there, as in the table)."""
    arms = [a for a in arms if any(r.arm == a for r in results)]
    end = max(CHECKPOINTS)
    grid = np.linspace(end / 200, end, 200)
    lines = {a: curve(results, a, grid) for a in arms}
    ys = np.concatenate([v[np.isfinite(v)] for v in lines.values()])
    lo, hi = math.floor(ys.min()), math.ceil(ys.max())
    left, right, top, bottom = 60, 150, 20, 50
    w, h = width - left - right, height - top - bottom

    def px(x: float, y: float) -> tuple[float, float]:
        return left + w * x / end, top + h * (hi - y) / (hi - lo)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="11">',
             f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" '
             'stroke="#333"/>']
    for y in range(lo, hi + 1):
        _, yy = px(0, y)
        parts.append(f'<line x1="{left}" x2="{left + w}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     f'stroke="#ddd"/><text x="{left - 6}" y="{yy + 4:.1f}" '
                     f'text-anchor="end">{y}</text>')
    for m in range(0, int(end / 1e6) + 1, 5):
        xx, _ = px(m * 1e6, lo)
        parts.append(f'<text x="{xx:.1f}" y="{top + h + 16}" text-anchor="middle">{m}</text>')
    ax, _ = px(ALLOWANCE, lo)
    parts.append(f'<line x1="{ax:.1f}" x2="{ax:.1f}" y1="{top}" y2="{top + h}" '
                 'stroke="#999" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{ax + 4:.1f}" y="{top + 12}">6.75M (budget study)</text>')
    for k, (a, v) in enumerate(lines.items()):
        pts = " ".join(f"{px(x, y)[0]:.1f},{px(x, y)[1]:.1f}"
                       for x, y in zip(grid, v, strict=True) if np.isfinite(y))
        parts.append(f'<polyline fill="none" stroke="{COLOURS.get(a, "#000")}" '
                     f'stroke-width="2" points="{pts}"/>')
        parts.append(f'<text x="{left + w + 10}" y="{top + 20 + 16 * k}" '
                     f'fill="{COLOURS.get(a, "#000")}">{a}</text>')
    parts.append(f'<text x="{left + w / 2}" y="{height - 10}" text-anchor="middle">'
                 'training images spent (millions)</text>')
    parts.append(f'<text transform="translate(14 {top + h / 2}) rotate(-90)" '
                 'text-anchor="middle">best true final val. accuracy found (%), mean '
                 'over seeds</text></svg>')
    path.write_text("\n".join(parts) + "\n")


def write(results: Sequence[SearchResult], arms: Sequence[str], out: Path) -> str:
    """table.csv, table.md, contrasts.csv and curve.svg under ``out``; the Markdown."""
    rows, pairs = table(results, arms), comparisons(results)
    write_csv(rows, out / "table.csv")
    if pairs:
        write_csv([vars(p) for p in pairs], out / "contrasts.csv")
    text = markdown(rows, pairs)
    (out / "table.md").write_text(text)
    svg(results, arms, out / "curve.svg")
    return text
