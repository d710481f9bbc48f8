"""Carry unfinished long runs from one machine to the next, through git, in little space.

A machine may be reclaimed between two sittings; a fresh checkout of main is all the
next one gets, and ``studies/``, ``runs/`` and checkpoints are not in git. So before the
machine goes, ``save`` writes into ``results/carry/`` (committed) what the stopped runs
need to continue, and on the next machine ``restore`` puts it back. Every hand-over
adds its carry to main's history for good, so it carries as little as resumes exactly
(the policy: results/carry/README.md):

- every study in ``studies/*.db`` (sqlite's backup API: a consistent copy while a search
  writes to it) and its log ``studies/<name>.out`` (its pause lines net the wall time),
  but a finished one: a study whose snapshot under ``results/`` (``study.db`` of a
  search's results, committed when it ended) holds all its trials is already in git;
- every unfinished training run under ``results/`` (a folder with ``checkpoint.pt`` and
  no ``result.json``: a baseline run, a seed of ``nas retrain``): its files but model.pt;
- of a successive-halving study, the checkpoints of the candidates in training (a retry
  resumes them). Not those of halted candidates (never trained on) nor of top-rung runs:
  without its search run ``nas retrain`` trains a pick's seed 0 again, so a search and
  its pick's seed 0 are meant to run in one sitting.

Studies and checkpoints are stored xz-compressed (``<name>.xz``; lossless, so a resume is
exact). ``--half`` also stores each checkpoint's model weights as fp16 and its optimizer
state as bf16 (half the size; momentum spans values below fp16's normal range): the
resumed run is then close to, not exactly, the one that stopped, so use it only where
the run's README says so. ``save`` refuses a carry over ``--max-mb`` (default 2 MB) and
names its largest files; the carry of the last hand-over is left as it was.

``results/carry/`` mirrors the repository's paths. ``save`` replaces it; ``restore``
writes a file back only where the path is missing (this machine's own state wins).

    python scripts/longrun/carry.py save [--half] [--max-mb 2]   # then commit results/carry/
    python scripts/longrun/carry.py restore                      # on a fresh checkout
"""

from __future__ import annotations

import argparse
import io
import lzma
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CARRY = Path("results/carry")
KEEP = {"README.md"}  # carry's own files, never copied back
MAX_MB = 2.0  # one hand-over's size limit (results/carry/README.md)


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
    """The checkpoints of ``db``'s successive-halving studies that a resume needs: those
    of the candidates in training."""
    import optuna

    from nas.study.record import records

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{db}"
    for summary in optuna.get_all_study_summaries(storage):
        study = optuna.load_study(study_name=summary.study_name, storage=storage)
        attrs = study.user_attrs
        if attrs.get("strategy") != "sh" or not attrs.get("runs_dir"):
            continue
        folder = root / attrs["runs_dir"] / study.study_name
        for r in records(study.get_trials(deepcopy=False)):
            path = folder / f"{r.arch_id}.pt"
            if r.running and r.arch_id and path.is_file():
                yield path


def carried(root: Path) -> list[Path]:
    """Every file ``save`` carries, as paths under ``root``."""
    files, snapshots = list(open_runs(root)), snapshotted(root)
    for db in studies(root):
        log = db.with_suffix(".out")
        if not in_git(db, snapshots):
            files += [db, *([log] if log.is_file() else [])]
        files += sh_checkpoints(root, db)
    return sorted(set(files))


def _copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a sqlite database that may be written to meanwhile."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


COMPRESSED = {".db", ".pt"}  # stored as <name>.xz; logs and small files as they are
HALF = "carried_half"  # a checkpoint key: its float tensors were halved by ``save --half``


def _halve(state: dict, half: bool) -> dict:
    """``state`` (a checkpoint) with its model (and EMA) weights as fp16 and its optimizer
    state as bf16 (``half``), or back to fp32 (not ``half``)."""
    import torch

    def cast(o, dtype):
        if isinstance(o, torch.Tensor):
            return o.to(dtype) if o.is_floating_point() else o
        if isinstance(o, dict):
            return type(o)((k, cast(v, dtype)) for k, v in o.items())
        return o

    out = dict(state)
    for key, dtype in (("model", torch.float16), ("ema", torch.float16),
                       ("optimizer", torch.bfloat16)):
        if out.get(key) is not None:
            out[key] = cast(out[key], dtype if half else torch.float32)
    if half:
        out[HALF] = True
    else:
        out.pop(HALF, None)
    return out


def _pack(source: Path, target: Path, half: bool) -> Path:
    """Write ``source`` under ``target`` as carried: compressed (``.xz``) for studies and
    checkpoints, halved first with ``half``; the path written."""
    if source.suffix not in COMPRESSED:
        shutil.copy2(source, target)
        return target
    if source.suffix == ".db":
        _copy_db(source, target)
        data = target.read_bytes()
        target.unlink()
    elif half:
        import torch

        state = torch.load(source, map_location="cpu", weights_only=False)
        buf = io.BytesIO()
        torch.save(_halve(state, half=True), buf)
        data = buf.getvalue()
    else:  # checkpoints are written to a temporary file and renamed: complete
        data = source.read_bytes()
    packed = target.with_name(target.name + ".xz")
    packed.write_bytes(lzma.compress(data))
    return packed


def _unpack(source: Path, target: Path) -> None:
    """Write the carried ``source`` back to ``target`` (its repository path)."""
    if source.suffix != ".xz":
        shutil.copy2(source, target)
        return
    data = lzma.decompress(source.read_bytes())
    if target.suffix == ".pt" and HALF.encode() in data:
        import torch

        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=False)
        if state.get(HALF):
            buf = io.BytesIO()
            torch.save(_halve(state, half=False), buf)
            data = buf.getvalue()
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)


class OverLimit(Exception):
    """The carry would exceed the size limit of one hand-over."""


def save(root: Path, half: bool = False, max_mb: float | None = MAX_MB) -> list[Path]:
    """Replace ``results/carry/`` with ``carried(root)``, packed; their paths there.
    Over ``max_mb`` MB in all (None: no limit) it raises ``OverLimit`` and leaves the
    carry as it was."""
    carry = root / CARRY
    carry.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        staged = []
        for f in carried(root):
            target = Path(tmp) / f.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.append(_pack(f, target, half))
        total = sum(p.stat().st_size for p in staged)
        if max_mb is not None and total > max_mb * 1e6:
            big = sorted(staged, key=lambda p: -p.stat().st_size)[:3]
            raise OverLimit(
                f"the carry would take {total / 1e6:.1f} MB, over the {max_mb:g} MB of one "
                "hand-over (results/carry/README.md); largest: "
                + ", ".join(f"{p.relative_to(tmp)} {p.stat().st_size / 1e6:.1f} MB"
                            for p in big)
                + ". Let the run finish, or carry it with --half where its README allows, "
                "or raise --max-mb and say why in the commit")
        for old in carry.iterdir():
            if old.name not in KEEP:
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        out = []
        for p in staged:
            target = carry / p.relative_to(tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(p, target)
            out.append(target)
    return out


def _origin(carried_file: Path, carry: Path) -> Path:
    """The repository path (relative) a carried file restores to."""
    rel = carried_file.relative_to(carry)
    return rel.with_suffix("") if rel.suffix == ".xz" else rel


def restore(root: Path) -> tuple[list[Path], list[Path]]:
    """Write each carried file back where it is missing: (restored, kept as found)."""
    carry, restored, kept = root / CARRY, [], []
    for f in sorted(p for p in carry.rglob("*") if p.is_file()):
        if f.parent == carry and f.name in KEEP:
            continue
        target = root / _origin(f, carry)
        if target.exists():
            kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _unpack(f, target)
        restored.append(target)
    return restored, kept


def _size(paths: list[Path]) -> str:
    return f"{sum(p.stat().st_size for p in paths) / 1e6:.2f} MB"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("action", choices=["save", "restore"])
    p.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    p.add_argument("--half", action="store_true",
                   help="save: checkpoints' weights as fp16, optimizer state as bf16 (a close, "
                        "not exact, resume; only where the run's README says so)")
    p.add_argument("--max-mb", type=float, default=MAX_MB,
                   help=f"save: refuse a carry over this many MB (default {MAX_MB:g}; 0: no limit)")
    args = p.parse_args(argv)
    root = args.root.resolve()
    if args.action == "save":
        try:
            out = save(root, half=args.half, max_mb=args.max_mb or None)
        except OverLimit as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
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
