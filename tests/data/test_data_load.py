import pickle

import numpy as np
import pytest
import torch

from nas.data import DataError, load_dataset, make_synthetic, save_npz, val_size
from nas.errors import NasError


def _arrays(n=100, n_test=20, size=8, chans=3, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n, size, size, chans), dtype=np.uint8),
        "y_train": np.arange(n) % classes,
        "x_test": rng.integers(0, 256, (n_test, size, size, chans), dtype=np.uint8),
        "y_test": np.arange(n_test) % classes,
    }


def _npz(tmp_path, **arrays):
    path = tmp_path / "d.npz"
    np.savez(path, **arrays)
    return str(path)


def test_val_size_rule():
    assert val_size(50_000) == 5_000  # CIFAR-10: the seeds' 45k/5k
    assert val_size(60_000) == 5_000
    assert val_size(1_000) == 100
    assert val_size(9) == 0


def test_npz_split_is_last_tenth_and_test_untouched(tmp_path):
    a = _arrays(n=100)
    d = load_dataset(_npz(tmp_path, **a))
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (90, 10, 20)
    assert torch.equal(d.x_val, torch.from_numpy(a["x_train"][90:]))
    assert torch.equal(d.x_train, torch.from_numpy(a["x_train"][:90]))
    assert torch.equal(d.x_test, torch.from_numpy(a["x_test"]))
    assert d.y_train.dtype == torch.int64 and d.x_train.dtype == torch.uint8
    assert (d.num_classes, d.image_size, d.in_chans) == (4, 8, 3)


def test_subset_keeps_first_images_and_fixed_val(tmp_path):
    path = _npz(tmp_path, **_arrays(n=100))
    full, sub = load_dataset(path), load_dataset(path, subset=30)
    assert torch.equal(sub.x_train, full.x_train[:30])
    assert torch.equal(sub.x_val, full.x_val) and torch.equal(sub.y_val, full.y_val)
    with pytest.raises(DataError, match="subset 91"):
        load_dataset(path, subset=91)


def test_keras_style_column_labels_and_one_channel(tmp_path):
    a = _arrays(n=50, chans=1, classes=3)
    a["y_train"] = a["y_train"][:, None]
    d = load_dataset(_npz(tmp_path, **a))
    assert d.y_train.ndim == 1 and d.in_chans == 1 and d.num_classes == 3


def test_synthetic_roundtrip_through_npz(tmp_path):
    s = make_synthetic(n_train=180, n_val=20, n_test=30, image_size=8, num_classes=3)
    d = load_dataset(str(save_npz(s, tmp_path / "s.npz")))
    assert torch.equal(d.x_val, s.x_val) and torch.equal(d.y_train, s.y_train)


@pytest.mark.parametrize(("change", "match"), [
    (lambda a: a.pop("y_test"), "lacks key 'y_test'"),
    (lambda a: a.update(x_train=a["x_train"].astype(np.float32)), "'x_train' has dtype float32"),
    (lambda a: a.update(y_train=a["y_train"].astype(np.float32)), "'y_train' has dtype float32"),
    (lambda a: a.update(x_test=a["x_test"][..., 0]), "'x_test' has shape"),
    (lambda a: a.update(x_train=a["x_train"][:, :, :6]), "'x_train' images are 8x6"),
    (lambda a: a.update(x_train=a["x_train"][:, :6, :6], x_test=a["x_test"][:, :6, :6]),
     "expected at least 8x8"),
    (lambda a: a.update(y_test=a["y_test"] + 10), "'y_test' has label 13 out of range"),
    (lambda a: a.update(y_train=a["y_train"] - 1), "'y_train' has label -1 out of range"),
    (lambda a: a.update(y_train=a["y_train"][:-1]), "'y_train' has 99 labels"),
    (lambda a: a.update(x_test=np.zeros((20, 16, 16, 3), np.uint8)), "same size"),
    (lambda a: a.update(x_train=np.zeros((100, 8, 8, 7), np.uint8)), "7 channels"),
    (lambda a: a.update(y_train=np.zeros(100, np.int64)), "single class"),
])
def test_format_errors_name_the_key(tmp_path, change, match):
    a = _arrays(n=100)
    change(a)
    with pytest.raises(DataError, match=match) as e:
        load_dataset(_npz(tmp_path, **a))
    assert isinstance(e.value, NasError) and "\n" not in str(e.value)


def test_too_few_images_for_a_split(tmp_path):
    with pytest.raises(DataError, match="at least 10"):
        load_dataset(_npz(tmp_path, **_arrays(n=5)))


def test_missing_file_unknown_spec_and_bad_folder(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_dataset(str(tmp_path / "nope.npz"))
    with pytest.raises(DataError, match="unknown --data 'imagenet'"):
        load_dataset("imagenet")
    with pytest.raises(DataError, match="holds no cifar-10-batches-py"):
        load_dataset(str(tmp_path))
    (tmp_path / "junk.npz").write_text("not a zip")
    with pytest.raises(DataError, match="cannot read"):
        load_dataset(str(tmp_path / "junk.npz"))


@pytest.mark.parametrize(("name", "content"), [
    ("labels.txt", b"0 1 2\n3 4 5\n"), ("x.npy", None), ("data.pkl", pickle.dumps([1, 2])),
], ids=["text", "npy", "pickle"])
def test_a_file_that_is_no_npz_says_what_was_expected(tmp_path, name, content):
    path = tmp_path / name
    if content is None:
        np.save(path, np.zeros(3))
    else:
        path.write_bytes(content)
    with pytest.raises(DataError) as e:
        load_dataset(str(path))
    msg = str(e.value)
    assert "is not an .npz" in msg and "x_train, y_train, x_test, y_test" in msg
    assert "pickle" not in msg


def _write_batches(root, per_batch=4):
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i, name in enumerate([*(f"data_batch_{k}" for k in range(1, 6)), "test_batch"]):
        d = {"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
             "labels": [(i + j) % 4 for j in range(per_batch)]}
        with (folder / name).open("wb") as f:
            pickle.dump(d, f)
    return folder


def test_batches_folder_is_read_as_nhwc(tmp_path):
    folder = _write_batches(tmp_path)
    d = load_dataset(str(tmp_path))
    assert (len(d.y_train) + len(d.y_val), len(d.y_test)) == (20, 4)
    with (folder / "data_batch_1").open("rb") as f:
        raw = pickle.load(f)["data"][0]
    expect = torch.from_numpy(raw.reshape(3, 32, 32).transpose(1, 2, 0).copy())
    assert torch.equal(d.x_train[0], expect)


def test_cifar10_prefers_env_npz_then_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NAS_CIFAR10_NPZ", _npz(tmp_path, **_arrays(n=100)))
    assert len(load_dataset("cifar10").y_train) == 90
    monkeypatch.setenv("NAS_CIFAR10_NPZ", str(tmp_path / "missing.npz"))
    with pytest.raises(DataError, match="NAS_CIFAR10_NPZ"):
        load_dataset("cifar10")
    monkeypatch.delenv("NAS_CIFAR10_NPZ")
    _write_batches(tmp_path / "cache")
    assert len(load_dataset("cifar10", cache_dir=tmp_path / "cache").y_test) == 4


def test_cifar10_offline_error_says_what_to_pass(tmp_path, monkeypatch):
    import torchvision.datasets

    def offline(*args, **kwargs):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.delenv("NAS_CIFAR10_NPZ", raising=False)
    monkeypatch.setattr(torchvision.datasets, "CIFAR10", offline)
    with pytest.raises(DataError, match=r"cannot download CIFAR-10.*pass --data PATH"):
        load_dataset("cifar10", cache_dir=tmp_path / "empty")
