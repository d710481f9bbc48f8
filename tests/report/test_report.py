"""Report on a retrained tiny study: HTML with the figures, CSVs, things attached to the study."""

import pandas as pd
import pytest
from optuna_dashboard import get_note

from nas.report import report
from nas.report.attach import ARTIFACT_DIR_ATTR
from nas.report.build import zoo_params
from nas.report.figures import latency_figure, pareto_figure
from nas.report.frame import status_counts, trials_frame
from nas.study import open_study, pareto_front, trained_trials
from nas.study.adapter import TrialRef, system_attrs
from tests.retrain.studies import make_study, retrained_study


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    db, _, summary = retrained_study(root)
    return root, db, summary, report(db, out=root / "report")


def test_html_has_every_figure(made):
    _, _, _, r = made
    page = r.html.read_text()
    for key in ("pareto", "macs", "latency", "history", "counts", "importance"):
        assert f'id="fig-{key}"' in page
    assert "Pareto front: validation accuracy vs parameters" in page
    assert "budget 20,000" in page  # the budget line, from the study's user attr
    assert "retrained (proxy val_acc)" in page
    assert page.count("plotly.js v") == 1  # plotly inlined once: self-contained


def test_pareto_figure_marks_budget_and_nearby_zoo_baselines(made):
    _, db, _, _ = made
    df = trials_frame(open_study(db))
    fig = pareto_figure(df, budget=100_000, zoo=zoo_params())
    labels = {a.text for a in fig.layout.annotations}
    assert "budget 100,000" in labels
    assert {"seed003", "seed004", "seed002"} <= labels  # 82k, 151k, 197k: within 2x
    assert "seed001" not in labels  # 401k: off the chart for a 100k search
    names = {t.name for t in fig.data}
    assert {"trained trials", "Pareto front", "retrained (proxy val_acc)"} <= names


def test_csv_tables(made):
    _, db, summary, r = made
    study = open_study(db)
    trials = pd.read_csv(r.trials_csv)
    assert len(trials) == len(study.trials)
    assert (trials["status"] == "trained").sum() == len(trained_trials(study)) == 5
    pareto = pd.read_csv(r.pareto_csv)
    assert len(pareto) == len(pareto_front(trained_trials(study)))
    assert pareto["params"].is_monotonic_increasing
    retrained = trials[trials["test_acc"].notna()]
    assert sorted(retrained["trial"]) == sorted(row["trial"] for row in summary.rows)
    rejected = sum(t.user_attrs.get("status") == "rejected" for t in study.trials)
    assert r.counts["trained"] == 5
    assert sum(v for k, v in r.counts.items() if k.startswith("rejected")) == rejected


def test_figures_notes_and_artifacts_attached(made):
    _, db, summary, _ = made
    study = open_study(db)
    attrs = system_attrs(study)
    assert "dashboard:plot_data:nas-pareto:0" in attrs
    assert attrs[ARTIFACT_DIR_ATTR]
    artifacts = [k for k, v in attrs.items() if k.startswith("artifacts:") and v != "null"]
    assert len(artifacts) == 3
    trial = next(t for t in study.trials if t.number == summary.rows[0]["trial"])
    note = get_note(TrialRef(study, trial))
    assert "| stage | block | output | params | MACs | RF |" in note and "test_acc" in note
    assert "latency **" in note and "forward passes, batch 1, one thread" in note


def test_rerun_replaces_rather_than_piles_up(made):
    root, db, _, _ = made
    report(db, out=root / "report")
    study = open_study(db)
    attrs = system_attrs(study)
    live = [k for k, v in attrs.items() if k.startswith("artifacts:") and v != "null"]
    assert len(live) == 3
    assert len([k for k in attrs if k.endswith(":0") and "plot_data" in k]) == 6


def test_latency_in_tables_and_figures(made):
    """The searched study timed every screened candidate: latency_ms is a column of both
    CSVs, the hover of every point, and its own figure with the val-acc/latency front."""
    _, db, _, r = made
    trials = pd.read_csv(r.trials_csv)
    trained = trials[trials["status"] == "trained"]
    assert (trained["latency_ms"] > 0).all()
    pareto = pd.read_csv(r.pareto_csv)
    assert list(pareto.columns[:6]) == ["trial", "arch_id", "params", "macs", "latency_ms",
                                        "rf"]
    assert (pareto["latency_ms"] > 0).all()
    fast = trained[trained["pareto_latency"]].sort_values("latency_ms")
    assert len(fast) >= 1 and fast["val_acc"].is_monotonic_increasing
    page = r.html.read_text()
    assert "Pareto front: val acc vs latency (ms, batch 1, one thread)" in page
    df = trials_frame(open_study(db))
    fig = latency_figure(df)
    assert {t.name for t in fig.data} == {"trained trials", "front (val acc vs latency)"}
    assert "latency %{customdata[3]:.3f} ms" in pareto_figure(df).data[0].hovertemplate


def test_latency_figure_of_a_study_without_latency(tmp_path):
    df = trials_frame(open_study(make_study(tmp_path / "s.db")))
    assert df["latency_ms"].isna().all() and not df["pareto_latency"].any()
    fig = latency_figure(df)
    assert not fig.data and "no latency_ms recorded" in fig.layout.annotations[0].text


def test_status_counts_split_reject_reasons(tmp_path):
    df = trials_frame(open_study(make_study(tmp_path / "s.db")))
    counts = dict(status_counts(df).values.tolist())
    assert counts == {"stopped": 1, "rejected: params": 1, "trained": 5}


def test_cli_report(made, tmp_path):
    import subprocess
    import sys

    _, db, _, _ = made
    r = subprocess.run([sys.executable, "-m", "nas", "report", db, "--out", str(tmp_path),
                        "--no-attach"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert f"report: {tmp_path / 'report.html'}" in r.stdout and "trained 5" in r.stdout
    assert (tmp_path / "pareto.csv").is_file()
    assert "latency_ms" in (tmp_path / "pareto.csv").read_text().splitlines()[0]


def _sh_study(path):
    """A hand-made sh study: #0 reached the top rung (epochs 1, 2, 4), #1 was halted at
    rung 2 with a mid-schedule 0.95 (higher than #0's final figure), #2 at rung 1."""
    import optuna

    study = optuna.create_study(study_name="sh", storage=f"sqlite:///{path}",
                                directions=["maximize", "minimize"])
    study.set_user_attr("strategy", "sh")
    study.set_user_attr("rungs", [1, 2, 4])
    for n, (accs, halted, params) in enumerate([([0.5, 0.7, 0.9], False, 1000),
                                                ([0.6, 0.95], True, 900),
                                                ([0.3], True, 800)]):
        study.add_trial(optuna.trial.create_trial(values=[accs[-1], params], user_attrs={
            "status": "trained", "val_acc": accs[-1], "params": params, "macs": 10**5,
            "rf": 20, "arch_id": f"a{n}", "genome": f"cv_c{8 * (n + 1)}/head",
            "sh": "sh1-2-4_eta2", "rung": len(accs) - 1, "rung_accs": accs,
            "halted": halted, "epochs": [1, 2, 4][len(accs) - 1], "images": 100}))
    return path


def test_an_sh_report_keeps_mid_schedule_figures_apart(tmp_path):
    db = _sh_study(tmp_path / "sh.db")
    r = report(db, out=tmp_path / "out", attach=False)
    page = r.html.read_text()
    assert 'id="fig-rungs"' in page and "validation accuracy at each rung" in page
    df = trials_frame(open_study(db))
    fig = pareto_figure(df)
    trained = next(t for t in fig.data if t.name == "trained trials")
    assert list(trained.y) == [0.9]  # halted candidates' rung figures are not results
    counts = dict(zip(*status_counts(df).values.T, strict=True))
    assert counts == {"trained": 1, "halted below the top rung": 2}


def test_rungs_figure_draws_each_candidates_rungs(tmp_path):
    from nas.report.figures import rungs_figure
    from nas.study.record import records

    db = _sh_study(tmp_path / "sh.db")
    fig = rungs_figure(records(open_study(db)), [1, 2, 4])
    assert [list(t.x) for t in fig.data] == [[1, 2, 4], [1, 2], [1]]
    assert [t.showlegend for t in fig.data] == [True, False, False]
