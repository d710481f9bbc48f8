"""Write results/latency_cost.md: what timing ``latency_ms`` costs a search per candidate,
and how much the figure moves between calls, at the two run counts the search uses.

``nas search`` times every candidate that passes the static limits (the ``latency``
evaluator): ``RECORD_RUNS`` timed passes when latency is only recorded, ``nas.latency``'s
full count when it is a budget or an objective. This samples candidates the way a search
does (random trials of a space that fit the budget, head for 10 classes), makes the same
call as the evaluator ``--repeats`` times per setting, alternating the settings so that a
change in background load hits both, and times the zero-cost scoring that every screened
trial also gets, for scale. Wall times include building the net.

    python scripts/reproduce/latency_cost.py                        # default space, 200k, 30 nets
    python scripts/reproduce/latency_cost.py --budget 400000 --n 10 --out /tmp/cost.md
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import time
from pathlib import Path

import optuna
import torch

from nas.analysis.static import params_of
from nas.data import make_synthetic
from nas.deploy import latency
from nas.deploy.timing import RUNS, WARMUP
from nas.genome import Genome
from nas.search.evaluators.latency import RECORD_RUNS, RECORD_WARMUP
from nas.search.space import as_space
from nas.zerocost import score_genome

SETTINGS = {"recorded only": (RECORD_RUNS, RECORD_WARMUP),
            "budget or objective": (RUNS, WARMUP)}
ZERO_COST = ["synflow", "naswot", "grad_norm", "zico", "depth"]  # the evaluator's
BUSY = 0.5  # 1-minute load average above which the figures are flagged (as deploy_table)


def busy(loads: tuple[float, float] | list[float]) -> bool:
    """Other work ran: load above BUSY before, or above this script's own thread + BUSY
    after (the 1-minute average climbs toward 1 while the script times on one thread)."""
    return loads[0] > BUSY or loads[1] > 1 + BUSY


def candidates(space: str, budget: int, n: int, seed: int) -> list[Genome]:
    """``n`` random samples of ``space`` within ``budget`` params (10 classes, RGB)."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    out: list[Genome] = []
    while len(out) < n:
        g = as_space(space).sample(study.ask(), budget).replace_head(c=10, i=3)
        if params_of(g) <= budget:
            out.append(g)
    return out


def timed_call(g: Genome, runs: int, warmup: int, size: int) -> tuple[float, float]:
    """(wall ms of the evaluator's call, build included; the median_ms it returns)."""
    t0 = time.perf_counter()
    ms = latency(g, batch=1, threads=1, input_size=size, runs=runs, warmup=warmup).median_ms
    return (time.perf_counter() - t0) * 1e3, ms


def measure(g: Genome, repeats: int, size: int) -> dict[str, list[tuple[float, float]]]:
    calls: dict[str, list[tuple[float, float]]] = {k: [] for k in SETTINGS}
    for _ in range(repeats):
        for name, (runs, warmup) in SETTINGS.items():
            calls[name].append(timed_call(g, runs, warmup, size))
    return calls


def zero_cost_ms(g: Genome, size: int) -> float:
    data = make_synthetic(n_train=256, n_val=64, n_test=64, image_size=size, num_classes=10)
    t0 = time.perf_counter()
    score_genome(g, data, names=ZERO_COST)
    return (time.perf_counter() - t0) * 1e3


def spread(meds: list[float]) -> float:
    return (max(meds) - min(meds)) / min(meds)


def summary_rows(rows: list[dict]) -> list[str]:
    """One table row per setting: cost and spread over candidates."""
    out = ["| setting | timed passes (warm-up) | wall ms per candidate: median / mean / max "
           "| spread of latency_ms over calls: median / max | vs the 50-pass figure: "
           "median / max |", "| --- | --- | --- | --- | --- |"]
    ref = [statistics.median(m for _, m in r["budget or objective"]) for r in rows]
    for name, (runs, warmup) in SETTINGS.items():
        cost = [c for r in rows for c, _ in r[name]]
        spreads = [spread([m for _, m in r[name]]) for r in rows]
        dev = [abs(statistics.median(m for _, m in r[name]) - f) / f for r, f in zip(
            rows, ref, strict=True)]
        out.append(f"| {name} | {runs} ({warmup}) | {statistics.median(cost):.0f} / "
                   f"{statistics.fmean(cost):.0f} / {max(cost):.0f} | "
                   f"{statistics.median(spreads):.1%} / {max(spreads):.1%} | "
                   f"{statistics.median(dev):.1%} / {max(dev):.1%} |")
    return out


def render(rows: list[dict], args: argparse.Namespace, loads: tuple[float, float],
           meta: list[str]) -> str:
    lat = [statistics.median(m for _, m in r["budget or objective"]) for r in rows]
    zc = [r["zero_cost_ms"] for r in rows]
    params = [r["params"] for r in rows]
    return "\n".join([
        "# What `latency_ms` costs a search", "",
        f"Written by `python scripts/reproduce/latency_cost.py {shlex.join(args.argv)}`.", "",
        *meta,
        f"- {args.n} random candidates of space `{args.space}` within {args.budget:,} params "
        f"({min(params):,}-{max(params):,}), {args.size}px, batch 1, one thread; "
        f"latency_ms {min(lat):.2f}-{max(lat):.2f} ms; each setting called {args.repeats} "
        "times per candidate, the settings alternating",
        f"- load average (1 min) before/after: {loads[0]:.2f} / {loads[1]:.2f}" +
        ("  **busy machine: costs and spreads are inflated**" if busy(loads) else ""),
        "",
        *summary_rows(rows), "",
        "Spread: (max - min) / min of one candidate's latency_ms over the calls. "
        "vs the 50-pass figure: |median over calls - the 50-pass median over calls| / the "
        "latter.", "",
        f"For scale: the zero-cost scores every screened trial also gets took "
        f"{statistics.median(zc):.0f} ms per candidate (median; max {max(zc):.0f}) here, "
        "and training one candidate with the `--quick` proxy takes about 2 minutes "
        "(results/quickstart.md).", ""])


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--space", default="default")
    p.add_argument("--budget", type=int, default=200_000)
    p.add_argument("--n", type=int, default=30, help="candidates")
    p.add_argument("--repeats", type=int, default=5, help="calls per setting and candidate")
    p.add_argument("--size", type=int, default=32, help="input px")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("results/latency_cost.md"))
    args = p.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return args


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).parent))
    from deploy_table import machine  # CPU, versions, commit, date

    args = parse(argv)
    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    load0 = os.getloadavg()[0]
    rows = []
    for g in candidates(args.space, args.budget, args.n, args.seed):
        print(f"timing {g.arch_id}", file=sys.stderr)
        rows.append({"params": params_of(g), **measure(g, args.repeats, args.size),
                     "zero_cost_ms": zero_cost_ms(g, args.size)})
    loads = (load0, os.getloadavg()[0])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(rows, args, loads, machine()))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
