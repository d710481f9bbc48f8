"""Other data than CIFAR-10: scikit-learn's bundled digits through ``nas train``.

8x8 grayscale handwritten digits, 10 classes, 1,797 images, shipped inside scikit-learn (no
download). The same split is given to an RBF support-vector machine, the classic reference
for this set (about 99%), so the CNN's test accuracy is read against what the data allows.
Recipes compared (``--recipes``): ``small`` is the recipe for small images (crop padding
scaled to 1 px, ``--no-flip``); ``cifar`` is the CIFAR recipe applied unchanged (4-px
padding, which shifts an 8-px digit by half its width, and mirrored digits).

    pip install scikit-learn
    OMP_NUM_THREADS=1 python scripts/reproduce/digits.py --seeds 0 1 2 [--epochs 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

GENOME = "cv_c32,cv_c32/cv_c64_s2,cv_c64/head"  # a plain 4-conv net, 8 -> 4 px
RECIPES: dict[str, dict[str, Any]] = {
    "small": {"flip": False, "tta": False},  # pad 4 at 32 px -> 1 px at 8 px
    "cifar": {"pad": 16, "flip": True, "tta": True},  # 16 at 32 px -> 4 px at 8 px
}


def digits_arrays(test_fraction: float = 0.2, seed: int = 0) -> dict[str, np.ndarray]:
    """A shuffled train/test split of the digits as uint8 NHWC (0..16 rescaled to 0..255)."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = np.rint(d.images * (255 / 16)).astype(np.uint8)[..., None]
    y = d.target.astype(np.int64)
    perm = np.random.default_rng(seed).permutation(len(y))
    n_test = round(len(y) * test_fraction)
    test, train = perm[:n_test], perm[n_test:]
    return {"x_train": x[train], "y_train": y[train], "x_test": x[test], "y_test": y[test]}


def svm_accuracy(a: dict[str, np.ndarray]) -> float:
    """Test accuracy of an RBF SVM (gamma 0.001, C 10 on raw 0..16 pixels) on the same split."""
    from sklearn.svm import SVC

    def flat(x: np.ndarray) -> np.ndarray:
        return x.reshape(len(x), -1) * (16 / 255)

    svm = SVC(gamma=0.001, C=10).fit(flat(a["x_train"]), a["y_train"])
    return float((svm.predict(flat(a["x_test"])) == a["y_test"]).mean())


def train_runs(npz: Path, recipe: str, seeds: list[int], epochs: int) -> list[dict[str, Any]]:
    """``nas train GENOME --data npz`` once per seed with ``recipe``; the JSON summaries."""
    from nas.train.run import train_model

    return [train_model(GENOME, str(npz), epochs=epochs, seed=s, progress="none",
                        batch_size=64, **RECIPES[recipe]) for s in seeds]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--recipes", nargs="+", default=list(RECIPES), choices=list(RECIPES))
    args = p.parse_args()
    arrays = digits_arrays()
    print(f"train {len(arrays['y_train'])} (the last 10% validate), test "
          f"{len(arrays['y_test'])}; RBF SVM test acc {svm_accuracy(arrays):.4f}")
    with tempfile.TemporaryDirectory() as tmp:
        npz = Path(tmp) / "digits.npz"
        np.savez(npz, **arrays)
        for recipe in args.recipes:
            runs = train_runs(npz, recipe, args.seeds, args.epochs)
            accs = [r["test_acc"] for r in runs]
            print(json.dumps({"recipe": recipe, "genome": GENOME, "params": runs[0]["params"],
                              "epochs": args.epochs, "seeds": args.seeds, "test_acc": accs,
                              "mean": round(statistics.mean(accs), 4)}))


if __name__ == "__main__":
    main()
