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
            str(npz), "--proxy-epochs", "1", "--sampler", "random", "--quiet"]
    out = run(*args)
    assert out.exit_code == 0, out.output
    assert "Pareto front" in out.output and "nas retrain studies/small-30k.db --top 3" in (
        out.output) and "nas dashboard studies/small-30k.db" in out.output
    assert (tmp_path / "studies" / "small-30k.db").exists()
    again = run(*args, "--json")  # already complete: resumes, trains nothing
    summary = json.loads(again.output.splitlines()[0])
    assert summary["stats"]["counted"] == 2 and summary["ended"] == "done"


def test_retrain_defaults_to_the_data_the_search_used(tmp_path, monkeypatch, npz):
    monkeypatch.chdir(tmp_path)
    assert run("search", "--budget", "30k", "--space", "small", "--trials", "1", "--data",
               str(npz), "--proxy-epochs", "1", "--quiet").exit_code == 0
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
