import json

import pytest
from click.testing import CliRunner

from nas.cli.main import cli
from nas.data import write_synthetic_npz

GENOME = "cv_c8/cv_c16_s2/head"


@pytest.fixture(scope="module")
def npz(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "syn.npz"
    return str(write_synthetic_npz(path, n_train=270, n_val=30, n_test=60, image_size=8,
                                   num_classes=3))


def _json(out):
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_train_json_reports_fractions_and_writes_results(npz, tmp_path):
    args = ["train", GENOME, "--data", npz, "--epochs", "2", "--batch-size", "64", "--quiet",
            "--json", "--out", str(tmp_path / "run")]
    d = _json(CliRunner().invoke(cli, args))
    assert {"val_acc", "test_acc", "params", "epochs", "seconds"} <= set(d)
    assert 0 <= d["val_acc"] <= 1 and 0.5 < d["test_acc"] <= 1  # 3 classes: chance 1/3
    assert d["epochs"] == 2 and d["params"] > 0 and d["train_images"] == 270
    saved = json.loads((tmp_path / "run" / "result.json").read_text())
    assert saved["test_acc"] == d["test_acc"] and len(saved["history"]) == 2
    ckpt = tmp_path / "run" / "checkpoint.pt"
    written = ckpt.stat().st_mtime_ns
    again = _json(CliRunner().invoke(cli, args))  # finished checkpoint: no epoch is rerun
    assert again["val_acc"] == d["val_acc"] and again["epochs"] == 2
    assert ckpt.stat().st_mtime_ns == written


@pytest.mark.parametrize(("flag", "flip"), [([], True), (["--flip"], True), (["--no-flip"], False)])
def test_flip_option_sets_training_flips_and_mirror_tta(npz, flag, flip):
    d = _json(CliRunner().invoke(cli, ["train", GENOME, "--data", npz, "--epochs", "1",
                                       "--subset", "64", "--quiet", "--json", *flag]))
    assert d["config"]["flip"] is flip and d["config"]["tta"] is flip


def test_recipe_options_and_no_test(npz, monkeypatch):
    """--cutout, --ema, --label-smoothing reach the recipe; --no-test never evaluates the
    test split (choosing a recipe on validation)."""
    import nas.train.run as run_mod

    splits = []
    real = run_mod.evaluate
    monkeypatch.setattr(run_mod, "evaluate",
                        lambda net, ds, split, *a: splits.append(split) or real(net, ds, split, *a))
    d = _json(CliRunner().invoke(cli, [
        "train", GENOME, "--data", npz, "--epochs", "1", "--subset", "64", "--quiet",
        "--json", "--cutout", "4", "--ema", "0.9", "--label-smoothing", "0", "--no-test"]))
    assert (d["config"]["cutout"], d["config"]["ema"], d["config"]["label_smoothing"]) == \
        (4, 0.9, 0.0)
    assert d["test_acc"] is None and d["test_loss"] is None and splits == []
    assert 0 <= d["val_acc"] <= 1
    out = CliRunner().invoke(cli, ["train", GENOME, "--data", npz, "--epochs", "1",
                                   "--subset", "64", "--quiet", "--no-test"])
    assert out.exit_code == 0 and "test not evaluated (--no-test)" in out.output


def test_train_out_model_loads_with_nas_load(npz, tmp_path):
    """``nas train --out DIR`` writes DIR/model.pt in the format ``nas.load`` reads, with
    the genome for the data's classes, the config and the test accuracy."""
    import nas
    from nas.data import load_dataset
    from nas.train import evaluate

    args = ["train", GENOME, "--data", npz, "--epochs", "1", "--batch-size", "64", "--quiet",
            "--json", "--out", str(tmp_path / "run")]
    d = _json(CliRunner().invoke(cli, args))
    model = nas.load(tmp_path / "run" / "model.pt")
    assert model.genome == d["genome"] and not model.training
    assert model.metrics["test_acc"] == d["test_acc"] and model.config["epochs"] == 1
    c = model.config
    _, acc = evaluate(model, load_dataset(npz), "test", c["eval_batch_size"], c["tta"],
                      c["amp"], c["channels_last"])
    assert acc == pytest.approx(d["test_acc"], abs=1e-9)


def test_train_subset_and_data_errors_are_one_line(npz, tmp_path):
    d = _json(CliRunner().invoke(cli, ["train", GENOME, "--data", npz, "--epochs", "1",
                                       "--subset", "64", "--quiet", "--json"]))
    assert d["train_images"] == 64
    out = CliRunner().invoke(cli, ["train", GENOME, "--data", str(tmp_path / "none.npz")])
    assert out.exit_code == 2
    assert out.stderr.startswith("error: data file") and out.stderr.count("\n") == 1


def test_bench_json(npz):
    d = _json(CliRunner().invoke(cli, ["bench", GENOME, "--batches", "2", "--batch-size", "32",
                                       "--data", npz, "--json", "--threads", "1"]))
    assert d["train_images_per_sec"] > 0 and d["eval_images_per_sec"] > 0
    assert d["matmul_gflops"] > 0 and d["train_gflops"] > 0 and d["macs_per_image"] > 0
