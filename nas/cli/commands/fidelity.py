"""``nas fidelity``: measure how well cheap proxies rank architectures like full training."""

from __future__ import annotations

from pathlib import Path

import click

from nas.cli.commands.train import DATA_HELP, THREADS_HELP


@click.command()
@click.option("--study", default=None, help="Study name (default: fidelity-<space>-<budget>).")
@click.option("--storage", default=None,
              help="Storage path or URL (default: studies/<study>.db), as for nas search.")
@click.option("--data", default="cifar10", show_default=True, help=DATA_HELP)
@click.option("--space", default="default", show_default=True, help="Search space to sample.")
@click.option("--budget", type=click.IntRange(min=1), default=200_000, show_default=True,
              help="Sampled architectures have at most this many parameters.")
@click.option("-n", "--archs", "n", type=click.IntRange(min=0), default=20, show_default=True,
              help="Architectures sampled uniformly at random from the space under --budget.")
@click.option("--zoo", default="seed003,seed004", show_default=True,
              help="Comma-separated zoo names or genomes added to the samples ('' = none).")
@click.option("--ref-epochs", type=click.IntRange(min=15), default=15, show_default=True,
              help="Epochs of the reference run on the whole training split (full recipe).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the architecture sample and of every training run.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes on this machine (more machines: same --storage and a "
                   "shared --runs-dir).")
@click.option("--threads", type=click.IntRange(min=1), default=None, help=THREADS_HELP)
@click.option("--device", default=None, help="cpu, cuda or cuda:N (default: cuda if present).")
@click.option("--runs-dir", type=click.Path(file_okay=False), default="runs/fidelity",
              show_default=True, help="Per-run checkpoints and claim locks.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Report folder (default: results/fidelity/<study>).")
@click.option("--report-only", is_flag=True,
              help="Train nothing: report what the study holds so far.")
def fidelity(study: str | None, storage: str | None, data: str, space: str, budget: int,
             n: int, zoo: str, ref_epochs: int, seed: int, workers: int, threads: int | None,
             device: str | None, runs_dir: str, out: str | None, report_only: bool) -> None:
    """Rank agreement of cheap proxies with the full schedule, on your space and budget.

    For N architectures sampled under --budget (plus --zoo names) it records zero-cost
    scores at initialisation, the validation accuracy of three short complete schedules
    (1 and 2 epochs on 10k images, 3 epochs on 20k) and of a reference run (--ref-epochs
    on the whole training split, the full recipe; its accuracy after each epoch is a free
    extra proxy), all with precise-BN validation (the stale-statistics figure is kept
    beside it). Then it prints and writes, for every proxy, Kendall tau and Spearman rho
    against the reference with bootstrap 95% intervals, and top-quarter recall: CSV,
    Markdown and an HTML figure in --out. The test split is never used.

    Rerun the same command to resume (runs checkpoint after every epoch); several
    commands with the same --storage share the work.
    """
    import optuna

    from nas.fidelity.report import report
    from nas.fidelity.run import FidelityConfig, run_fidelity

    name = study or f"fidelity-{space}-{budget // 1000}k"
    config = FidelityConfig(
        study=name, storage=storage, data=data, space=space, budget=budget, n=n,
        zoo=tuple(z for z in zoo.split(",") if z), ref_epochs=ref_epochs, seed=seed,
        workers=workers, threads=threads, device=device, runs_dir=Path(runs_dir))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if not report_only:
        trained = run_fidelity(config)
        click.echo(f"{trained} runs trained by this command")
    click.echo(report(config, Path(out) if out else Path("results/fidelity") / name))


COMMANDS = [fidelity]
