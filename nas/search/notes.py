"""The notes ``nas search`` prints before its first trial: the short-proxy warning and
the time estimate (``nas.search.preflight`` words them), one line each."""

from __future__ import annotations

from typing import Any

import optuna

from nas.data import Dataset
from nas.search import preflight
from nas.search.config import SearchConfig
from nas.search.processes import device_of
from nas.search.space import as_space
from nas.search.totals import images_spent
from nas.study.record import records
from nas.study.workers import slots
from nas.train import TrainConfig


def notes(config: SearchConfig, study: optuna.Study, data: Dataset, echo: Any) -> None:
    """The short-proxy warning and the time estimate, one line each, before trial one."""
    proxy = config.plan.recipe(config)
    n = len(data.y_train)
    warning = (preflight.short_proxy_warning(n, proxy.epochs, proxy.batch_size)
               if config.plan.warns_short_proxy() else None)
    if warning:
        echo(warning)
    left = config.trials - slots(records(study))[0]
    if left <= 0:
        return
    device = device_of(config.device, 0)
    measured = preflight.study_rate(records(study))
    if measured is not None:  # a resumed study: its own candidates, evaluation included
        ips, on = measured[0], f"this study's {measured[1]} trained candidates"
    else:
        ips, on = _typical_rate(config, data, proxy, device, echo), "a typical net"
    epochs = config.plan.epochs_per_candidate(config)  # sh: the top 1/eta go further
    allowance = (None if config.max_images is None else
                 max(0, config.max_images - images_spent(records(study))))
    echo(preflight.estimate_line(left, round(epochs, 2), n, ips,
                                 preflight.device_type(device), allowance, config.workers,
                                 on))


def _typical_rate(config: SearchConfig, data: Dataset, proxy: TrainConfig, device: str | None,
                  echo: Any) -> float:
    """Training images/s of a typical net of the space (NaN if it cannot be measured:
    an estimate must never stop a search)."""
    try:
        genome = preflight.typical_genome(as_space(config.space), config.budget, data,
                                          fill_to=config.filling)
        return preflight.images_per_second(genome, data, proxy, device)
    except Exception as e:
        echo(f"note: throughput not measured ({type(e).__name__}: {e})")
        return float("nan")
