import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from nas.cli.main import cli


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nas", *args], capture_output=True, text=True)


@pytest.mark.parametrize(("name", "params"), [("seed003", 82_474), ("seed004", 150_738)])
def test_show_json_prints_exact_seed_counts(name, params):
    out = CliRunner().invoke(cli, ["show", name, "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert d["name"] == name and d["params"] == params
    assert {"genome", "arch_id", "macs", "rf"} <= set(d)


def test_show_table_lists_blocks_and_total():
    out = CliRunner().invoke(cli, ["show", "cv_c16,ds_c32_s2/head"])
    assert out.exit_code == 0
    assert "ds_c32_s2" in out.output and "total" in out.output


def test_unknown_name_lists_the_zoo():
    p = run("show", "seed999")
    assert "seed003" in p.stderr and "resnet20" in p.stderr


def test_table_title_names_a_genome_once():
    out = CliRunner().invoke(cli, ["show", "cv_c16,ds_c32_s2/head"])
    arch_id = json.loads(CliRunner().invoke(cli, ["show", "cv_c16,ds_c32_s2/head", "--json"])
                         .output)["arch_id"]
    assert out.output.count(arch_id) == 1


def test_json_layers_include_the_head():
    d = json.loads(CliRunner().invoke(cli, ["show", "seed003", "--json"]).output)
    assert d["layers"][-1]["block"] == "head_p0.05"
    assert sum(r["params"] for r in d["layers"]) == d["params"] == 82_474
    assert sum(r["macs"] for r in d["layers"]) == d["macs"]


def test_zoo_lists_every_member():
    out = CliRunner().invoke(cli, ["zoo", "--json"])
    names = {r["name"] for r in json.loads(out.output)}
    assert {"seed000", "seed001", "seed002", "seed003", "seed004", "resnet20"} <= names


@pytest.mark.parametrize(("args", "needle"), [
    (["show", "cv_c16/zz_c3/head"], "unknown op 'zz'"),
    (["show", "cv_c16_k/head"], "bad value '' for option 'k'"),
    (["show", "seed003", "--input-size", "4"], "--input-size"),
    (["show"], "Missing argument"),
    (["show", "cv_c100000000/head"], "out of range 1..65536"),
    (["show", "cv_c65536,cv_c65536/head"], "1,000,000,000 parameters"),
    (["show", "seed999"], "unknown zoo name 'seed999'"),
])
def test_bad_input_is_one_line_exit_2(args, needle):
    p = run(*args)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and p.stderr.startswith("error: ")
    assert needle in p.stderr
    assert "Traceback" not in p.stderr


def test_every_command_has_help():
    for name in cli.commands:
        out = CliRunner().invoke(cli, [name, "--help"])
        assert out.exit_code == 0 and "Usage" in out.output, name
