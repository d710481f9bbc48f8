"""``nas retrain``, ``nas report`` and ``nas dashboard``: what a user does after a search."""

from __future__ import annotations

import click

from nas.cli.commands.train import AMP_HELP, CUTOUT_HELP, EMA_HELP, FLIP_HELP
from nas.retrain.select import PICKS
from nas.train.config import AMP_MODES

STUDY_HELP = "Only needed when the storage holds several studies."


@click.command()
@click.argument("study_path", metavar="STUDY")
@click.option("--study", "study_name", help=STUDY_HELP)
@click.option("--top", default=3, show_default=True, type=click.IntRange(min=1),
              help="How many Pareto-optimal trials to retrain.")
@click.option("--pick", "how", default="best", show_default=True, type=click.Choice(PICKS),
              help="best: highest proxy val acc on the front; spread: even along params; "
              "accuracy: highest proxy val acc at any size (bigger nets a hair behind).")
@click.option("--epochs", type=click.IntRange(min=1),
              help="Epochs of full training [default: the top rung of an --strategy sh "
                   "study, else the 'full' preset's 40].")
@click.option("--seeds", default=1, show_default=True, type=click.IntRange(min=1),
              help="Train each model with seeds 0..S-1; report mean and std.")
@click.option("--data", help="Data spec as for `nas train`: cifar10, an .npz or a batches folder "
              "[default: the study's `data` user attr if any, else cifar10].")
@click.option("--subset", type=click.IntRange(min=1),
              help="Train on the first N training images only (default: all 45,000).")
@click.option("--out", type=click.Path(file_okay=False), help="[default: results/<study>/]")
@click.option("--device", help="cpu or cuda [default: cuda if available].")
@click.option("--flip/--no-flip", default=None,
              help=FLIP_HELP + " Default: what the search used (recorded on the study).")
@click.option("--amp", type=click.Choice(AMP_MODES), default=None,
              help=AMP_HELP + " Default: what the search used (recorded on the study).")
@click.option("--cutout", type=click.IntRange(min=0), default=None, metavar="PX",
              help=CUTOUT_HELP + ". Default: what the search used, else 0 (off).")
@click.option("--ema", type=click.FloatRange(0, 1, max_open=True), default=None,
              metavar="DECAY", help=EMA_HELP + ". Default: what the search used, else off.")
@click.option("--no-test", is_flag=True,
              help="Train and validate only, leaving the test split untouched (compare "
              "on validation first); rerun without it to test the saved models once.")
def retrain(study_path: str, study_name: str | None, top: int, how: str, epochs: int | None,
            seeds: int, data: str | None, subset: int | None, out: str | None,
            device: str | None, flip: bool | None, amp: str | None, cutout: int | None,
            ema: float | None, no_test: bool) -> None:
    """Retrain the best architectures of STUDY (a .db file or storage URL) in full.

    Rerun the same command after an interruption: finished seeds are kept and the
    running one resumes from its last epoch. Run the same command in several terminals
    (one per GPU or core) and they split the seeds between them.
    """
    from nas.retrain import retrain as run

    run(study_path, study_name, top=top, how=how, epochs=epochs, seeds=seeds, data=data,
        subset=subset, out=out, device=device, echo=click.echo,
        flip=flip, test=not no_test, amp=amp, cutout=cutout, ema=ema)


@click.command()
@click.argument("study_path", metavar="STUDY")
@click.option("--study", "study_name", help=STUDY_HELP)
@click.option("--out", type=click.Path(file_okay=False), help="[default: results/<study>/]")
@click.option("--budget", type=click.IntRange(min=1),
              help="Parameter budget line to draw [default: the study's recorded budget].")
@click.option("--no-attach", is_flag=True, help="Do not write figures and notes to the study.")
def report(study_path: str, study_name: str | None, out: str | None, budget: int | None,
           no_attach: bool) -> None:
    """HTML report (Pareto front, MACs, history, outcomes, importance) and CSVs of STUDY."""
    from nas.report import report as run

    r = run(study_path, study_name, out=out, budget=budget, attach=not no_attach)
    counts = ", ".join(f"{k} {v}" for k, v in r.counts.items())
    click.echo(f"report: {r.html}\ntables: {r.trials_csv}, {r.pareto_csv}\ntrials: {counts}")
    if r.attached:
        click.echo("figures and notes attached to the study (see `nas dashboard`)")
    elif not no_attach:
        click.echo(f"{study_path} is read-only: figures and notes not attached to the study")


@click.command()
@click.argument("study_path", metavar="STUDY")
@click.option("--study", "study_name", help="Open this study's page [default: the only one].")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (0.0.0.0 for every interface).")
def dashboard(study_path: str, study_name: str | None, port: int, host: str) -> None:
    """Browse STUDY in optuna-dashboard; prints the URL, Ctrl-C stops it."""
    from nas.dashboard import dashboard as run

    run(study_path, study_name, host=host, port=port, echo=click.echo)


COMMANDS = [retrain, report, dashboard]
