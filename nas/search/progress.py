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

from nas.search.totals import Stats, compute
from nas.study.record import Status, TrialRecord, as_record


def trial_line(t: FrozenTrial | TrialRecord) -> str:
    """One line for a finished trial: outcome, figures, genome."""
    r = as_record(t)
    st = r.status or r.state.name.lower()
    timed = f" {r.latency_ms:6.2f} ms" if r.latency_ms is not None else ""
    size = (f"{r.params:>9,} params {(r.macs or 0) / 1e6:7.2f}M MACs{timed} rf {r.rf or 0:>3}"
            if r.params is not None else "")
    if st in (Status.TRAINED, Status.STOPPED, Status.DUPLICATE) and r.val_acc is not None:
        if st == Status.TRAINED and r.halted:  # sh: not promoted at its last rung
            what = (f"halted    val {r.val_acc:.4f} at rung {(r.rung or 0) + 1} "
                    f"after {r.epochs}/{r.planned_epochs} ep")
        elif st == Status.TRAINED:
            top = " (top rung)" if r.sh else ""
            what = f"trained   val {r.val_acc:.4f}  {r.train_seconds:6.1f}s{top}"
        elif st == Status.STOPPED:
            what = (f"stopped   val {r.val_acc:.4f} < median {r.stop_median or 0:.4f} "
                    f"after {r.epochs}/{r.planned_epochs} ep")
        else:
            what = f"duplicate of #{r.duplicate_of}: val {r.val_acc:.4f} reused"
        return f"#{r.number:<4} {what}  {size}  {r.genome or ''}"
    if st == Status.REJECTED:
        return f"#{r.number:<4} rejected  {r.reject_reason}"
    if st == Status.SURPLUS:
        return f"#{r.number:<4} skipped   the target was reached by other workers"
    if st == Status.IN_FLIGHT:
        return f"#{r.number:<4} skipped   trial #{r.duplicate_of} is training this network"
    if r.state == TrialState.FAIL:
        return f"#{r.number:<4} failed    {r.fail_reason or 'error (see log)'}  {size}"
    return f"#{r.number:<4} {st}"


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
