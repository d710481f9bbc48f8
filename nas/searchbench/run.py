"""The benchmark's searches: the real ``nas.search.run_search`` with the surrogate trainer.

One search per (arm, seed): ``--strategy sh --eta 3 --min-epochs 1 --max-epochs 30
--fill 0.85`` at ``--budget 200000`` on the default space, ``trials`` trained
candidates, the study in Optuna's in-memory storage (``memory://``, dropped after). The
benchmark seed is the search seed: it sets the sampler and the surrogate's landscape
(residuals, curve shapes, noise), so the arms of one seed search one landscape and differ
only in how they search it (paired over seeds).

What a search records (``SearchResult``, one JSON line): per top-rung trial, in order,
the training images spent before it started and after it ended (counted trials only:
duplicates cost nothing), the true final accuracy and the 30-epoch validation accuracy
the search measured (the other trials' rows are not kept: no reading uses them, and
they would make the results 20x larger); plus the trials,
duplicates (and how many of them were told COMPLETE), rejected and stopped counts. The
curve "best true final accuracy found vs images" is computed from it (``report``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

BUDGET = 200_000  # params
TRIALS = 200  # trained candidates per search
ALLOWANCE = 6_750_000  # training images: the budget study's --max-images
SH = {"strategy": "sh", "eta": 3, "min_epochs": 1, "max_epochs": 30, "fill": 0.85}
# The arms of issue 44: SearchConfig overrides. "random": random + sh; "tpe-raw": TPE + sh
# as today (halted nets told COMPLETE with their low-rung accuracy); "tpe-rung": TPE + sh
# with rung-comparable feedback; "tpe-1obj": one objective, Optuna's own pruner.
ARMS: dict[str, dict[str, Any]] = {
    "random": {"sampler": "random", "objectives": 2, "feedback": "rung"},
    "tpe-raw": {"sampler": "tpe", "objectives": 2, "feedback": "raw"},
    "tpe-rung": {"sampler": "tpe", "objectives": 2, "feedback": "rung"},
    "tpe-1obj": {"sampler": "tpe", "objectives": 1},
    # issue 47: tpe-1obj with the rungs below the top ranked by the ridge's predicted
    # 30-epoch accuracy (--promote-by ridge); results/searchbench/promote-by
    "tpe-1obj-ridge": {"sampler": "tpe", "objectives": 1, "promote_by": "ridge"},
}


@dataclass(frozen=True)
class TrialRow:
    """One counted trial: images (training images) spent by earlier counted trials when
    it started and after it ended, the rung index it reached, and for top-rung nets its
    true final accuracy and the measured 30-epoch validation accuracy (fractions)."""

    number: int
    start: int
    end: int
    rung: int
    top: bool
    true_final: float | None
    measured: float | None


@dataclass(frozen=True)
class SearchResult:
    """One (arm, seed) search of the benchmark (see the module docstring)."""

    arm: str
    seed: int
    trials: int  # every trial of the study
    counted: int  # trained (any rung)
    top: int  # reached the top rung
    duplicates: int  # repeats of a trained net
    duplicates_complete: int  # of which told the sampler as COMPLETE
    rejected: int
    stopped: int  # halted trials that ended PRUNED (Optuna's pruner arm)
    images: int  # training images of all counted trials
    wall_s: float
    rows: tuple[TrialRow, ...]

    def to_json(self) -> str:
        d = asdict(self)
        d["rows"] = [[r.number, r.start, r.end, r.rung, int(r.top), r.true_final,
                      r.measured] for r in self.rows]
        return json.dumps(d, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> SearchResult:
        d = json.loads(line)
        rows = tuple(TrialRow(n, s, e, g, bool(t), f, m) for n, s, e, g, t, f, m in d["rows"])
        return cls(**{**d, "rows": rows})


def config_for(arm: str, seed: int, trials: int, storage: str, runs_dir: str,
               budget: int = BUDGET) -> Any:
    """The ``SearchConfig`` of one benchmark search (no zero-cost scores, no latency
    timing: neither informs these arms, and both cost real compute)."""
    from nas.search.config import SearchConfig

    known = {f.name for f in fields(SearchConfig)}
    extra = {k: v for k, v in ARMS[arm].items() if k in known}
    # a nas without the option behaves as "raw" (today's feedback)
    missing = {k for k in set(ARMS[arm]) - set(extra) if (k, ARMS[arm][k]) != ("feedback", "raw")}
    if missing:
        raise ValueError(f"arm {arm!r} needs SearchConfig option(s) this nas lacks: "
                         f"{sorted(missing)}")
    opts = {"zero_cost": False, "record_latency": False}
    return SearchConfig(budget=budget, trials=trials, space="default", study=f"{arm}-s{seed}",
                        storage=storage, seed=seed, device="cpu", runs_dir=runs_dir,
                        **SH, **{k: v for k, v in opts.items() if k in known}, **extra)


def run_one(arm: str, seed: int, trials: int = TRIALS, budget: int = BUDGET,
            fitted: Any = None) -> SearchResult:
    """One benchmark search, its study in memory (``fitted``: default the committed
    surrogate fit)."""
    from nas.search import run_search
    from nas.searchbench.surrogate import Surrogate, load
    from nas.searchbench.trainer import SurrogateTrainer, stand_in_data
    from nas.study.storage import MEMORY, forget, open_study

    trainer = SurrogateTrainer(Surrogate(fitted or load(), seed))
    url = f"{MEMORY}searchbench/{os.getpid()}/{arm}-s{seed}"
    tmp = Path(tempfile.mkdtemp(prefix="searchbench-"))  # sh's checkpoint folder: unused
    t0 = time.perf_counter()
    try:
        config = config_for(arm, seed, trials, url, str(tmp / "runs"), budget)
        summary = run_search(config, data=stand_in_data(), progress=False, trainer=trainer)
        study = open_study(url, summary.study)
        return summarize(arm, seed, study.get_trials(deepcopy=False), trainer,
                         time.perf_counter() - t0)
    finally:
        forget(url)
        shutil.rmtree(tmp, ignore_errors=True)


def summarize(arm: str, seed: int, trials: Sequence[Any], trainer: Any, wall_s: float
              ) -> SearchResult:
    """The ``SearchResult`` of a finished study's ``trials`` (FrozenTrials)."""
    import optuna

    from nas.genome import Genome
    from nas.study.record import Status, records

    recs = records(list(trials))
    rows, spent, counted = [], 0, 0
    for r in sorted(recs, key=lambda r: r.number):
        if not r.is_counted:
            continue
        images = int(r.images or 0)
        top = bool(r.curve) and len(r.curve) == r.planned_epochs
        final = trainer.true_final(Genome.from_string(r.genome)) if top else None
        if top:
            rows.append(TrialRow(r.number, spent, spent + images, int(r.rung or 0), top,
                                 None if final is None else round(final, 5),
                                 float(r.curve[-1])))
        counted += 1
        spent += images
    dup = [r for r in recs if r.status == Status.DUPLICATE]
    return SearchResult(
        arm, seed, len(recs), counted, len(rows), len(dup),
        sum(r.state == optuna.trial.TrialState.COMPLETE for r in dup),
        sum(r.status == Status.REJECTED for r in recs),
        sum(r.status == Status.STOPPED for r in recs), spent, round(wall_s, 2), tuple(rows))


def done(out: Path) -> set[tuple[str, int]]:
    """(arm, seed) pairs already in ``out``'s runs-*.jsonl files."""
    return {(r.arm, r.seed) for r in read_results(out)}


def read_results(out: Path) -> list[SearchResult]:
    """Every search recorded under ``out`` (runs-*.jsonl), first record of a pair kept."""
    seen: dict[tuple[str, int], SearchResult] = {}
    for path in sorted(out.glob("runs-*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                r = SearchResult.from_json(line)
                seen.setdefault((r.arm, r.seed), r)
    return sorted(seen.values(), key=lambda r: (r.arm, r.seed))


def run_jobs(jobs: Iterable[tuple[str, int]], out: Path, part: int, trials: int = TRIALS,
             budget: int = BUDGET, echo: Any = print, fitted: Path | None = None) -> int:
    """Run ``jobs`` not yet recorded under ``out``, appending each result to
    ``out/runs-<part>.jsonl`` as it finishes (a kill loses one search at most).
    ``fitted``: a surrogate fit's JSON (default: the committed ``fitted.json``)."""
    import optuna
    import torch

    from nas.searchbench.surrogate import FITTED, load

    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for arm, seed in jobs:
        if (arm, seed) in done(out):
            continue
        r = run_one(arm, seed, trials, budget, load(fitted or FITTED))
        with open(out / f"runs-{part}.jsonl", "a") as f:
            f.write(r.to_json() + "\n")
        n += 1
        echo(f"{arm} seed {seed}: {r.counted} trained, {r.top} top-rung, "
             f"{r.duplicates} duplicates, {r.images:,} images, {r.wall_s:.0f} s")
    return n


def all_jobs(arms: Sequence[str], seeds: Sequence[int]) -> list[tuple[str, int]]:
    """Seed-major order: a stopped benchmark leaves complete seeds (every arm) behind."""
    return [(a, s) for s in seeds for a in arms]


def run_parallel(jobs: Sequence[tuple[str, int]], out: Path, processes: int,
                 trials: int = TRIALS, budget: int = BUDGET, fitted: Path | None = None
                 ) -> None:
    """``run_jobs`` split over ``processes`` spawned processes (process k takes every
    processes-th job from k and appends to runs-<k>.jsonl); in this process if 1."""
    if processes == 1:
        run_jobs(jobs, out, 0, trials, budget, fitted=fitted)
        return
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=run_jobs, args=(list(jobs[k::processes]), out, k, trials,
                                                budget, print, fitted))
             for k in range(processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    bad = [p.exitcode for p in procs if p.exitcode]
    if bad:
        raise RuntimeError(f"benchmark processes exited with codes {bad}")
