"""Write results/deploy.md (and deploy.csv): params, MACs and measured CPU latency of the
zoo and the current study picks, torch and ONNX Runtime, and how well MACs rank latency.

Latency only means something on a quiet machine: the file records the load average before
and after, and says so when the machine was busy. Weights do not change a forward pass's
time, so models are built from their genomes (the picks' genomes come from the retrain
``summary.csv`` files; no model.pt needed).

    pip install -e '.[export]'
    python scripts/reproduce/deploy_table.py             # zoo + results/cifar/cifar-*k picks
    python scripts/reproduce/deploy_table.py --threads 4 --out results/deploy-4t.md
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import glob
import itertools
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

import torch

import nas
from nas.deploy import latencies
from nas.zoo import ZOO, resolve

PICKS = "results/cifar/cifar-*k/summary.csv"
RUNTIMES = ("torch", "onnxruntime")
SLOWER = 1.10  # a pair counts as inverted when the fewer-MACs model is >10% slower
BUSY = 0.5  # 1-minute load average above which the figures are flagged


def models(pick_globs: list[str], zoo: bool, extra: list[str]) -> list[tuple[str, str]]:
    """(label, genome string) of every model to measure, first occurrence of a genome kept."""
    rows = [(f"zoo {e.name}", e.parsed.to_string()) for e in ZOO.values()] if zoo else []
    for pattern in pick_globs:
        for path in sorted(glob.glob(pattern)):
            with open(path, newline="") as f:
                for r in csv.DictReader(f):
                    rows.append((f"{Path(path).parent.name} #{r['rank']} `{r['arch_id']}`",
                                 nas.parse(r["genome"]).to_string()))
    rows += [(m if m in ZOO else f"`{nas.parse(m).arch_id}`", resolve(m)[1].to_string())
             for m in extra]
    seen: set[str] = set()
    return [(label, g) for label, g in rows if not (g in seen or seen.add(g))]


def measure(genome: str, batches: list[int], threads: int, runs: int, size: int) -> dict:
    """params, MACs (per image) and median/p90 ms for every runtime and batch."""
    a = nas.analyze(genome, size)
    row: dict = {"params": a.params, "macs": a.macs}
    for rt in RUNTIMES:
        for lat in latencies(genome, batches, threads, input_size=size, runs=runs, runtime=rt):
            row[f"{rt} b{lat.batch}"] = lat.median_ms
            row[f"{rt} b{lat.batch} p90"] = lat.p90_ms
    return row


def ranks(xs: list[float]) -> list[float]:
    """1-based ranks, ties getting the mean of the ranks they span."""
    order = sorted(range(len(xs)), key=xs.__getitem__)
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in order[i:j + 1]:
            out[k] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation (Pearson's on the ranks); NaN when either is constant."""
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5 if vx and vy else float("nan")


def inversions(rows: list[dict], col: str) -> tuple[int, int, str]:
    """Pairs where the model with fewer MACs is >10% slower, out of all pairs, and the
    pair with the largest such slowdown."""
    count, worst, text = 0, 1.0, "none"
    pairs = list(itertools.combinations(rows, 2))
    for a, b in pairs:
        lo, hi = (a, b) if a["macs"] < b["macs"] else (b, a)
        ratio = lo[col] / hi[col]
        if lo["macs"] != hi["macs"] and ratio > SLOWER:
            count += 1
            if ratio > worst:
                worst, text = ratio, (f"{lo['model']} ({lo['macs'] / 1e6:.1f}M MACs) "
                                      f"{ratio:.2f}x slower than {hi['model']} "
                                      f"({hi['macs'] / 1e6:.1f}M)")
    return count, len(pairs), text


def spread(genome: str, repeats: int, threads: int, runs: int, size: int) -> list[str]:
    """Run-to-run spread of the batch-1 median: ``repeats`` independent calls per runtime."""
    lines = []
    for rt in RUNTIMES:
        meds = [latencies(genome, [1], threads, input_size=size, runs=runs, runtime=rt)[0]
                .median_ms for _ in range(repeats)]
        lo, hi = min(meds), max(meds)
        lines.append(f"| {rt} | {', '.join(f'{m:.3f}' for m in meds)} | "
                     f"{100 * (hi - lo) / lo:.1f}% |")
    return lines


def cpu_name() -> str:
    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.is_file() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else (platform.processor() or platform.machine())


def machine() -> list[str]:
    import onnxruntime

    cpu = cpu_name()

    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip() or "unknown"
    return [f"- CPU: {cpu}, {os.cpu_count()} logical cores; Python {platform.python_version()}, "
            f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}",
            f"- commit `{commit}`, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"]


def _macs(m: int) -> str:
    return f"{m / 1e6:.2f}M" if m >= 100_000 else f"{m:,}"


def _fmt(v: float) -> str:
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def table(rows: list[dict], cols: list[str]) -> list[str]:
    head = ["model", "params", "MACs", *[f"{c} ms" for c in cols]]
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in rows:
        cells = [r["model"], f"{r['params']:,}", _macs(r["macs"]),
                 *[f"{_fmt(r[c])} ({_fmt(r[c + ' p90'])})" for c in cols]]
        out.append("| " + " | ".join(cells) + " |")
    return out


def correlations(rows: list[dict], cols: list[str]) -> list[str]:
    out = ["| latency | Spearman ρ with MACs | Spearman ρ with params | fewer MACs but >10% "
           "slower (pairs) | largest such slowdown |", "| --- | --- | --- | --- | --- |"]
    for c in cols:
        lat = [r[c] for r in rows]
        n, total, worst = inversions(rows, c)
        out.append(f"| {c} | {spearman([r['macs'] for r in rows], lat):.2f} | "
                   f"{spearman([r['params'] for r in rows], lat):.2f} | {n} of {total} | {worst} |")
    return out


def render(rows: list[dict], cols: list[str], args: argparse.Namespace,
           loads: tuple[float, float], spread_lines: list[str], meta: list[str]) -> str:
    busy = max(loads) > BUSY
    lines = [
        "# Deployment: params, MACs and measured CPU latency", "",
        f"Written by `python scripts/reproduce/deploy_table.py {shlex.join(args.argv)}`.", "",
        *meta,
        f"- {args.threads} thread(s); input {args.input_size}px; median (p90) ms of "
        f"{args.runs} timed forward passes after 10 warm-up passes (`nas.latency`); torch "
        "eager channels_last, ONNX Runtime CPU provider with all graph optimisations on the "
        "dynamic-batch export (opset 18)",
        f"- load average (1 min) before/after: {loads[0]:.2f} / {loads[1]:.2f}" +
        ("  **busy machine: these latencies are not trustworthy**" if busy else ""),
        "", *table(rows, cols), "",
        "## Do MACs predict latency here?", "",
        f"Over the {len(rows)} models above; a pair is inverted when the model with fewer "
        "MACs takes more than 10% longer (where a MACs budget and a latency budget disagree).",
        "", *correlations(rows, cols), "",
        "## Run-to-run spread of `nas.latency`", "",
        f"`{args.spread_model}`, batch 1: the median of {args.runs} runs, measured "
        f"{args.repeats} times (separate calls, fresh build/export each).", "",
        "| runtime | medians (ms) | (max - min) / min |", "| --- | --- | --- |",
        *spread_lines, ""]
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--picks", nargs="*", default=[PICKS], help="retrain summary.csv globs")
    p.add_argument("--no-zoo", action="store_true", help="leave the zoo out")
    p.add_argument("--models", nargs="*", default=[], help="more zoo names or genomes")
    p.add_argument("--batches", nargs="+", type=int, default=[1, 64])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=50, help="timed runs per measurement")
    p.add_argument("--input-size", type=int, default=32)
    p.add_argument("--spread-model", default="seed003", help="zoo name or genome")
    p.add_argument("--repeats", type=int, default=5, help="calls for the spread")
    p.add_argument("--out", type=Path, default=Path("results/deploy.md"))
    args = p.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    todo = models(args.picks, not args.no_zoo, args.models)
    if len(todo) < 2:
        sys.exit("error: fewer than 2 models to compare (check --picks / --models)")
    load0 = os.getloadavg()[0]
    rows = []
    for label, genome in todo:
        print(f"measuring {label}", file=sys.stderr)
        rows.append({"model": label, "genome": genome,
                     **measure(genome, args.batches, args.threads, args.runs, args.input_size)})
    spread_lines = spread(args.spread_model, args.repeats, args.threads, args.runs,
                          args.input_size)
    loads = (load0, os.getloadavg()[0])
    cols = [f"{rt} b{b}" for b in args.batches for rt in RUNTIMES]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(rows, cols, args, loads, spread_lines, machine()))
    with args.out.with_suffix(".csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {args.out} and {args.out.with_suffix('.csv')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
