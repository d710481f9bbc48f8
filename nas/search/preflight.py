"""Checks and notes before a search opens its study, so a doomed run fails in seconds.

Device and data are checked before the study exists: a missing GPU or an unreadable
``--data`` must not leave an empty study behind (or record the wrong data on it). The
notes (time estimate, too-short proxy) are printed once, before the first trial.
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
from collections.abc import Sequence
from typing import Any

import optuna
import torch

from nas.data import Dataset
from nas.errors import NasError
from nas.search.quick import QUICK_EPOCHS, QUICK_SUBSET
from nas.search.screen import Limits, screen
from nas.search.space import FixedChooser, Space
from nas.study.record import TrialRecord
from nas.train.config import TrainConfig

MIN_STEPS = 50  # optimizer steps under which proxy-trained nets score near chance
# Training steps of the estimate: a fresh process runs its first steps slower (measured on
# a 2-core CPU: 1 warm-up + 2 timed read 1,960-2,014 images/s, 5 + 5 read 2,188-2,678, a
# whole epoch 2,850; results/quickstart.md), so it warms up first. ~2 s on a CPU.
WARMUP_STEPS = 4
TIMED_STEPS = 4


def check_device(device: str | None) -> None:
    """NasError unless ``device`` ('cpu', 'cuda', 'cuda:1', None = auto) exists here.

    Without this check every candidate fails on the missing device and the search ends
    with nothing trained after minutes of screening.
    """
    from nas.train.device import pick_device

    try:
        dev = pick_device(device)
    except NasError:
        raise
    except Exception as e:  # torch.device('tpu') and other names torch does not know
        raise NasError(f"unknown --device {device!r}: use cpu, cuda or cuda:N ({e})") from None
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise NasError(f"--device {device!r}: only {torch.cuda.device_count()} CUDA device(s)")
    if dev.type not in ("cpu", "cuda"):
        raise NasError(f"--device {device!r} is not supported: use cpu, cuda or cuda:N")


def check_storage(url: str) -> None:
    """Open ``url`` now unless that would create a file (a new sqlite or journal study):
    a wrong server URL or a file that is no database fails before the data loads, and a
    bad ``--data`` still leaves no new study file behind."""
    from nas.study.storage import file_path, make_storage

    path = file_path(url)
    if path is None or path.exists():
        make_storage(url)


def device_type(device: str | None) -> str:
    """'cpu' or 'cuda': what the estimate line names."""
    from nas.train.device import pick_device

    return pick_device(device).type


def check_recorded(study: optuna.Study, recorded: dict[str, Any]) -> None:
    """Refuse a study that recorded other data (or flips) than this run's.

    ``nas retrain`` follows the recorded values, so a study trained on one data set but
    recording another prints a retrain command that fails or retrains on the wrong data.
    A study without trials (a first run that failed) takes this run's values instead.
    """
    old = study.user_attrs
    if not study.get_trials(deepcopy=False):
        for k, v in recorded.items():
            if old.get(k) != v:
                study.set_user_attr(k, v)
        return
    for k, v in recorded.items():
        if k in old and old[k] != v:
            raise NasError(f"study {study.study_name!r} was searched with {k}={old[k]!r}, "
                           f"not {v!r}: rerun with --{k} {old[k]}, or pick a new --study")


def proxy_steps(train_images: int, epochs: int, batch_size: int) -> int:
    """Optimizer steps one proxy training runs (partial batches dropped)."""
    return epochs * max(1, train_images // batch_size)


def short_proxy_warning(train_images: int, epochs: int, batch_size: int) -> str | None:
    """One line when the proxy is too short to rank candidates above chance, else None."""
    steps = proxy_steps(train_images, epochs, batch_size)
    if steps >= MIN_STEPS:
        return None
    return (f"warning: proxy trains {steps} steps ({epochs} epochs x {train_images:,} images "
            f"/ batch {batch_size}); below ~{MIN_STEPS} steps nets score near chance even "
            "with precise BN; consider a larger --subset, more --proxy-epochs or a smaller "
            "--batch-size")


def typical_genome(space: Space, budget: int, data: Dataset, samples: int = 24,
                   fill_to: float | None = None) -> Any:
    """The median-sized (params) of ``samples`` random nets of the space that fit
    ``budget``, fitted to ``data``: what a trial trains on average, for the estimate.
    With ``fill_to`` (the search's --fill), each is first scaled as the search scales it
    (a filled net is up to several times a sampled one's size and cost). Screening costs
    milliseconds per net (meta device); falls back to middle choices."""
    from nas.analysis import count_params
    from nas.search.fill import fill

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    fits = []
    for _ in range(samples):
        genome = space.sample(study.ask(), budget)
        if fill_to:
            genome = fill(genome, budget, fill_to, count_params)
            if genome is None:  # the search rejects this topology: not trained
                continue
        params = count_params(genome)
        if params <= budget:
            fits.append((params, str(genome), genome))
    if fits:
        genome = sorted(fits, key=lambda f: f[:2])[len(fits) // 2][2]
    else:
        genome = space.sample(FixedChooser({}, lambda c: c[len(c) // 2]), budget)
    return genome.replace_head(c=data.num_classes, i=data.in_chans)


def images_per_second(genome: Any, data: Dataset, config: TrainConfig,
                      device: str | None) -> float:
    """Training images/s of ``genome`` on ``device``: a few warm-up steps, then a few
    timed (WARMUP_STEPS, TIMED_STEPS). Good to a factor of ~2, which is what an
    estimate in hours needs.
    """
    from nas.builder import build
    from nas.data import TrainLoader
    from nas.train.device import pick_device
    from nas.train.step import Stepper

    dev = pick_device(device)
    small = data.subset(min(len(data.y_train),
                            config.batch_size * (WARMUP_STEPS + TIMED_STEPS)))
    small = small.to(dev)
    net = build(genome).to(dev, memory_format=torch.channels_last)
    loader = TrainLoader(small, config.batch_size, pad=config.pad, cutout=config.cutout)
    stepper = Stepper(net, config.replace(compile=False),
                      total_steps=WARMUP_STEPS + TIMED_STEPS + 1, device=dev)
    batches = (b for epoch in itertools.count() for b in loader.epoch(epoch))
    for _ in range(WARMUP_STEPS):
        stepper.step(*next(batches))
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    n, t0 = 0, time.perf_counter()
    for _ in range(TIMED_STEPS):
        x, y = next(batches)
        stepper.step(x, y)
        n += len(y)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    return n / max(time.perf_counter() - t0, 1e-9)


MIN_MEASURED = 3  # trained candidates of a resumed study that replace the typical net


def study_rate(trials: Sequence[TrialRecord]) -> tuple[float, int] | None:
    """(training images per wall-second, candidates) over the finished candidates of a
    resumed study, one worker's rate: their images over their trials' durations, so
    screening, zero-cost scores and evaluation are included and the nets are the ones
    this search samples. A trial at under a third of the median trial's rate was
    stopped or starved part of the time (a suspended job, a machine asleep) and is left
    out. None with fewer than MIN_MEASURED candidates."""
    runs = []
    for r in trials:
        t = r.trial
        if r.is_counted and r.images and r.retry_of is None and t is not None \
                and t.datetime_start and t.datetime_complete:
            runs.append((r.images, (t.datetime_complete - t.datetime_start).total_seconds()))
    runs = [(i, s) for i, s in runs if s > 0]
    if len(runs) < MIN_MEASURED:
        return None
    median = statistics.median(i / s for i, s in runs)
    kept = [(i, s) for i, s in runs if i / s >= median / 3]
    return sum(i for i, _ in kept) / sum(s for _, s in kept), len(kept)


def estimate_line(trials: int, epochs: float, train_images: int, ips: float,
                  device: str, allowance: int | None = None, workers: int = 1,
                  measured_on: str = "a typical net") -> str:
    """'about 1.4 h on this cpu (...)': training images left over the measured rate of
    one worker (``ips``) times ``workers``. ``epochs`` per candidate may be an average
    (successive halving); ``allowance`` (--max-images left) caps the images when it comes
    first; ``measured_on`` says where ``ips`` comes from."""
    images = round(trials * epochs * train_images)
    how = (f"{trials} trials x {epochs:g} epochs x {train_images:,} images = {images:,} "
           "training images")
    if allowance is not None and allowance < images:
        images = allowance
        how = f"--max-images: {images:,} training images left"
    rate = ips * workers
    seconds = images / rate if rate > 0 and math.isfinite(rate) else float("nan")
    per = f" ({workers} workers x ~{ips:,.0f})" if workers > 1 else ""
    line = (f"estimate: about {_duration(seconds)} on this {device} ({how} at "
            f"~{rate:,.0f} images/s{per} measured on {measured_on}; rejected candidates "
            "are free, early stopping makes it shorter)")
    if not seconds > LONG_S:
        return line
    capped = how.startswith("--max-images")
    ways = quicker_ways(rate, device, epochs * train_images, None if capped else trials,
                        seconds)
    return f"{line}; quicker: {_either(ways)}"


LONG_S = 3600  # seconds: an estimate past an hour names the quicker ways (quicker_ways)


def quicker_ways(rate: float, device: str, images_per_trial: float, trials: int | None,
                 seconds: float) -> list[str]:
    """The options that shorten a search estimated at ``seconds`` (> LONG_S) to about
    LONG_S at ``rate`` training images/s: ``--quick`` unless the proxy is already that
    small (``images_per_trial``), a ``--max-images`` allowance, fewer ``--trials`` (when
    the trials, not an allowance, set the estimate) and, on a CPU, a CUDA GPU."""
    ways = []
    if images_per_trial > QUICK_SUBSET * QUICK_EPOCHS:
        ways.append(f"--quick (the CPU quick start: {QUICK_EPOCHS} epochs on "
                    f"{QUICK_SUBSET:,} images a candidate)")
    ways.append(f"--max-images {_round_down(rate * LONG_S):,} (a compute allowance of "
                "about an hour here)")
    fewer = math.floor(trials * LONG_S / seconds) if trials else 0
    if 1 <= fewer < (trials or 0):
        ways.append(f"--trials {fewer} (about an hour)")
    if device == "cpu":
        ways.append("a CUDA GPU (--device cuda)")
    return ways


def _either(ways: list[str]) -> str:
    """'a, b or c'."""
    return ways[0] if len(ways) == 1 else f"{', '.join(ways[:-1])} or {ways[-1]}"


def _round_down(x: float) -> int:
    """``x`` rounded down to two significant digits (7,234,567 -> 7,200,000), at least 1."""
    if x < 100:
        return max(1, math.floor(x))
    step = 10 ** (math.floor(math.log10(x)) - 1)
    return int(x // step * step)


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "? (throughput not measured)"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def check_given(given: Sequence[str], limits: Limits, data: Dataset) -> None:
    """Each ``--start-from`` net (zoo name or genome) meets the search's limits with the
    data's head, or the search does not start: a given net over the budget is a slip on
    the command line, not a candidate to reject quietly."""
    from nas.zoo import resolve

    for name in given:
        genome = resolve(name)[1].replace_head(c=data.num_classes, i=data.in_chans)
        why = screen(genome, limits, data.image_size).reject_reason
        if why:
            raise NasError(f"--start-from {name}: {why}")
