"""One seed of one architecture: train with the ``full`` preset, then test once.

The only module of ``nas.retrain`` that calls the trainer (``nas.train.run.fit``, as
``nas train`` does). ``result.json`` is written last, so its presence means "done";
before that, the trainer's checkpoint resumes. With ``test=False`` the seed is trained
and validated only (``test_acc`` None): a later call with ``test=True`` evaluates the
saved model on the test split once, without training again.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nas.errors import NasError
from nas.io import save_model
from nas.retrain.outputs import write_csv, write_json


@dataclass(frozen=True)
class SeedRun:
    """One finished seed: accuracies as fractions 0..1, seconds of training (wall; CPU
    seconds: the process CPU time, None in results written before it was recorded)."""

    seed: int
    val_acc: float
    test_acc: float | None  # None: not tested yet (--no-test)
    test_loss: float | None
    epochs: int
    seconds: float
    stopped_early: bool
    config: dict[str, Any]
    history: list[dict[str, Any]]
    model_path: str
    cpu_seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.pop("history")
        return d


def _plain(obj: Any) -> Any:
    """JSON/torch.load(weights_only)-safe copy of a config or metrics object."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    return json.loads(json.dumps(obj, default=str))


def _load_done(result: Path, config: dict[str, Any]) -> SeedRun | None:
    if not result.is_file():
        return None
    run = SeedRun(**json.loads(result.read_text()))
    if run.config != config:
        raise NasError(f"{result.parent} holds a retrain with a different config "
                       f"(epochs {run.config.get('epochs')}); pass another --out or remove it")
    return run


def train_seed(genome: str, data: Any, d: Path, *, seed: int, epochs: int | None,
               device: str | None, progress: str,
               echo: Callable[[str], None] = print, test: bool = True,
               recipe: Mapping[str, Any] | None = None) -> SeedRun:
    """Train ``genome`` with ``seed`` into directory ``d`` (resuming), then test once
    (``test=False``: validation only; a later ``test=True`` call tests the saved model).

    ``recipe``: TrainConfig overrides of the ``full`` preset (flip, tta, amp, cutout,
    ema ...; None values keep the preset's)."""
    from nas.train import preset
    from nas.train.run import fit

    config = preset("full", **{**(recipe or {}), "seed": seed, "epochs": epochs})
    plain = _plain(config)
    d.mkdir(parents=True, exist_ok=True)
    done = _load_done(d / "result.json", plain)
    if done is not None and test and done.test_acc is None:
        echo(f"  seed {seed}: trained before without testing; testing it once now")
        return _test_saved(d, done, data, config, device)
    if done is not None:
        echo(f"  seed {seed}: already done ({d / 'result.json'})")
        return done
    f = fit(genome, data, config, checkpoint=d / "checkpoint.pt", device=device,
            progress=progress, test=test)
    res, history = f.result, [_plain(h) for h in f.result.history]
    run = SeedRun(seed=seed, val_acc=float(res.val_acc), test_acc=f.test_acc,
                  test_loss=f.test_loss, epochs=int(res.epochs), seconds=float(res.seconds),
                  stopped_early=bool(res.stopped_early), config=plain, history=history,
                  model_path=str(d / "model.pt"), cpu_seconds=res.cpu_seconds)
    write_csv(d / "history.csv", history)
    _save(d, f.model, run)
    return run


def _save(d: Path, net: Any, run: SeedRun) -> None:
    """model.pt with the run's figures, then result.json (last: its presence means done)."""
    metrics = {k: v for k, v in run.to_dict().items() if k not in ("config", "model_path")}
    save_model(d / "model.pt", net, config=run.config, metrics=metrics)
    write_json(d / "result.json", dataclasses.asdict(run))


def _test_saved(d: Path, run: SeedRun, data: Any, config: Any, device: str | None) -> SeedRun:
    """The one test evaluation of a seed trained with ``test=False``: load its model,
    evaluate, record it in result.json and the model file's metrics."""
    from nas.io import load
    from nas.train.device import pick_device
    from nas.train.run import evaluate_test

    if not (d / "model.pt").is_file():  # a checkout of results, without their weights
        raise NasError(f"{d} was trained without testing, and its model.pt is gone: "
                       f"remove {d / 'result.json'} to train it again")
    dev = pick_device(device)
    net = load(d / "model.pt", device=dev)
    test_loss, test_acc = evaluate_test(net, data.to(dev), config)
    run = dataclasses.replace(run, test_acc=test_acc, test_loss=test_loss)
    _save(d, net, run)
    return run
