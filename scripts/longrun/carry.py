"""Carry unfinished long runs from one machine to the next, through git.

A session's machine is gone when the session ends; a fresh checkout of main is all the
next one gets, and ``studies/``, ``runs/`` and checkpoints are not in git. So at a
session's end ``save`` copies into ``results/carry/`` (committed) exactly what the
running jobs need to continue where they stopped, and at the next session's start
``restore`` puts it back:

- every study in ``studies/*.db`` (sqlite's backup API: a consistent copy while a search
  writes to it) and its log ``studies/<name>.out`` (its pause lines net the wall time),
  but a finished one: a study whose snapshot under ``results/`` (``study.db`` of a
  search's results, committed when it ended) holds all its trials is already in git
  (its checkpoints below are still carried while it has them);
- every unfinished training run under ``results/`` (a folder with ``checkpoint.pt`` and
  no ``result.json``: a baseline run, a seed of ``nas retrain``): its files but model.pt;
- the checkpoints of a successive-halving study that are still needed: each candidate
  that is training (its retry resumes it) and each top-rung run (``nas retrain`` tests it
  as seed 0 instead of training it again). A halted candidate is never trained on, so its
  checkpoint stays behind.

``results/carry/`` mirrors the repository's paths. ``save`` replaces it; ``restore``
copies a file back only where the path is missing (this machine's own state wins).

    python scripts/longrun/carry.py save       # at a session's end, then commit results/carry/
    python scripts/longrun/carry.py restore    # on a fresh checkout, before resuming the queues
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CARRY = Path("results/carry")
KEEP = {"README.md"}  # carry's own files, never copied back


def studies(root: Path) -> list[Path]:
    """The study databases of this machine's searches."""
    return sorted((root / "studies").glob("*.db"))


def _trial_counts(db: Path) -> dict[str, int]:
    """Each study in ``db``: its name and number of trials."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return {s.study_name: s.n_trials for s in optuna.get_all_study_summaries(f"sqlite:///{db}")}


def snapshotted(root: Path) -> dict[str, int]:
    """The studies that have a snapshot under results/ (outside the carry): name and
    the most trials one of its snapshots holds."""
    out: dict[str, int] = {}
    for db in sorted((root / "results").rglob("*.db")):
        if (root / CARRY) not in db.parents:
            for name, n in _trial_counts(db).items():
                out[name] = max(n, out.get(name, 0))
    return out


def in_git(db: Path, snapshots: dict[str, int]) -> bool:
    """Whether every study of ``db`` has a snapshot with all its trials: a finished
    search, which a fresh machine takes from there (a resumed search has new trials)."""
    counts = _trial_counts(db)
    return bool(counts) and all(snapshots.get(k, -1) >= n for k, n in counts.items())


def open_runs(root: Path) -> Iterator[Path]:
    """Files of training runs under results/ that have not finished (checkpoint, no
    result.json), but the model (written only at the end)."""
    for ckpt in sorted((root / "results").rglob("checkpoint.pt")):
        run = ckpt.parent
        if (root / CARRY) in run.parents or (run / "result.json").exists():
            continue
        yield from (f for f in sorted(run.iterdir()) if f.is_file() and f.name != "model.pt")


def sh_checkpoints(root: Path, db: Path) -> Iterator[Path]:
    """The candidate checkpoints of ``db``'s successive-halving studies still needed:
    candidates in training and runs that reached the top rung."""
    import optuna

    from nas.study.record import Status, records

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{db}"
    for summary in optuna.get_all_study_summaries(storage):
        study = optuna.load_study(study_name=summary.study_name, storage=storage)
        attrs = study.user_attrs
        if attrs.get("strategy") != "sh" or not attrs.get("runs_dir"):
            continue
        top = len(attrs["rungs"]) - 1
        folder = root / attrs["runs_dir"] / study.study_name
        for r in records(study.get_trials(deepcopy=False)):
            needed = r.running or (r.status == Status.TRAINED and r.rung == top)
            path = folder / f"{r.arch_id}.pt"
            if needed and r.arch_id and path.is_file():
                yield path


def carried(root: Path) -> list[Path]:
    """Every file ``save`` copies, as paths under ``root``."""
    files, snapshots = list(open_runs(root)), snapshotted(root)
    for db in studies(root):
        log = db.with_suffix(".out")
        if not in_git(db, snapshots):
            files += [db, *([log] if log.is_file() else [])]
        files += sh_checkpoints(root, db)  # a pick still to test its seed 0 needs its own
    return sorted(set(files))


def _copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a sqlite database that may be written to meanwhile."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def save(root: Path) -> list[Path]:
    """Replace ``results/carry/`` with copies of ``carried(root)``; their paths there."""
    carry = root / CARRY
    carry.mkdir(parents=True, exist_ok=True)
    for old in carry.iterdir():
        if old.name not in KEEP:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    out = []
    for f in carried(root):
        target = carry / f.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if f.suffix == ".db":
            _copy_db(f, target)
        else:  # checkpoints are written to a temporary file and renamed: complete
            shutil.copy2(f, target)
        out.append(target)
    return out


def restore(root: Path) -> tuple[list[Path], list[Path]]:
    """Copy each carried file back where it is missing: (restored, kept as found)."""
    carry, restored, kept = root / CARRY, [], []
    for f in sorted(p for p in carry.rglob("*") if p.is_file()):
        if f.parent == carry and f.name in KEEP:
            continue
        target = root / f.relative_to(carry)
        if target.exists():
            kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)
        restored.append(target)
    return restored, kept


def _size(paths: list[Path]) -> str:
    return f"{sum(p.stat().st_size for p in paths) / 1e6:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("action", choices=["save", "restore"])
    p.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    args = p.parse_args(argv)
    root = args.root.resolve()
    if args.action == "save":
        out = save(root)
        for f in out:
            print(f"carried {f.relative_to(root / CARRY)}")
        print(f"{len(out)} files, {_size(out)} in {CARRY}/: commit them")
    else:
        restored, kept = restore(root)
        for f in restored:
            print(f"restored {f.relative_to(root)}")
        for f in kept:
            print(f"kept this machine's {f.relative_to(root)}")
        print(f"{len(restored)} restored, {len(kept)} already here")
    return 0


if __name__ == "__main__":
    sys.exit(main())
