"""What a search shows while it runs: a progress bar over trained trials and one line per
finished trial, read from the study, so trials finished by other workers or machines
show up too."""

from __future__ import annotations

from optuna.trial import FrozenTrial, TrialState
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from nas.search import results as R
from nas.search.stats import Stats, compute


def trial_line(t: FrozenTrial) -> str:
    """One line for a finished trial: outcome, figures, genome."""
    a = t.user_attrs
    st = a.get("status", t.state.name.lower())
    size = (f"{a['params']:>9,} params {a.get('macs', 0) / 1e6:7.2f}M MACs rf {a.get('rf', 0):>3}"
            if "params" in a else "")
    if st in (R.TRAINED, R.STOPPED, R.DUPLICATE) and "val_acc" in a:
        if st == R.TRAINED:
            what = f"trained   val {a['val_acc']:.4f}  {a.get('train_seconds', 0):6.1f}s"
        elif st == R.STOPPED:
            what = (f"stopped   val {a['val_acc']:.4f} < median {a.get('stop_median', 0):.4f} "
                    f"after {a.get('epochs')}/{a.get('planned_epochs')} ep")
        else:
            what = f"duplicate of #{a.get('duplicate_of')}: val {a['val_acc']:.4f} reused"
        return f"#{t.number:<4} {what}  {size}  {a.get('genome', '')}"
    if st == R.REJECTED:
        return f"#{t.number:<4} rejected  {a.get('reject_reason')}"
    if st == R.SURPLUS:
        return f"#{t.number:<4} skipped   the target was reached by other workers"
    if st == R.IN_FLIGHT:
        return f"#{t.number:<4} skipped   trial #{a.get('duplicate_of')} is training this network"
    if t.state == TrialState.FAIL:
        return f"#{t.number:<4} failed    {a.get('fail_reason', 'error (see log)')}  {size}"
    return f"#{t.number:<4} {st}"


class Monitor:
    """Progress over ``target`` trained trials; ``update(trials)`` prints the new finished
    ones. Trials finished before ``start`` (earlier runs) are not printed."""

    def __init__(self, target: int, trials: list[FrozenTrial], enabled: bool = True,
                 console: Console | None = None) -> None:
        self.target = target
        self.enabled = enabled
        self.console = console or Console(stderr=False, highlight=False)
        self.seen = {t.number for t in trials if t.state.is_finished()}
        self.progress = Progress(
            TextColumn("[bold]search"), BarColumn(), MofNCompleteColumn(),
            TextColumn("feasible {task.fields[feasible]}"),
            TextColumn("best val {task.fields[best]}"),
            TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("ETA"),
            TimeRemainingColumn(), console=self.console, transient=True,
            disable=not enabled)
        s = compute(trials)
        self.task = self.progress.add_task("search", total=target, completed=s.counted,
                                           **self._fields(s))
        self.stats = s
        if enabled:
            self.progress.start()

    @staticmethod
    def _fields(s: Stats) -> dict[str, str]:
        return {"feasible": "-" if s.feasible is None else f"{s.feasible:.0%}",
                "best": "-" if s.best_val_acc is None else f"{s.best_val_acc:.4f}"}

    def print(self, text: str) -> None:
        if self.enabled:
            self.progress.console.print(text, markup=False, soft_wrap=True)

    def update(self, trials: list[FrozenTrial]) -> Stats:
        for t in sorted(trials, key=lambda t: t.number):
            if t.state.is_finished() and t.number not in self.seen:
                self.seen.add(t.number)
                self.print(trial_line(t))
        self.stats = compute(trials)
        self.progress.update(self.task, completed=min(self.stats.counted, self.target),
                             **self._fields(self.stats))
        return self.stats

    def close(self) -> None:
        if self.enabled:
            self.progress.stop()
