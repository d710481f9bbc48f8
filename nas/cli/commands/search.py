"""``nas search`` (Optuna search under a parameter budget) and ``nas spaces``."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.table import Table

from nas.cli.commands.train import AMP_HELP, CUTOUT_HELP, EMA_HELP, FLIP_HELP, THREADS_HELP
from nas.cli.commands.train import _threads as set_threads
from nas.errors import NasError
from nas.search import samplers, strategies
from nas.search.config import (
    FILL,
    PRESCREEN_SCORE,
    PRESCREEN_SCORES,
    RESNET_FROM,
    SAMPLERS,
    STRATEGIES,
    STRATEGY,
)
from nas.search.ending import EXIT_NOTHING_TRAINED
from nas.search.quick import QUICK_HELP, quick_proxy
from nas.search.signals import EXIT_TERMINATED
from nas.search.strategies import halving
from nas.train.config import AMP_MODES


class Count(click.ParamType):
    """A positive-or-not integer that may end in k or M (``200k`` = 200,000)."""

    name = "count"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, int):
            return value
        text = str(value).strip().lower().replace("_", "").replace(",", "")
        mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
        try:
            number = float(text[:-1] if mult > 1 else text)
        except ValueError:
            self.fail(f"{value!r} is not a number (e.g. 200000 or 200k)", param, ctx)
        if not number.is_integer() and mult == 1:
            self.fail(f"{value!r} is not an integer", param, ctx)
        return int(number * mult)


COUNT = Count()


def _objectives(pareto: bool | None, macs: bool, latency: bool) -> int | None:
    """SearchConfig.objectives from the flags (None: the study's, or the default)."""
    if pareto is False and (macs or latency):
        raise NasError("--no-pareto cannot be combined with --macs-objective or "
                       "--latency-objective (they are further Pareto objectives)")
    if macs:
        return 3
    return 2 if pareto or latency else (1 if pareto is False else None)


def _front_table(summary) -> Table:  # type: ignore[no-untyped-def]
    t = Table(title=f"Pareto front of {summary.study} (val acc vs params)")
    for col in ("rank", "trial", "params", "MACs", "latency ms", "rf", "val acc", "genome"):
        t.add_column(col, justify="left" if col == "genome" else "right",
                     overflow="fold" if col == "genome" else "ellipsis")
    for r in _rows(summary):
        ms = "-" if r["latency_ms"] is None else f"{r['latency_ms']:.3f}"
        t.add_row(str(r["rank"]), str(r["trial"]), f"{r['params']:,}",
                  f"{r['macs'] / 1e6:.2f}M", ms, str(r["rf"]), f"{r['val_acc']:.4f}",
                  r["genome"])
    return t


def _rows(summary) -> list[dict]:  # type: ignore[no-untyped-def]
    from nas.study import front_rows

    return front_rows(summary.front)


def _report(summary, console: Console) -> None:  # type: ignore[no-untyped-def]
    s = summary.stats
    if summary.front:
        console.print(_front_table(summary))
    else:
        console.print("no fully trained trials yet: no Pareto front")
    feas = "-" if s.feasible is None else f"{s.feasible:.0%}"
    after = "" if s.feasible_after is None else f" ({s.feasible_after:.0%} after trial 20)"
    sh = summary.config.get("strategy") == "sh"
    how = (f"{s.counted - s.halted} to the top rung, {s.halted} halted below it" if sh else
           f"{s.trained} full, {s.stopped} stopped early")
    saving = (f"halving saved {s.epochs_saved}/{s.epochs_planned} epochs "
              f"({s.saved_fraction:.0%})" if sh else
              f"early stopping saved {s.epochs_saved}/{s.epochs_planned} proxy epochs "
              f"({s.saved_fraction:.0%}, ~{s.seconds_saved:.0f}s)")
    console.print(
        f"trained {s.counted} ({how}), "
        f"{s.rejected} rejected before training, {s.duplicates} duplicates reused, "
        f"{s.failed} failed; feasible {feas} of {s.screened} sampled{after}; screening "
        f"{s.screen_ms_mean or 0:.1f} ms/candidate (max {s.screen_ms_max or 0:.1f}); "
        f"{saving}; {summary.wall_seconds:.0f}s wall",
        markup=False, highlight=False, soft_wrap=True)
    cmds = summary.commands()
    console.print(f"retrain the best:  {cmds['retrain']}", markup=False, soft_wrap=True)
    console.print(f"open the dashboard:  {cmds['dashboard']}", markup=False, soft_wrap=True)


@click.command()
@click.option("--budget", required=True, type=COUNT,
              help="Hard limit on parameters (e.g. 200000 or 200k).")
@click.option("--trials", default=20, show_default=True, type=int,
              help="Trained candidates wanted in the study in total (a rerun tops up). "
                   "With --strategy sh: candidates trained from the lowest rung, each as far "
                   "as it is promoted (about trials/eta^r reach rung r).")
@click.option("--study", default=None, help="Study name [default: <space>-<budget>k].")
@click.option("--storage", default=None,
              help="Optuna storage URL or file: sqlite:///x.db, postgresql://..., "
                   "journal:///x.log [default: sqlite:///studies/<study>.db].")
@click.option("--space", default=None,
              help="Search space in search_spaces/ (see `nas spaces`). [default: resnet "
                   f"from {RESNET_FROM:,} params (it validated best at 400k: "
                   "results/budget), default below]")
@click.option("--rf-min", type=int, default=None,
              help="Reject receptive fields under N px (on the data's images; kernel taps "
                   "that only read padding do not count).")
@click.option("--macs-budget", type=COUNT, default=None,
              help="Reject candidates over N multiply-accumulates per image.")
@click.option("--macs-objective", is_flag=True,
              help="Minimise MACs as a third objective.")
@click.option("--latency-objective", is_flag=True,
              help="Minimise latency_ms as another objective (third, or fourth after "
                   "--macs-objective): the median of 50 timed forward passes, batch 1, ONE "
                   "thread whatever --threads says, on this CPU.")
@click.option("--data", default="cifar10", show_default=True,
              help="cifar10, an .npz file or a folder (see `nas train --help`).")
@click.option("--proxy-epochs", type=int, default=None,
              help="Epochs of proxy training per candidate [default: the proxy preset's].")
@click.option("--batch-size", type=int, default=None,
              help="Images per proxy training step [default: the proxy preset's].")
@click.option("--subset", type=COUNT, default=None,
              help="Train proxies on the first N training images (validation unchanged).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--workers", type=int, default=1, show_default=True,
              help="Worker processes on this machine sharing the study.")
@click.option("--timeout", type=float, default=None, help="Stop after SECONDS of wall time.")
@click.option("--max-images", type=COUNT, default=None,
              help="Compute allowance: start no new candidate once the study's trained "
                   "candidates have seen N training images in total (e.g. 4.5M; those in "
                   "flight finish). Equal compute for comparing strategies or samplers on "
                   "any hardware; set --trials high to let it decide.")
@click.option("--sampler", type=click.Choice(SAMPLERS), default="tpe", show_default=True,
              help="; ".join(f"{n}: {samplers.get(n).summary}" for n in SAMPLERS) + ".")
@click.option("--device", default=None, help="cpu, cuda, cuda:1 [default: cuda if available].")
@click.option("--strategy", type=click.Choice(STRATEGIES), default=None,
              help="; ".join(f"{n}: {strategies.get(n).summary}" for n in STRATEGIES) +
                   f". [default: {STRATEGY} for a new study (single with --quick), the "
                   "study's own on resume]")
@click.option("--pareto/--no-pareto", default=None,
              help="--pareto: maximise val acc and minimise params (the Pareto front; "
                   "halted trials told rung first, then accuracy); --no-pareto: val acc "
                   "alone, the budget a constraint, rungs and early stops decided by "
                   "Optuna's own pruners (halted trials PRUNED). [default: --no-pareto "
                   "with --fill, --pareto without (results/searchbench), the study's own "
                   "on resume; --macs-objective and --latency-objective imply --pareto]")
@click.option("--eta", type=click.IntRange(min=2), default=None,
              help=f"sh: reduction factor between rungs. [default: {halving.ETA}]")
@click.option("--min-epochs", type=click.IntRange(min=1), default=None,
              help=f"sh: epochs of the lowest rung. [default: {halving.MIN_EPOCHS}]")
@click.option("--max-epochs", type=click.IntRange(min=1), default=None,
              help="sh: epochs of the top rung (the full schedule nas retrain uses; rungs "
                   f"at max/eta^k). [default: {halving.MAX_EPOCHS}; sh's options default "
                   "to the study's own on resume]")
@click.option("--promote-by", "promote_by", type=click.Choice(halving.PROMOTE_BY), default=None,
              help="sh: what ranks a candidate at the rungs below the top: raw (its "
                   "accuracy) or ridge (the 30-epoch accuracy predicted from its curve so "
                   "far and MACs/params/depth; ranked better at 1 and 3 epochs on the "
                   "recorded curves, results/curves; fitted for the 30-epoch full-data "
                   "CIFAR-10 recipe only). [default: raw for a new study, the study's own "
                   "on resume]")
@click.option("--fill", type=click.FloatRange(0, 1, max_open=True), default=None,
              help="Scale each sampled topology's widths so its params land in [FILL x "
                   "budget, budget], so the search compares nets of the size paid for; 0: "
                   f"off. [default: {FILL} for a new study (it beat no --fill by 0.44 "
                   "points at 200k: results/search), the study's own on resume]")
@click.option("--prescreen", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=None, help="Reject candidates whose zero-cost score is below this "
                                 "quantile of the earlier ones' (e.g. 0.5), before training. "
                                 "Off by default: 0.5 on macs ended 0.58 points below the "
                                 "same sh search without it at 200k (results/search).")
@click.option("--prescreen-score", type=click.Choice(list(PRESCREEN_SCORES)),
              default=PRESCREEN_SCORE, show_default=True,
              help="The score --prescreen ranks by (macs ranked best in results/fidelity: "
                   "Kendall tau 0.65 against a 15-epoch reference at 200k; synflow 0.36).")
@click.option("--latency-budget", type=click.FloatRange(0, min_open=True), default=None,
              metavar="MS",
              help="Reject candidates whose measured forward pass (median of 50, batch 1, "
                   "one thread, this CPU) takes over MS milliseconds, before training. "
                   "latency_ms is recorded on every screened trial either way: from 50 timed "
                   "passes with this flag or --latency-objective, else from 20 (about 0.06 s "
                   "per default-space candidate on a 2-core CPU: results/latency_cost.md).")
@click.option("--amp", type=click.Choice(AMP_MODES), default="auto", show_default=True,
              help=AMP_HELP + " A study setting: nas retrain follows it.")
@click.option("--no-zero-cost", is_flag=True,
              help="Do not record zero-cost scores (synflow, NASWOT, grad-norm, ZiCo) on "
                   "every screened trial.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON at the end.")
@click.option("--quiet", is_flag=True, help="No progress bar or per-trial lines.")
# -- user-facing extras (issue 12): threads, flips, a CPU-sized proxy
@click.option("--threads", type=click.IntRange(min=1), default=None, help=THREADS_HELP)
@click.option("--flip/--no-flip", default=None, help=FLIP_HELP + " Recorded on the study: "
              "`nas retrain` follows it.")
@click.option("--cutout", type=click.IntRange(min=0), default=None, metavar="PX",
              help=CUTOUT_HELP + ", in every training of the search (with --strategy sh: "
              "the top rung's recipe). Recorded on the study: `nas retrain` follows it. "
              "[default: 0, off]")
@click.option("--ema", type=click.FloatRange(0, 1, max_open=True), default=None,
              metavar="DECAY", help=EMA_HELP + ", in every training of the search. "
              "Recorded on the study: `nas retrain` follows it. [default: off]")
@click.option("--quick", is_flag=True, help=QUICK_HELP)
@click.option("--start-from", "start_from", multiple=True, metavar="ARCH",
              help="Warm start: evaluate this net (a zoo name such as seed004, or a genome "
                   "string) first, as it is, beside what the search samples; repeatable. "
                   "It must meet --budget and the other limits. The study then shows it "
                   "next to the search's nets and `nas retrain` picks it when nothing beats "
                   "it on validation. Queued once per study. Not with --sampler nsga2.")
def search(budget: int, trials: int, study: str | None, storage: str | None, space: str | None,
           rf_min: int | None, macs_budget: int | None, macs_objective: bool,
           latency_objective: bool, data: str,
           proxy_epochs: int | None, batch_size: int | None, subset: int | None, seed: int,
           workers: int, timeout: float | None, max_images: int | None, sampler: str,
           device: str | None, strategy: str | None, pareto: bool | None,
           eta: int | None, min_epochs: int | None, max_epochs: int | None,
           promote_by: str | None, fill: float | None, prescreen: float | None,
           prescreen_score: str, latency_budget: float | None, amp: str, no_zero_cost: bool,
           as_json: bool, quiet: bool, threads: int | None, flip: bool | None,
           cutout: int | None, ema: float | None, quick: bool,
           start_from: tuple[str, ...]) -> None:
    """Search architectures under --budget params with Optuna; rerun to resume."""
    from nas.search import SearchConfig, run_search

    if quick:
        subset, proxy_epochs, batch_size = quick_proxy(subset, proxy_epochs, batch_size)
        strategy = strategy or "single"  # the CPU-sized proxy is single's
    set_threads(threads)
    config = SearchConfig(budget=budget, trials=trials, space=space, study=study,
                          storage=storage, rf_min=rf_min, macs_budget=macs_budget,
                          data=data, proxy_epochs=proxy_epochs, proxy_batch=batch_size,
                          subset=subset, seed=seed,
                          workers=workers, timeout=timeout, max_images=max_images,
                          sampler=sampler,
                          objectives=_objectives(pareto, macs_objective, latency_objective),
                          device=device,
                          strategy=strategy, eta=eta, min_epochs=min_epochs,
                          max_epochs=max_epochs, promote_by=promote_by, fill=fill,
                          prescreen=prescreen,
                          prescreen_score=prescreen_score, zero_cost=not no_zero_cost, amp=amp,
                          latency_budget=latency_budget,
                          latency_objective=latency_objective, flip=flip, cutout=cutout,
                          ema=ema, start_from=start_from)
    console = Console(highlight=False, stderr=as_json)
    summary = run_search(config, progress=not quiet,
                         echo=lambda line: click.echo(line, err=True))
    if summary.ended == "terminated":
        click.echo(f"terminated (SIGTERM): {summary.stats.counted}/{trials} trained trials "
                   "kept, the running one marked failed; rerun the same command to resume",
                   err=True)
        sys.exit(EXIT_TERMINATED)
    if summary.nothing_trained is not None:  # the reason first: no front, no retrain hint
        click.echo(summary.nothing_trained, err=True)
        sys.exit(EXIT_NOTHING_TRAINED)
    if as_json:
        out = {"study": summary.study, "storage": summary.storage, "ended": summary.ended,
               "stats": summary.stats.to_dict(), "front": _rows(summary),
               "wall_seconds": summary.wall_seconds, "commands": summary.commands()}
        click.echo(json.dumps(out))
    _report(summary, console)
    if summary.ended == "exhausted":
        console.print("stopped: the space produced no new architecture in many samples "
                      "(raise --budget or use a larger space)", markup=False)
    elif summary.ended == "timeout":
        console.print("stopped at --timeout; rerun the same command to continue", markup=False)
    elif summary.ended == "allowance":
        console.print(f"stopped: --max-images spent ({summary.stats.images:,} training "
                      "images)", markup=False)
    if summary.interrupted:
        click.echo(f"interrupted: {summary.stats.counted}/{trials} trained trials kept; "
                   "rerun the same command to resume", err=True)
        sys.exit(130)


@click.command()
@click.option("--budget", type=COUNT, default=None,
              help="Show the range at this budget (widths scale with it).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead.")
def spaces(budget: int | None, as_json: bool) -> None:
    """Search spaces in search_spaces/ with the smallest and largest params they reach."""
    from nas.search.space import load_space, overall_range, param_range, space_names

    if budget is not None and budget <= 0:
        raise NasError(f"--budget must be a positive integer, got {budget}")
    rows = []
    for name in space_names():
        s = load_space(name)
        lo, hi = param_range(name, budget) if budget else overall_range(name)
        rows.append({"name": name, "description": s.description, "min_params": lo,
                     "max_params": hi})
    if as_json:
        click.echo(json.dumps(rows))
        return
    where = f" at budget {budget:,}" if budget else " (over all budgets)"
    t = Table(title=f"search spaces{where}")
    for col in ("name", "min params", "max params", "description"):
        t.add_column(col, justify="right" if "params" in col else "left", overflow="fold")
    for r in rows:
        t.add_row(r["name"], f"{r['min_params']:,}", f"{r['max_params']:,}", r["description"])
    Console().print(t)


COMMANDS = [search, spaces]
