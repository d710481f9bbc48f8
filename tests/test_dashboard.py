"""A real optuna-dashboard server on a retrained, reported study: its HTTP API, Ctrl-C."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request

import pytest

from nas.dashboard import make_dashboard
from nas.report import report
from nas.study import open_study
from tests.retrain.studies import make_study, retrained_study


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("dash")
    path, _, summary = retrained_study(root)
    report(path, out=root / "report")
    return path, summary


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read()


def api(base, route):
    return json.loads(get(base + route)[2])


@pytest.fixture(scope="module")
def server(db):
    """The dashboard CLI in a subprocess on a free port: (base URL, study URL, process)."""
    proc = subprocess.Popen([sys.executable, "-m", "nas", "dashboard", db[0], "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("optuna-dashboard: http://localhost:"), proc.stderr.read()
    url = line.split()[1]
    base = url.split("/dashboard")[0].replace("localhost", "127.0.0.1")
    yield base, url, proc
    if proc.poll() is None:
        proc.kill()


def test_api_lists_the_study(server):
    base, url, _ = server
    studies = api(base, "/api/studies")["study_summaries"]
    assert [s["study_name"] for s in studies] == ["tiny"]
    assert url.endswith(f"/dashboard/studies/{studies[0]['study_id']}")


def test_api_serves_trials_with_user_attrs(server, db):
    base, url, _ = server
    detail = api(base, f"/api/studies/{url.rsplit('/', 1)[1]}")
    assert len(detail["trials"]) == len(open_study(db[0]).trials)
    attrs = {t["number"]: {a["key"]: a["value"] for a in t["user_attrs"]}
             for t in detail["trials"]}
    notes = {t["number"]: t["note"]["body"] for t in detail["trials"]}
    retrained = {a["key"]: json.loads(a["value"]) for a in detail["user_attrs"]
                 if a["key"].startswith("retrain:")}
    for row in db[1].rows:
        got = attrs[row["trial"]]
        assert got["genome"] == row["genome"] and got["arch_id"] == row["arch_id"]
        assert float(got["val_acc"]) == pytest.approx(row["proxy_val_acc"])
        # retrain figures: a study user attr per trial, and the trial's note
        assert retrained[f"retrain:{row['trial']}"]["test_acc"] == pytest.approx(row["test_acc"])
        assert f"test_acc **{row['test_acc']:.4f}**" in notes[row["trial"]]
    assert {g["id"] for g in detail["plotly_graph_objects"]} >= {"nas-pareto", "nas-history"}
    noted = [body for body in notes.values() if body]
    assert noted and "| stage | block |" in noted[0]
    assert {a["filename"] for a in detail["artifacts"]} == {"report.html", "trials.csv",
                                                            "pareto.csv"}


def test_artifacts_and_page_are_served(server):
    base, url, _ = server
    sid = url.rsplit("/", 1)[1]
    art = next(a for a in api(base, f"/api/studies/{sid}")["artifacts"]
               if a["filename"] == "report.html")
    status, ctype, body = get(f"{base}/artifacts/{sid}/{art['artifact_id']}")
    assert status == 200 and b"Pareto front" in body
    status, ctype, body = get(url.replace("localhost", "127.0.0.1"))
    assert status == 200 and "text/html" in ctype and b"<div id=\"dashboard\"" in body


def test_busy_port_is_a_one_line_error(db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "nas", "dashboard", db[0], "--port",
                            str(port)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("error: cannot listen on")
    assert r.stderr.count("\n") == 1


def test_several_studies_show_the_list(tmp_path):
    import optuna

    path = make_study(tmp_path / "s.db")
    optuna.create_study(study_name="other", storage=f"sqlite:///{path}")
    server, url = make_dashboard(path, port=0)
    try:
        assert url.endswith("/dashboard")
        t = threading.Thread(target=server.serve_forever, daemon=True)
        t.start()
        base = url.split("/dashboard")[0].replace("localhost", "127.0.0.1")
        names = {s["study_name"] for s in api(base, "/api/studies")["study_summaries"]}
        assert names == {"tiny", "other"}
    finally:
        server.shutdown()
        server.server_close()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium for the browser check")
def test_study_page_renders_in_headless_chromium(server, tmp_path):
    """The SPA loads its JS and renders the study (DOM dump names the study's page)."""
    _, url, proc = server
    if proc.poll() is not None:
        pytest.skip("server already stopped by an earlier test")
    r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000",
                        "--dump-dom", url.replace("localhost", "127.0.0.1")],
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "HOME": str(tmp_path)})
    assert "tiny" in r.stdout, r.stderr[-2000:]


def test_sigterm_stops_cleanly(db):
    proc = subprocess.Popen([sys.executable, "-m", "nas", "dashboard", db[0], "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("optuna-dashboard: http")
    proc.terminate()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "dashboard stopped" in out, err


def test_ctrl_c_stops_cleanly(server):
    _, _, proc = server
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "dashboard stopped" in out and "Traceback" not in err
