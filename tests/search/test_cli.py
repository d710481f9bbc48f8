"""``nas search`` / ``nas spaces`` from the command line: output and one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nas.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize(("args", "needle"), [
    (["--budget", "0"], "--budget must be a positive integer"),
    (["--budget", "-5"], "--budget must be a positive integer"),
    (["--budget", "abc"], "is not a number"),
    (["--budget", "50k", "--space", "nope"], "unknown search space 'nope'"),
    (["--budget", "100", "--space", "small"], "unreachable: the smallest network"),
    (["--budget", "50k", "--trials", "0"], "--trials must be a positive integer"),
    (["--budget", "50k", "--rf-min", "0"], "--rf-min must be a positive integer"),
    (["--budget", "50k", "--storage", "bogus://nowhere"], "cannot open storage"),
    (["--budget", "50k", "--sampler", "grid"], "Invalid value for '--sampler'"),
])
def test_bad_flags_give_one_line_and_exit_2(args, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = run("search", *args)
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], out.output


def test_storage_that_is_not_a_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "notes.db"
    bad.write_text("hello, not sqlite\n" * 10)
    out = run("search", "--budget", "50k", "--storage", str(bad))
    assert out.exit_code == 2 and "not a SQLite database" in out.output


def test_search_cli_prints_front_and_commands(tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    args = ["search", "--budget", "30k", "--space", "small", "--trials", "2", "--data",
            str(npz), "--proxy-epochs", "1",
            "--strategy", "single", "--sampler", "random", "--quiet"]
    out = run(*args)
    assert out.exit_code == 0, out.output
    assert "Pareto front" in out.output and "nas retrain studies/small-30k.db --top 3" in (
        out.output) and "nas dashboard studies/small-30k.db" in out.output
    assert (tmp_path / "studies" / "small-30k.db").exists()
    again = run(*args, "--json")  # already complete: resumes, trains nothing
    summary = json.loads(again.stdout.splitlines()[0])  # notes go to stderr
    assert summary["stats"]["counted"] == 2 and summary["ended"] == "done"


def test_retrain_defaults_to_the_data_the_search_used(tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    assert run("search", "--budget", "30k", "--space", "small", "--trials", "1", "--data",
               str(npz), "--proxy-epochs", "1", "--strategy", "single", "--quiet").exit_code == 0
    out = run("retrain", "studies/small-30k.db", "--top", "1", "--epochs", "1")
    assert out.exit_code == 0, out.output  # no --data: cifar10 would not load here
    assert f"data `{npz}`" in (tmp_path / "results" / "small-30k" / "summary.md").read_text()


def test_spaces_lists_every_space_with_its_range():
    out = run("spaces", "--json")
    assert out.exit_code == 0, out.output
    rows = {r["name"]: r for r in json.loads(out.output)}
    assert {"default", "small"} <= set(rows)
    for r in rows.values():
        assert 0 < r["min_params"] < r["max_params"] and r["description"]


# ------------------------------------------------------------- issue 12: a new user's run

SMALL = ("search", "--budget", "30k", "--space", "small", "--proxy-epochs", "1",
         "--strategy", "single",
         "--sampler", "random", "--quiet")


@pytest.mark.parametrize("device", ["cuda", "tpu"])
def test_missing_device_is_refused_before_the_study(device, tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    out = run(*SMALL, "--trials", "1", "--data", str(npz), "--device", device)
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and device in lines[0], out.output
    assert not (tmp_path / "studies").exists()


def test_budget_that_rejects_everything_exits_1_with_the_reason_first(tmp_path, monkeypatch,
                                                                       npz):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("nas.search.runner.MAX_IDLE", 5)
    out = run("search", "--budget", "2000", "--trials", "3", "--data", str(npz),
              "--proxy-epochs", "1", "--strategy", "single", "--sampler", "random", "--quiet")
    assert out.exit_code == 1, out.output
    errors = [ln for ln in out.output.splitlines() if ln.startswith("error:")]
    assert errors and "rejected before training" in errors[0], out.output
    assert "retrain" not in out.output.split(errors[0])[0] and "nas retrain" not in out.output


@pytest.mark.parametrize("bad", ["corrupt.npz", "empty"])
def test_bad_data_leaves_no_study(bad, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corrupt.npz").write_bytes(b"not a zip file at all" * 10)
    (tmp_path / "empty").mkdir()
    out = run(*SMALL, "--trials", "1", "--data", str(tmp_path / bad))
    assert out.exit_code == 2, out.output
    assert out.output.startswith("error:") and len(out.output.strip().splitlines()) == 1
    assert not list(tmp_path.glob("studies/*.db"))


def test_rerun_with_other_data_is_refused(tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    assert run(*SMALL, "--trials", "1", "--data", str(npz)).exit_code == 0
    other = tmp_path / "other.npz"
    other.write_bytes(npz.read_bytes())
    out = run(*SMALL, "--trials", "2", "--data", str(other))
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and "was searched with data=" in lines[0], out.output


def test_study_left_empty_by_a_failed_run_takes_the_new_data(tmp_path, monkeypatch, npz):
    """A study created by an older version before its data failed to load records
    'cifar10' and has no trials: the rerun with --data records the data it trains on."""
    import optuna

    from nas.study.storage import create_study, make_storage

    monkeypatch.chdir(tmp_path)
    (tmp_path / "studies").mkdir()
    url = f"sqlite:///{tmp_path / 'studies' / 'small-30k.db'}"
    create_study(make_storage(url), url, "small-30k", ["maximize", "minimize"],
                 {"space": "small", "budget": 30000, "rf_min": None, "macs_budget": None,
                  "objectives": 2}, {"data": "cifar10"})
    assert run(*SMALL, "--trials", "1", "--data", str(npz)).exit_code == 0
    study = optuna.load_study(study_name="small-30k", storage=url)
    assert study.user_attrs["data"] == str(npz)


def test_notes_before_the_search_estimate_and_short_proxy(tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    out = run(*SMALL, "--trials", "1", "--data", str(npz))
    assert out.exit_code == 0, out.output
    assert "warning: proxy trains 1 steps" in out.output
    assert "estimate: about" in out.output and "images/s measured" in out.output
    assert "nan" not in out.output and "not measured" not in out.output
    assert out.output.index("estimate:") < out.output.index("retrain the best")
    assert "measured on a typical net" in out.output


def test_an_sh_search_summary_counts_rungs_not_early_stopping(tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    out = run("search", "--budget", "30k", "--space", "small", "--sampler", "random",
              "--trials", "4", "--strategy", "sh", "--max-epochs", "2", "--eta", "2",
              "--data", str(npz))
    assert out.exit_code == 0, out.output
    assert "to the top rung" in out.output and "halted below it" in out.output
    assert "halving saved" in out.output and "stopped early" not in out.output


def test_a_resumed_search_estimates_from_its_own_candidates(tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    assert run(*SMALL, "--trials", "3", "--data", str(npz)).exit_code == 0
    out = run(*SMALL, "--trials", "4", "--data", str(npz))
    assert out.exit_code == 0, out.output
    assert "measured on this study's 3 trained candidates" in out.output, out.output


def test_quick_sets_the_cpu_proxy(tmp_path, monkeypatch, npz):
    seen = {}

    def fake(config, **kw):  # type: ignore[no-untyped-def]
        seen["config"] = config
        raise SystemExit(0)

    monkeypatch.setattr("nas.search.run_search", fake)
    run("search", "--budget", "30k", "--quick", "--data", str(npz))
    c = seen["config"]
    assert (c.subset, c.proxy_epochs, c.proxy_batch) == (20000, 3, 256)  # e3_s20k
    run("search", "--budget", "30k", "--quick", "--subset", "3000", "--data", str(npz))
    assert seen["config"].subset == 3000


def test_threads_and_no_flip_reach_the_search_and_the_study(tmp_path, monkeypatch, npz):
    import optuna
    import torch

    monkeypatch.chdir(tmp_path)
    before = torch.get_num_threads()
    try:
        out = run(*SMALL, "--trials", "1", "--data", str(npz), "--threads", "1", "--no-flip")
        assert out.exit_code == 0, out.output
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    url = f"sqlite:///{tmp_path / 'studies' / 'small-30k.db'}"
    assert optuna.load_study(study_name="small-30k", storage=url).user_attrs["flip"] is False


def test_retrain_follows_the_flip_of_the_search(tmp_path, monkeypatch, npz):
    import nas.train as train

    monkeypatch.chdir(tmp_path)
    assert run(*SMALL, "--trials", "1", "--data", str(npz), "--no-flip").exit_code == 0
    flips = []
    orig = train.preset

    def spy(name, **kw):  # type: ignore[no-untyped-def]
        flips.append((kw.get("flip"), kw.get("tta")))
        return orig(name, **kw)

    monkeypatch.setattr(train, "preset", spy)
    out = run("retrain", "studies/small-30k.db", "--top", "1", "--epochs", "1")
    assert out.exit_code == 0, out.output
    assert flips == [(False, False)]
    out = run("retrain", "studies/small-30k.db", "--top", "1", "--epochs", "1", "--flip",
              "--out", "r2")
    assert out.exit_code == 0, out.output
    assert flips[-1] == (True, True)
