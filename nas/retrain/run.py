"""``retrain``: full training of the picked architectures, seeds, test set once at the end.

Layout under ``out`` (default ``results/<study>/``)::

    summary.csv  summary.md
    <arch_id>/model.pt  metrics.json  history.csv  curves.svg
    <arch_id>/seeds/<seed>/checkpoint.pt  model.pt  history.csv  result.json

A seed whose ``result.json`` exists is done and is skipped; otherwise the trainer resumes
from that seed's per-epoch ``checkpoint.pt``, so rerunning a killed command continues.
Several processes running the same command share it: each trains the seeds no other
process holds (``nas.retrain.claim``), then waits for the rest and writes the summary.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna

from nas.analysis import analyze
from nas.errors import NasError
from nas.retrain.claim import claim
from nas.retrain.outputs import write_csv, write_curves, write_json, write_summary
from nas.retrain.select import Pick, pick
from nas.retrain.train_seed import SeedRun, train_seed
from nas.significance import mean_std
from nas.study.record import save_retrain
from nas.study.storage import open_study, read_only
from nas.train.metrics import TrainingDiverged


@dataclass(frozen=True)
class RetrainSummary:
    """What ``retrain`` produced: one row per model (fractions 0..1, seconds)."""

    study: str
    out: Path
    rows: list[dict[str, Any]]
    picks: list[Pick]


def _default_data(study: optuna.Study) -> str:
    return str(study.user_attrs.get("data", "cifar10"))


def _dataset(data: Any, study: optuna.Study, subset: int | None, device: str | None) -> Any:
    """A ``Dataset`` from a spec string (default: the study's ``data`` attr, else cifar10)
    or a ``Dataset`` passed through (``subset`` applied)."""
    from nas.data import load_dataset  # torch-heavy: only once there is work to do

    if data is None or isinstance(data, str | Path):
        return load_dataset(str(data or _default_data(study)), subset=subset, device=device)
    return data.subset(subset)


def _model_row(p: Pick, runs: list[SeedRun], index: int, image_size: int) -> dict[str, Any]:
    stats = analyze(p.trial.genome, image_size)  # MACs at the size of the images trained on
    val, val_sd = mean_std([r.val_acc for r in runs])
    tested = [r.test_acc for r in runs if r.test_acc is not None]
    test, test_sd = mean_std(tested) if len(tested) == len(runs) else (None, None)
    return {
        "rank": index, "pareto_rank": p.rank, "trial": p.trial.number,
        "arch_id": stats.arch_id, "params": stats.params, "macs": stats.macs, "rf": stats.rf,
        "proxy_val_acc": float(p.trial.val_acc), "final_val_acc": val, "final_val_acc_std": val_sd,
        "test_acc": test, "test_acc_std": test_sd, "seeds": len(runs),
        "epochs": runs[0].epochs, "seconds": round(sum(r.seconds for r in runs), 1),
        "genome": stats.genome,
    }


def _write_model_dir(d: Path, row: dict[str, Any], runs: list[SeedRun], reason: str) -> None:
    """Top-level files of one architecture; model.pt is the seed best on *validation*.
    A checkout of committed results has the seeds' result.json but not their weights
    (*.pt stays out of git): then model.pt is left as it is, and the figures rewritten."""
    best = max(runs, key=lambda r: r.val_acc)
    weights = d / "seeds" / str(best.seed) / "model.pt"
    if weights.is_file():
        shutil.copyfile(weights, d / "model.pt")
    write_json(d / "metrics.json", {**row, "reason": reason, "model_seed": best.seed,
                                    "per_seed": [r.to_dict() for r in runs]})
    history = [{"seed": r.seed, **h} for r in runs for h in r.history]
    write_csv(d / "history.csv", history)
    write_curves(d / "curves.svg", best.history, f"{row['arch_id']} seed {best.seed}")


def sh_epochs(study: optuna.Study) -> int | None:
    """The schedule the study's strategy trained to (sh: its top rung), else None."""
    from nas.search import strategies

    return strategies.of_study(study.user_attrs).retrain_epochs(study.user_attrs)


def study_recipe(study: optuna.Study, **given: Any) -> dict[str, Any]:
    """TrainConfig overrides of a retrain: each of ``given`` (flip, amp, cutout, ema)
    that is not None, else what the search recorded on the study (None: the preset's).
    TTA follows the flips: a net never shown mirrored images is not tested on them."""
    from nas.train.config import flip_overrides

    recipe = {k: v if v is not None else study.user_attrs.get(k) for k, v in given.items()}
    return {**recipe, **flip_overrides(recipe.get("flip"))}


def _reuse_search_run(study: optuna.Study, genome: str, seed_dir: Path,
                      epochs: int | None, echo: Callable[[str], None],
                      recipe: Mapping[str, Any]) -> None:
    """Seed 0 of a pick of an ``sh`` study *is* its top-rung search run (same recipe,
    same seed): copy that run's finished checkpoint in, so retrain only tests it (and
    trains the other seeds) instead of a second identical long run. Skipped when the
    checkpoint is missing (another machine) or was trained with another recipe."""
    from nas.train import checkpoint as ckpt
    from nas.train import preset

    runs = study.user_attrs.get("runs_dir")
    target = seed_dir / "checkpoint.pt"
    if sh_epochs(study) is None or runs is None or target.exists():
        return
    source = Path(runs) / study.study_name / f"{analyze(genome).arch_id}.pt"
    if not source.is_file():
        return
    config = preset("full", **{**recipe, "seed": 0, "epochs": epochs}).to_dict()
    try:
        state = ckpt.load(source, genome, config)
    except NasError:
        return
    if state is None or len(state["history"]) != config["epochs"]:
        return
    seed_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    echo(f"  seed 0: the search's top-rung run ({source}), tested once here")


def _claimed_seeds(d: Path, seeds: int, one: Callable[[int], SeedRun],
                   echo: Callable[[str], None]) -> list[SeedRun]:
    """Seeds 0..S-1 of the model in ``d``, each under its claim (``nas.retrain.claim``):
    the free ones first, then those another process holds, once it lets go (they are
    done by then, and only read; or that process died, and this one resumes them)."""
    runs: dict[int, SeedRun] = {}
    for wait in (False, True):
        for s in (s for s in range(seeds) if s not in runs):
            with claim(d / "seeds" / str(s), wait=wait) as held:
                if held:
                    runs[s] = one(s)
                else:
                    echo(f"  seed {s}: another process trains it; the other seeds first")
    return [runs[s] for s in range(seeds)]


def _retrain_one(p: Pick, index: int, dataset: Any, out_dir: Path, seeds: int,
                 epochs: int | None, device: str | None, progress: str,
                 echo: Callable[[str], None], study: optuna.Study,
                 recipe: Mapping[str, Any], test: bool = True) -> dict[str, Any]:
    genome = p.trial.genome
    d = out_dir / analyze(genome).arch_id

    def one(s: int) -> SeedRun:
        if s == 0:
            _reuse_search_run(study, genome, d / "seeds" / "0", epochs, echo, recipe)
        return train_seed(genome, dataset, d / "seeds" / str(s), seed=s, epochs=epochs,
                          device=device, progress=progress, echo=echo, test=test,
                          recipe=recipe)

    runs = _claimed_seeds(d, seeds, one, echo)
    row = _model_row(p, runs, index, dataset.image_size)
    with claim(d, wait=True):  # two processes finishing together write one at a time
        _write_model_dir(d, row, runs, p.reason)
    tested = ("test not evaluated (--no-test)" if row["test_acc"] is None else
              f"test {row['test_acc']:.4f} (+-{row['test_acc_std']:.4f})")
    echo(f"{row['arch_id']}: val {row['final_val_acc']:.4f} (+-{row['final_val_acc_std']:.4f})"
         f" {tested}, {seeds} seed(s), {row['epochs']} epochs")
    return row


def _header(study: str, how: str, top: int, seeds: int, data: str, subset: int | None,
            picks: list[Pick], test: bool = True) -> list[str]:
    sub = f", subset {subset}" if subset else ""
    tested = ("test accuracy is evaluated once per seed after training." if test else
              "the test split was not evaluated (--no-test).")
    return [f"# retrain of study `{study}`", "",
            f"Pick `{how}`, top {top}, {seeds} seed(s), data `{data}`{sub}. Accuracies are "
            f"fractions (0..1); {tested}", "",
            *[f"- {p.reason}" for p in picks]]


def retrain(target: str | Path, study_name: str | None = None, *, top: int = 3,
            how: str = "best", epochs: int | None = None, seeds: int = 1,
            data: str | Any = None, subset: int | None = None, out: str | Path | None = None,
            device: str | None = None, progress: str = "auto",
            echo: Callable[[str], None] = print, flip: bool | None = None,
            test: bool = True, amp: str | None = None, cutout: int | None = None,
            ema: float | None = None) -> RetrainSummary:
    """Retrain ``top`` Pareto-optimal trials of a study with the ``full`` preset.

    ``epochs`` overrides the preset's epoch count (default for an ``sh`` study: its top
    rung, whose search run then serves as seed 0); ``seeds`` runs seeds 0..S-1 and reports
    mean and std; ``data``/``subset`` default to the study's data and the full 45k train
    split (``data`` may also be a ``nas.data.Dataset``). Test accuracy is measured once
    per seed after training and selects nothing; ``test=False`` trains and validates only,
    and a later call with the same settings tests the saved models once. Stores
    ``test_acc``/``final_val_acc`` (means over seeds) on the study for each trial
    (``nas.study.save_retrain``).
    ``progress`` is the trainer's mode: auto, rich, plain or none. The recipe follows
    the search unless given: ``flip`` (flips and mirrored TTA), ``amp`` (mixed
    precision), ``cutout`` (px) and ``ema`` (decay) default to the study's recorded
    values, else the preset's (``study_recipe``).
    """
    if seeds < 1:
        raise NasError(f"--seeds must be >= 1, got {seeds}")
    if epochs is not None and epochs < 1:
        raise NasError(f"--epochs must be >= 1, got {epochs}")
    study = open_study(target, study_name)
    epochs = epochs if epochs is not None else sh_epochs(study)  # sh: the top rung's
    picks = pick(study, top, how)
    out_dir = Path(out) if out is not None else Path("results") / study.study_name
    out_dir.mkdir(parents=True, exist_ok=True)
    if len(picks) < top:  # say so, and retrain what exists (not an error)
        echo(f"note: --top {top} but the study has only {len(picks)} trained "
             f"architecture(s): retraining {len(picks)}")
    for i, p in enumerate(picks, 1):
        echo(f"pick {i}/{len(picks)}: {p.reason}")
    record = not read_only(target)  # hours of retraining must not end on a failed write
    if not record:
        echo(f"note: {target} is read-only: results go to summary.csv, not onto the study")
    dataset = _dataset(data, study, subset, device)
    recipe = study_recipe(study, flip=flip, amp=amp, cutout=cutout, ema=ema)
    rows = []
    for i, p in enumerate(picks, 1):
        try:
            row = _retrain_one(p, i, dataset, out_dir, seeds, epochs, device, progress, echo,
                               study, recipe, test)
        except TrainingDiverged as e:  # one bad model must not cost the others
            echo(f"trial {p.trial.number}: {e}; left out of the summary")
            continue
        rows.append(row)
        if record:
            save_retrain(study, p.trial.number, test_acc=row["test_acc"],
                         final_val_acc=row["final_val_acc"], test_acc_std=row["test_acc_std"],
                         retrain_epochs=row["epochs"], retrain_seeds=seeds)
    data_name = _default_data(study) if data is None else getattr(data, "name", str(data))
    with claim(out_dir, wait=True):
        write_summary(out_dir, rows, _header(study.study_name, how, top, seeds, data_name,
                                             subset, picks, test))
    echo(f"summary: {out_dir / 'summary.csv'}")
    return RetrainSummary(study.study_name, out_dir, rows, picks)
