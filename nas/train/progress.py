"""Training progress: a rich bar on a terminal, one plain line per epoch otherwise, or none.

Everything goes to stderr so that ``--json`` output on stdout stays parseable.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol

from nas.errors import NasError
from nas.train.metrics import EpochMetrics

MODES = ("auto", "rich", "plain", "none")


class Reporter(Protocol):
    def start_epoch(self, epoch: int, epochs: int, steps: int) -> None: ...
    def step(self, done: int, loss: float, acc: float, images: int) -> None: ...
    def end_epoch(self, m: EpochMetrics, epochs: int) -> None: ...
    def close(self) -> None: ...


def _line(m: EpochMetrics, epochs: int) -> str:
    return (f"epoch {m.epoch}/{epochs}  train loss {m.train_loss:.4f} acc {m.train_acc:.4f}  "
            f"val loss {m.val_loss:.4f} acc {m.val_acc:.4f}  lr {m.lr:.4g}  {m.seconds:.1f}s")


class Quiet:
    """Library use: report nothing."""

    def start_epoch(self, epoch: int, epochs: int, steps: int) -> None:
        pass

    def step(self, done: int, loss: float, acc: float, images: int) -> None:
        pass

    def end_epoch(self, m: EpochMetrics, epochs: int) -> None:
        pass

    def close(self) -> None:
        pass


class Plain(Quiet):
    """One line per epoch on stderr (logs, CI, pipes)."""

    def end_epoch(self, m: EpochMetrics, epochs: int) -> None:
        print(_line(m, epochs), file=sys.stderr, flush=True)


class Rich(Quiet):
    """A live bar: epoch, batch, running loss and accuracy, images/s and ETA."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[stats]}"), TimeRemainingColumn(),
                            console=self.console, transient=True)
        self.bar.start()
        self.task = None
        self.t0 = time.perf_counter()

    def start_epoch(self, epoch: int, epochs: int, steps: int) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
        self.t0 = time.perf_counter()
        self.task = self.bar.add_task(f"epoch {epoch}/{epochs}", total=steps, stats="")

    def step(self, done: int, loss: float, acc: float, images: int) -> None:
        rate = images / max(1e-9, time.perf_counter() - self.t0)
        self.bar.update(self.task, completed=done,
                        stats=f"loss {loss:.4f} acc {acc:.4f} {rate:,.0f} img/s")

    def end_epoch(self, m: EpochMetrics, epochs: int) -> None:
        self.bar.console.print(_line(m, epochs))

    def close(self) -> None:
        self.bar.stop()


def reporter(mode: str | bool) -> Reporter:
    """``auto`` = rich on a terminal, plain otherwise; ``True``/``False`` = auto/none."""
    mode = {True: "auto", False: "none"}.get(mode, mode) if isinstance(mode, bool) else mode
    if mode not in MODES:
        raise NasError(f"progress {mode!r}: expected one of {', '.join(MODES)}")
    if mode == "auto":
        mode = "rich" if sys.stderr.isatty() else "plain"
    return {"rich": Rich, "plain": Plain, "none": Quiet}[mode]()
