"""Bad input: one line `error: ...` on stderr, exit code 2, no traceback, for each case.

Every case runs the command in its own temp directory; the first of each kind runs in a
fresh process (``python -m nas``), the others in this one (click's test runner), which
checks the same exit code and stderr seconds faster.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nas.cli.main import cli
from nas.search import SearchConfig, run_search
from tests.postgres import free_port
from tests.reliability import helpers

STUDY_COMMANDS = ("retrain", "report", "dashboard")


def nas(*args: str, cwd: Path, prefix: tuple[str, ...] = (), real: bool = False
        ) -> subprocess.CompletedProcess:
    """Run ``nas args`` in ``cwd``: in a fresh process when ``real`` (or ``prefix``, a
    command to run it under), else in this one through click's test runner (seconds
    faster; an exception escaping the CLI shows up as a traceback in stderr)."""
    if real or prefix:
        return subprocess.run([*prefix, sys.executable, "-m", "nas", *args], cwd=cwd,
                              capture_output=True, text=True, timeout=180,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
    old = Path.cwd()
    os.chdir(cwd)
    try:
        r = CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)
    stderr = r.stderr
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        stderr += "Traceback (escaped the CLI):\n" + "".join(
            traceback.format_exception(r.exception))
    return subprocess.CompletedProcess(args, r.exit_code, r.stdout, stderr)


def assert_one_line_error(p: subprocess.CompletedProcess, *needles: str) -> str:
    """Exit 2, stderr is exactly one line starting 'error: ', containing ``needles``."""
    assert p.returncode == 2, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    assert "Traceback" not in p.stderr + p.stdout, p.stderr
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), p.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="session")
def study_db(tmp_path_factory, tiny_npz) -> Path:
    """A sqlite file with two studies: 'alpha' (2 trained trials) and 'beta' (1)."""
    d = tmp_path_factory.mktemp("study")
    db = d / "two.db"
    for name, n in (("alpha", 2), ("beta", 1)):
        run_search(SearchConfig(budget=int(helpers.BUDGET), trials=n, space="small", study=name,
                                storage=f"sqlite:///{db}", data=str(tiny_npz),
                                proxy_epochs=1, sampler="random", strategy="single"),
                   progress=False)
    return db


@pytest.fixture(scope="session")
def one_study_db(tmp_path_factory, tiny_npz) -> Path:
    """A sqlite file with one study ('solo', 2 trained trials)."""
    db = tmp_path_factory.mktemp("solo") / "solo.db"
    run_search(SearchConfig(budget=int(helpers.BUDGET), trials=2, space="small", study="solo",
                            storage=f"sqlite:///{db}", data=str(tiny_npz), proxy_epochs=1,
                            strategy="single", sampler="random"), progress=False)
    return db


def search(*args: str) -> tuple[str, ...]:
    return ("search", "--space", "small", "--trials", "1", "--proxy-epochs", "1",
            "--strategy", "single",
            "--quiet", *args)


# ---------------------------------------------------------------- study files and URLs

@pytest.mark.parametrize("command", STUDY_COMMANDS)
def test_missing_study_file(command, tmp_path):
    p = nas(command, "nope.db", cwd=tmp_path, real=command == "retrain")
    assert_one_line_error(p, "nope.db", "no such study file")
    assert not (tmp_path / "nope.db").exists()  # nothing was created


def _no_read_access() -> tuple[str, ...]:
    """A command prefix under which a chmod 000 file is unreadable, even for root (root
    reads anything: drop the capabilities that let it)."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    caps = "-dac_override,-dac_read_search"
    return ("setpriv", "--bounding-set", caps, "--inh-caps", caps)


@pytest.mark.parametrize("command", ["retrain", "search"])
def test_unreadable_study_file(command, one_study_db, tmp_path, tiny_npz):
    db = tmp_path / "locked.db"
    shutil.copy(one_study_db, db)
    db.chmod(0)
    args = (("retrain", str(db)) if command == "retrain" else
            search("--budget", helpers.BUDGET, "--storage", str(db), "--data", str(tiny_npz)))
    p = nas(*args, cwd=tmp_path, prefix=_no_read_access())
    assert_one_line_error(p, str(db), "cannot read", "Permission denied")


@pytest.mark.parametrize("command", STUDY_COMMANDS)
def test_text_file_is_not_an_optuna_database(command, tmp_path):
    (tmp_path / "notes.db").write_text("shopping list\n")
    p = nas(command, "notes.db", cwd=tmp_path)
    assert_one_line_error(p, "notes.db", "not an Optuna storage")


@pytest.mark.parametrize("command", [*STUDY_COMMANDS, "search"])
def test_other_sqlite_database_is_not_an_optuna_database(command, tmp_path, tiny_npz):
    con = sqlite3.connect(tmp_path / "app.db")
    con.execute("create table users (name text)")
    con.commit()
    con.close()
    before = (tmp_path / "app.db").read_bytes()
    args = ((command, "app.db") if command != "search" else
            search("--budget", helpers.BUDGET, "--storage", "app.db", "--data", str(tiny_npz)))
    p = nas(*args, cwd=tmp_path)
    assert_one_line_error(p, "app.db", "not an Optuna")
    assert (tmp_path / "app.db").read_bytes() == before  # Optuna added no tables


def test_search_storage_text_file(tmp_path, tiny_npz):
    (tmp_path / "notes.db").write_text("shopping list\n")
    p = nas(*search("--budget", helpers.BUDGET, "--storage", "notes.db", "--data", str(tiny_npz)),
            cwd=tmp_path)
    assert_one_line_error(p, "notes.db", "not a SQLite database")


def test_search_journal_file_that_is_not_a_journal(tmp_path, tiny_npz):
    (tmp_path / "run.log").write_text("INFO started\n")
    p = nas(*search("--budget", helpers.BUDGET, "--storage", "run.log", "--data", str(tiny_npz)),
            cwd=tmp_path)
    assert_one_line_error(p, "run.log")


@pytest.mark.parametrize("command", [*STUDY_COMMANDS, "search"])
def test_storage_url_that_cannot_connect_has_a_hint(command, tmp_path, tiny_npz):
    url = f"postgresql://nas:secret@127.0.0.1:{free_port()}/nas"  # nobody listens there
    args = ((command, url) if command != "search" else
            search("--budget", helpers.BUDGET, "--storage", url, "--data", str(tiny_npz)))
    line = assert_one_line_error(nas(*args, cwd=tmp_path, real=command == "search"),
                                 "cannot connect",
                                 "Connection refused", "is the database server running")
    assert "secret" not in line  # the password is masked


@pytest.mark.parametrize("command", STUDY_COMMANDS)
def test_unknown_study_name_lists_the_studies(command, study_db, tmp_path):
    p = nas(command, str(study_db), "--study", "gamma", cwd=tmp_path)
    assert_one_line_error(p, "'gamma'", "alpha", "beta")


def test_several_studies_without_study_lists_them(study_db, tmp_path):
    p = nas("retrain", str(study_db), cwd=tmp_path)
    assert_one_line_error(p, "--study", "alpha", "beta")


# ------------------------------------------------------------------------ search flags

@pytest.mark.parametrize("budget", ["0", "-5"])
def test_budget_not_positive(budget, tmp_path):
    assert_one_line_error(nas(*search("--budget", budget), cwd=tmp_path, real=budget == "0"),
                          "--budget")


@pytest.mark.parametrize("budget", ["abc", "1.5"])
def test_budget_not_a_number(budget, tmp_path):
    assert_one_line_error(nas(*search("--budget", budget), cwd=tmp_path), "--budget",
                          repr(budget))


@pytest.mark.parametrize("rf", ["0", "-3"])
def test_rf_min_below_one(rf, tmp_path):
    assert_one_line_error(nas(*search("--budget", helpers.BUDGET, "--rf-min", rf), cwd=tmp_path),
                          "--rf-min")


@pytest.mark.parametrize(("flag", "value"), [("--cutout", "-1"), ("--ema", "1.0"),
                                             ("--ema", "-0.1")])
def test_recipe_flags_out_of_range(flag, value, tmp_path):
    assert_one_line_error(nas(*search("--budget", helpers.BUDGET, flag, value), cwd=tmp_path),
                          flag)


@pytest.mark.parametrize(("field", "value"), [("cutout", -1), ("cutout", 2.5),
                                              ("ema", 1.0)])
def test_search_config_refuses_a_bad_recipe(field, value):
    from nas.errors import NasError

    with pytest.raises(NasError, match=f"--{field} must be"):
        SearchConfig(budget=1000, trials=1, **{field: value})


def test_budget_no_architecture_can_meet(tmp_path):
    p = nas(*search("--budget", "100"), cwd=tmp_path)
    assert_one_line_error(p, "unreachable", "smallest network in space 'small' has")


def test_unknown_space(tmp_path):
    p = nas("search", "--budget", helpers.BUDGET, "--space", "galaxy", cwd=tmp_path)
    assert_one_line_error(p, "unknown search space 'galaxy'", "default", "small")


# ---------------------------------------------------------------------------- genomes

@pytest.mark.parametrize(("genome", "needle"), [
    ("cv_c16", "needs stages and a head"),
    ("cv_c16,,ds_c8/head", "empty block token"),
    ("cv_c16/zz_c8/head", "unknown op 'zz'"),
    ("cv_c16_s9/head", "out of range"),
])
@pytest.mark.parametrize("command", ["show", "train"])
def test_malformed_genome(command, genome, needle, tmp_path, tiny_npz):
    args = ("show", genome) if command == "show" else ("train", genome, "--data",
                                                       str(tiny_npz))
    assert_one_line_error(nas(*args, cwd=tmp_path, real=genome == "cv_c16"), needle)


# ------------------------------------------------------------------------- data files

def _bad_npz(tmp_path: Path, tiny_npz: Path, **change: object) -> Path:
    arrays = dict(np.load(tiny_npz))
    for k, v in change.items():
        if v is None:
            arrays.pop(k)
        else:
            arrays[k] = v(arrays[k]) if callable(v) else v
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


def _label(value: int, key: str = "y_test"):  # type: ignore[no-untyped-def]
    def f(y: np.ndarray) -> np.ndarray:
        y = y.copy()
        y[0] = value
        return y
    return f


@pytest.mark.parametrize(("change", "needles"), [
    ({"y_test": None}, ("lacks key 'y_test'",)),
    ({"x_train": lambda x: x.astype(np.float32)}, ("'x_train'", "dtype float32", "uint8")),
    ({"x_train": lambda x: x[..., 0]}, ("'x_train'", "shape", "NHWC")),
    ({"y_train": lambda y: y.astype(np.float64)}, ("'y_train'", "dtype float64")),
    ({"y_test": _label(9)}, ("'y_test'", "label 9 out of range")),
    ({"y_train": _label(-1)}, ("'y_train'", "label -1 out of range")),
], ids=["missing-key", "image-dtype", "image-shape", "label-dtype", "label-too-big",
        "label-negative"])
def test_bad_data_file(change, needles, tmp_path, tiny_npz):
    bad = _bad_npz(tmp_path, tiny_npz, **change)
    p = nas(*search("--budget", helpers.BUDGET, "--data", str(bad)), cwd=tmp_path,
            real="y_test" in change and change["y_test"] is None)
    assert_one_line_error(p, "bad.npz", *needles)


def test_data_file_missing(tmp_path):
    p = nas(*search("--budget", helpers.BUDGET, "--data", "nowhere/c10.npz"), cwd=tmp_path)
    assert_one_line_error(p, "nowhere/c10.npz", "not found")


# ------------------------------------------------------------------ --top beyond front

def test_top_larger_than_what_exists_retrains_it_and_says_so(one_study_db, tmp_path,
                                                            tiny_npz):
    """Not an error: the 2 trained architectures are retrained and the user is told."""
    out = tmp_path / "out"
    p = nas("retrain", str(one_study_db), "--top", "5", "--epochs", "1", "--data",
            str(tiny_npz), "--out", str(out), cwd=tmp_path, real=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Traceback" not in p.stdout + p.stderr
    assert "--top 5 but the study has only 2 trained architecture(s): retraining 2" in \
        p.stdout
    assert (out / "summary.csv").read_text().count("\n") == 3  # header + 2 models


def test_resume_after_the_space_file_changed(tmp_path, tiny_npz):
    """A study resumed with an edited space (a parameter now offers other choices) is a
    one-line error naming the fix, not Optuna's ValueError traceback."""
    from nas.errors import NasError
    from nas.genome import Genome
    from nas.search.space import Space

    def space(widths):  # type: ignore[no-untyped-def]
        def sample(t, budget):  # type: ignore[no-untyped-def]
            c = t.suggest_categorical("s1_c", widths)
            return Genome.from_string(f"cv_c{c}/ds_c{c}_s2/head")
        return Space("mini", "test space", sample)

    def config(s, trials):  # type: ignore[no-untyped-def]
        return SearchConfig(budget=int(helpers.BUDGET), trials=trials, space=s, study="mini",
                            storage=f"sqlite:///{tmp_path / 'm.db'}", data=str(tiny_npz),
                            proxy_epochs=1, sampler="random", strategy="single")

    assert run_search(config(space((8, 16)), 1), progress=False).ended == "done"
    with pytest.raises(NasError, match=r"another version of search space 'mini'.*new --study"):
        run_search(config(space((8, 24)), 2), progress=False)
