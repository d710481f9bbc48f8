"""scripts/longrun/carry.py: what a fresh machine needs to continue the long runs goes into
results/carry/, compressed, and comes back; nothing else does, and no carry passes the
size limit of one hand-over unasked."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from pathlib import Path

import optuna
import pytest
import torch

SCRIPT = Path(__file__).parents[2] / "scripts" / "longrun" / "carry.py"
spec = importlib.util.spec_from_file_location("carry", SCRIPT)
carry = importlib.util.module_from_spec(spec)
sys.modules["carry"] = carry
spec.loader.exec_module(carry)


def _sh_study(root: Path) -> None:
    """studies/s.db: an sh study (rungs 1, 3) with a top-rung run, a halted one, a
    training one, and their checkpoints under runs/search/s/ (only the training one's is
    carried)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    (root / "studies").mkdir()
    study = optuna.create_study(study_name="s", storage=f"sqlite:///{root}/studies/s.db",
                                directions=["maximize", "minimize"])
    for k, v in {"strategy": "sh", "rungs": [1, 3], "runs_dir": "runs/search"}.items():
        study.set_user_attr(k, v)
    for arch, rung, status in [("top", 1, "trained"), ("halted", 0, "trained"),
                               ("busy", 0, "training")]:
        t = study.ask()
        for k, v in {"arch_id": arch, "rung": rung, "status": status}.items():
            t.set_user_attr(k, v)
        if status == "trained":
            study.tell(t, [0.5, 1000])
    (root / "studies" / "s.out").write_text("# 2026-12-01T06:00:00Z paused\n")
    ckpts = root / "runs" / "search" / "s"
    ckpts.mkdir(parents=True)
    for arch in ("top", "halted", "busy"):
        (ckpts / f"{arch}.pt").write_bytes(arch.encode())


def _run(root: Path, name: str, done: bool) -> None:
    d = root / "results" / "budget" / "runs" / "R30" / name
    d.mkdir(parents=True)
    for f in ("checkpoint.pt", "run.log", "model.pt"):
        (d / f).write_text(f"{name} {f}")
    if done:
        (d / "result.json").write_text(json.dumps({"test_acc": 0.5}))


def test_save_carries_what_resumes_and_restore_puts_it_back(tmp_path):
    _sh_study(tmp_path)
    _run(tmp_path, "open-s0", done=False)
    _run(tmp_path, "done-s0", done=True)
    saved = carry.save(tmp_path)
    rel = {p.relative_to(tmp_path / carry.CARRY).as_posix() for p in saved}
    assert rel == {"studies/s.db.xz", "studies/s.out", "runs/search/s/busy.pt.xz",
                   "results/budget/runs/R30/open-s0/checkpoint.pt.xz",
                   "results/budget/runs/R30/open-s0/run.log"}

    # a fresh machine: no studies/, no runs/, no checkpoint, but git's files
    for p in ("studies/s.db", "studies/s.out", "runs/search/s/top.pt", "runs/search/s/busy.pt",
              "results/budget/runs/R30/open-s0/checkpoint.pt"):
        (tmp_path / p).unlink()
    (tmp_path / "results/budget/runs/R30/open-s0/run.log").write_text("this machine's")
    restored, kept = carry.restore(tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in restored} == {
        r.removesuffix(".xz") for r in rel} - {"results/budget/runs/R30/open-s0/run.log"}
    assert not (tmp_path / "runs/search/s/top.pt").exists()
    assert (tmp_path / "runs/search/s/busy.pt").read_bytes() == b"busy"
    assert (tmp_path / "results/budget/runs/R30/open-s0/run.log").read_text() == "this machine's"
    assert [p.name for p in kept] == ["run.log"]
    study = optuna.load_study(study_name="s", storage=f"sqlite:///{tmp_path}/studies/s.db")
    assert len(study.trials) == 3


def test_save_replaces_the_last_carry(tmp_path):
    _run(tmp_path, "open-s0", done=False)
    carry.save(tmp_path)
    (tmp_path / "results/budget/runs/R30/open-s0/result.json").write_text("{}")  # finished
    (tmp_path / carry.CARRY / "README.md").write_text("kept")
    assert carry.save(tmp_path) == []
    assert [p.name for p in (tmp_path / carry.CARRY).iterdir()] == ["README.md"]
    assert carry.restore(tmp_path) == ([], [])


def test_a_study_whose_snapshot_is_in_results_stays_behind(tmp_path):
    """A finished search is in git already (its snapshot), and a study that grew past
    its snapshot (a resumed search) is carried again."""
    _sh_study(tmp_path)
    snap = tmp_path / "results" / "budget" / "picks" / "s"
    snap.mkdir(parents=True)
    carry._copy_db(tmp_path / "studies" / "s.db", snap / "study.db")
    rel = {p.relative_to(tmp_path / carry.CARRY).as_posix() for p in carry.save(tmp_path)}
    assert rel == {"runs/search/s/busy.pt.xz"}

    optuna.load_study(study_name="s", storage=f"sqlite:///{tmp_path}/studies/s.db").ask()
    rel = {p.relative_to(tmp_path / carry.CARRY).as_posix() for p in carry.save(tmp_path)}
    assert {"studies/s.db.xz", "studies/s.out"} <= rel


def _checkpoint(path: Path, n: int = 50_000) -> dict:
    """A checkpoint shaped as ``nas train`` writes it: model, SGD momentum, history."""
    model = torch.nn.Linear(n // 100, 100)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(4, n // 100)).sum().backward()
    opt.step()
    for buf in opt.state.values():  # as varied as a trained run's (this one's rows repeat)
        buf["momentum_buffer"].copy_(torch.randn_like(buf["momentum_buffer"]) * 1e-3)
    state = {"version": 1, "model": model.state_dict(), "optimizer": opt.state_dict(),
             "ema": None, "genome": "g", "history": [{"epoch": 1}]}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    return state


def test_a_checkpoint_comes_back_bit_for_bit_and_halved_only_when_asked(tmp_path):
    ckpt = tmp_path / "results/budget/runs/R30/open-s0/checkpoint.pt"
    _checkpoint(ckpt)
    exact = ckpt.read_bytes()
    (packed,) = carry.save(tmp_path)
    exact_size = packed.stat().st_size
    ckpt.unlink()
    carry.restore(tmp_path)
    assert ckpt.read_bytes() == exact

    (halved,) = carry.save(tmp_path, half=True)
    assert halved.stat().st_size < 0.6 * exact_size
    ckpt.unlink()
    carry.restore(tmp_path)
    before = torch.load(io.BytesIO(exact), weights_only=False)
    after = torch.load(ckpt, weights_only=False)
    assert carry.HALF not in after
    for key in ("weight", "bias"):
        assert after["model"][key].dtype == torch.float32
        torch.testing.assert_close(after["model"][key], before["model"][key],
                                   rtol=1e-3, atol=1e-4)
    momentum = after["optimizer"]["state"][0]["momentum_buffer"]
    assert momentum.dtype == torch.float32
    torch.testing.assert_close(momentum, before["optimizer"]["state"][0]["momentum_buffer"],
                               rtol=1e-2, atol=1e-6)
    assert after["history"] == before["history"]


def test_a_carry_over_the_limit_is_refused_and_the_last_one_kept(tmp_path, capsys):
    _checkpoint(tmp_path / "results/budget/runs/R30/open-s0/checkpoint.pt")
    last = carry.save(tmp_path)
    ckpt = tmp_path / "results/budget/runs/R30/open-s1/checkpoint.pt"
    _checkpoint(ckpt, n=400_000)  # 1.6 MB of weights and as much momentum
    with pytest.raises(carry.OverLimit, match=r"over the 2 MB .*open-s1/checkpoint.pt.xz"):
        carry.save(tmp_path)
    assert sorted(p for p in (tmp_path / carry.CARRY).rglob("*") if p.is_file()) == last
    assert carry.main(["save", "--root", str(tmp_path)]) == 1
    assert "error: the carry would take" in capsys.readouterr().err
    assert carry.main(["save", "--root", str(tmp_path), "--half"]) == 0


def test_a_carry_written_before_compression_still_restores(tmp_path):
    old = tmp_path / carry.CARRY / "runs/search/s/busy.pt"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"busy")
    restored, _ = carry.restore(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in restored] == ["runs/search/s/busy.pt"]
    assert (tmp_path / "runs/search/s/busy.pt").read_bytes() == b"busy"
