"""``nas bench-search``: the training-free benchmark of search strategies (issue 44)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("bench-search")
@click.option("--seeds", type=click.IntRange(min=1), default=20, show_default=True,
              help="Search seeds per arm (each seed is also the surrogate's landscape).")
@click.option("--first-seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--trials", type=click.IntRange(min=1), default=200, show_default=True,
              help="Trained candidates per search.")
@click.option("--arms", default="random,tpe-raw,tpe-rung,tpe-1obj", show_default=True,
              help="Comma-separated arms (nas.searchbench.run.ARMS).")
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True,
              help="Processes (one thread each), each running every jobs-th search.")
@click.option("--out", type=click.Path(file_okay=False), default="results/searchbench",
              show_default=True, help="Results folder: runs-*.jsonl, table, figure.")
@click.option("--fitted", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A surrogate fit (JSON of nas.searchbench.surrogate.Fitted); default: "
                   "the committed nas/searchbench/fitted.json.")
@click.option("--report-only", is_flag=True, help="Run nothing: tabulate what --out holds.")
def bench_search(seeds: int, first_seed: int, trials: int, arms: str, jobs: int, out: str,
                 fitted: str | None, report_only: bool) -> None:
    """Compare search strategies on surrogate learning curves, without training.

    Runs the real search loop (sampler, sh strategy, fill, screen, dedup, rung promotion)
    at --budget 200000 on the default space (--strategy sh --eta 3 --min-epochs 1
    --max-epochs 30 --fill 0.85), each candidate "trained" by reading a learning curve
    fitted on the budget study's recorded curves (nas.searchbench.surrogate). Writes one
    JSON line per (arm, seed) search as it ends (a rerun skips the recorded ones), then
    table.md/.csv, contrasts.csv (paired Wilcoxon and t tests) and curve.svg to --out.
    """
    from nas.searchbench.report import write
    from nas.searchbench.run import ARMS, all_jobs, read_results, run_parallel

    names = [a for a in arms.split(",") if a]
    unknown = [a for a in names if a not in ARMS]
    if unknown:
        raise click.BadParameter(f"unknown arm(s) {unknown}; known: {', '.join(ARMS)}",
                                 param_hint="--arms")
    folder = Path(out)
    if not report_only:
        run_parallel(all_jobs(names, range(first_seed, first_seed + seeds)), folder, jobs,
                     trials, fitted=Path(fitted) if fitted else None)
    results = [r for r in read_results(folder) if r.arm in names]
    if not results:
        raise click.ClickException(f"no benchmark results in {folder}")
    click.echo(write(results, names, folder))


COMMANDS = [bench_search]
