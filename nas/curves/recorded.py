"""Every validation learning curve already recorded under results/, as typed rows.

``load_recorded(Path("results"))`` returns one ``Curve`` per training run that validated
after each epoch. Sources (all read-only: study files are read from temporary copies,
``nas.curves.sqlite``):

- ``budget:<search>``: the budget study's successive-halving searches
  (``budget/picks/*/study.db``), one curve per trained or stopped trial (recipe from its
  ``sh`` signature: one run of the top rung's 30-epoch schedule, stopped at a rung or not);
- ``search:<arm>``: the search comparison's arms (``search/*/study.db``): proxy trials
  (``proxy`` signature, 2-3 epochs) and sh trials (20-epoch schedule);
- ``fidelity:<study>:<run>``: the fidelity study (``fidelity/*.db``): its 15-epoch
  reference runs and the 1-3 epoch cheap runs (precise-BN ``history``);
- ``run:<folder>``: every other ``result.json`` with a per-epoch history: the budget
  study's R30 baselines and recipe trials, results/cifar, results/bf16;
- ``retrain:<search>``: the budget picks' retrain seeds
  (``budget/picks/<search>/<arch_id>/seeds/<seed>/result.json``; genome from its study).

Kinds: "search" and "fidelity" (one trial of a study), "run" and "retrain" (a result.json).
Curves compare only within one ``recipe.key`` (nas.curves.recipe).

Duplicates (a trial that reused another's result) and failed trials are left out; so is
results/carry/ (studies still being written). Test-split figures are never read.

At commit time (2026-12-07) on this repository's results/: 854 curves of 697
architectures in 11 recipes, in about 5 s. The budget study's 30-epoch recipe
(``e30_n45000_b256_lr0.2``) holds 247 curves of 206 architectures; 78 of them (37
architectures: 35 search trials, 14 R30 baseline runs, 27 retrain seeds, 2 recipe runs)
reached epoch 30. The search arms' 2-epoch proxy (``e2_n10000_b256_lr0.2``): 343 curves,
245 complete; their 20-epoch sh schedule: 118 curves, 19 complete; the fidelity study's
15-epoch reference: 22 complete curves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from nas.curves.recipe import Recipe, from_config, from_signature
from nas.curves.sqlite import RawTrial, is_test, read_trials

COUNTED = ("trained", "stopped")  # search statuses that trained (Status in nas.study.record)


@dataclass(frozen=True)
class Curve:
    """One training run's validation accuracy after each epoch (fractions 0..1).

    ``val[k - 1]`` is the accuracy after epoch k of ``recipe``'s schedule; ``complete``:
    the run reached the schedule's last epoch (``len(val) == recipe.epochs``), so
    ``val[-1]`` is its final accuracy. ``params`` (trainable numbers), ``macs``
    (multiply-accumulates per 32 px image) and ``depth`` (compute blocks, as the zero-cost
    ``depth`` score counts them) are static figures of ``genome``; None where unknown.
    ``source``: which study or folder, ``ref``: the trial number or the file, ``seed``:
    the training seed where recorded.
    """

    source: str
    kind: str  # "search", "fidelity", "run" or "retrain"
    ref: str
    arch_id: str
    name: str | None
    genome: str | None
    params: int | None
    macs: int | None
    depth: float | None
    recipe: Recipe
    signature: str  # the raw sh / proxy / run id it was read from
    seed: int | None
    val: tuple[float, ...]

    @property
    def complete(self) -> bool:
        """Ran every epoch of its schedule: ``val[-1]`` is the final validation accuracy."""
        return len(self.val) >= self.recipe.epochs

    @property
    def final(self) -> float | None:
        """The validation accuracy at the end of the schedule; None if it stopped early."""
        return self.val[-1] if self.complete else None


def load_recorded(root: Path = Path("results"), static: bool = True) -> list[Curve]:
    """Every recorded validation curve under ``root`` (see the module docstring), sorted
    by source and ref. ``static``: fill params / MACs / depth missing from a run's record
    from any study that screened the same genome, else from the genome itself (about
    0.1-1 s per architecture; False leaves them None)."""
    curves = [*_budget(root), *_search(root), *_fidelity(root), *_runs(root)]
    if static:
        curves = fill_static(curves)
    return sorted(curves, key=lambda c: (c.source, c.ref))


def _study_curves(db: Path, source: str) -> Iterator[Curve]:
    _, trials = read_trials(db)
    for t in trials:
        a = t.attrs
        sig = a.get("sh") or a.get("proxy")
        if a.get("status") not in COUNTED or not a.get("curve") or not sig:
            continue
        yield Curve(source, "search", str(t.number), a["arch_id"], None, a.get("genome"),
                    a.get("params"), a.get("macs"), a.get("depth"), from_signature(sig),
                    sig, None, tuple(float(x) for x in a["curve"]))


def _budget(root: Path) -> Iterator[Curve]:
    for db in sorted((root / "budget" / "picks").glob("*/study.db")):
        yield from _study_curves(db, f"budget:{db.parent.name}")


def _search(root: Path) -> Iterator[Curve]:
    for db in sorted((root / "search").glob("*/study.db")):
        yield from _study_curves(db, f"search:{db.parent.name}")


def _fidelity(root: Path) -> Iterator[Curve]:
    for db in sorted((root / "fidelity").glob("*.db")):
        study, trials = read_trials(db)
        if study.get("kind") != "fidelity":
            continue
        for t in trials:
            if t.state == "COMPLETE" and t.attrs.get("history"):
                yield _fidelity_curve(db.stem, study, t)


def _fidelity_curve(name: str, study: dict[str, Any], t: RawTrial) -> Curve:
    """A fidelity run: the ``full`` recipe (batch 256, peak lr 0.2) for ``epochs`` epochs
    on ``subset`` images (None: all 45,000)."""
    a = t.attrs
    zc = (study.get(f"arch:{a['arch_id']}") or {}).get("zero_cost", {})
    recipe = Recipe(int(a["epochs"]), int(a.get("subset") or 45_000), 256, 0.2)
    return Curve(f"fidelity:{name}:{a['run']}", "fidelity", str(t.number), a["arch_id"],
                 a.get("name"), a.get("genome"), _int(zc.get("params")),
                 _int(zc.get("macs")), zc.get("depth"), recipe, str(a["run"]),
                 study.get("seed"), tuple(float(x) for x in a["history"]))


def _int(x: float | None) -> int | None:
    return None if x is None else int(x)


def _runs(root: Path) -> Iterator[Curve]:
    for path in sorted(root.rglob("result.json")):
        if "carry" in path.relative_to(root).parts:
            continue
        curve = _run_curve(root, path)
        if curve is not None:
            yield curve


def _run_curve(root: Path, path: Path) -> Curve | None:
    """A ``nas train`` / ``nas retrain`` result: validation accuracy per epoch from its
    ``history`` (its test figures are not read)."""
    d = {k: v for k, v in json.loads(path.read_text()).items() if not is_test(k)}
    hist = d.get("history") or []
    if not hist or any(h.get("val_acc") is None for h in hist) or "config" not in d:
        return None
    rel = path.parent.relative_to(root)
    retrain = rel.parts[:2] == ("budget", "picks") and "seeds" in rel.parts
    arch_id = rel.parts[3] if retrain else d.get("arch_id")
    genome = _genome_of(path.parents[3] / "study.db", arch_id) if retrain else d.get("genome")
    if not arch_id:
        return None
    recipe = from_config(d["config"], d.get("train_images") or d.get("subset"))
    source = f"retrain:{rel.parts[2]}" if retrain else f"run:{rel.parent}"
    return Curve(source, "retrain" if retrain else "run", str(rel), arch_id,
                 d.get("name"), genome, d.get("params"), None, None, recipe,
                 recipe.key, d["config"].get("seed", d.get("seed")),
                 tuple(float(h["val_acc"]) for h in hist))


@cache
def _genomes(db: Path) -> dict[str, str]:
    _, trials = read_trials(db)
    return {t.attrs["arch_id"]: t.attrs["genome"] for t in trials
            if t.attrs.get("arch_id") and t.attrs.get("genome")}


def _genome_of(db: Path, arch_id: str) -> str | None:
    return _genomes(db).get(arch_id) if db.exists() else None


def fill_static(curves: Iterable[Curve]) -> list[Curve]:
    """``curves`` with missing params / MACs / depth taken from another curve of the same
    genome, else computed from the genome (nas.analysis.static, nas.zerocost)."""
    curves = list(curves)
    known: dict[str, tuple[int | None, int | None, float | None]] = {}
    for c in curves:
        if c.genome and None not in (c.params, c.macs, c.depth):
            known.setdefault(c.genome, (c.params, c.macs, c.depth))
    out = []
    for c in curves:
        if c.genome and None in (c.params, c.macs, c.depth):
            p, m, d = known.get(c.genome) or static_figures(c.genome)
            c = replace(c, params=c.params or p, macs=c.macs or m,
                        depth=c.depth if c.depth is not None else d)
        out.append(c)
    return out


@cache
def static_figures(genome: str) -> tuple[int, int, float]:
    """(params, MACs per 32 px image, depth in compute blocks) of ``genome``."""
    from nas.analysis.static import macs, params_of
    from nas.genome import Genome
    from nas.zerocost.trivial import DEPTH

    g = Genome.from_string(genome)
    return params_of(g), macs(g, 32), float(sum(DEPTH.get(b.op, 0) for b in g.blocks))
