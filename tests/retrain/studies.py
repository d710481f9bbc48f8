"""Small studies for the retrain/report/dashboard tests.

``searched_study`` runs the real ``nas.search`` (small space, 1-epoch proxies on tiny
synthetic data) once per test session and hands each caller a private copy.
``make_study`` writes a hand-made study with the same user attrs (genome, arch_id, params,
macs, rf, val_acc, epochs, train_seconds, status; reject_reason on rejected trials) whose
Pareto front is known in advance, for the selection tests.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

import optuna
from optuna.distributions import CategoricalDistribution
from optuna.trial import TrialState, create_trial

from nas.analysis import analyze

# (genome, proxy val_acc): tiny nets so a 1-epoch retrain takes a second or two
TRAINED = [
    ("cv_c4/ds_c8_s2/head", 0.21),
    ("cv_c8/ds_c16_s2/head", 0.30),
    ("cv_c12/ds_c24_s2/head", 0.34),
    ("cv_c8/cv_c16_s2/head", 0.26),  # dominated by c12 (fewer params, higher acc)
    ("cv_c16/ds_c32_s2/head", 0.33),  # dominated
]
WIDTH = CategoricalDistribution([4, 8, 12, 16])


def _trained(genome: str, acc: float) -> optuna.trial.FrozenTrial:
    a = analyze(genome)
    attrs = {"genome": a.genome, "arch_id": a.arch_id, "params": a.params, "macs": a.macs,
             "rf": a.rf, "val_acc": acc, "epochs": 1, "train_seconds": 1.5,
             "status": "trained"}
    width = int(genome.split("_c")[1].split("/")[0])
    return create_trial(values=[acc, a.params], params={"s1_b1_c": width},
                        distributions={"s1_b1_c": WIDTH}, user_attrs=attrs)


def make_study(path: Path, name: str = "tiny", budget: int = 2000) -> str:
    """A sqlite study at ``path`` with 5 trained, 1 stopped early and 1 rejected trial."""
    url = f"sqlite:///{path}"
    study = optuna.create_study(study_name=name, storage=url,
                                directions=["maximize", "minimize"])
    study.set_user_attr("budget", budget)
    study.set_user_attr("data", "synthetic")
    for genome, acc in TRAINED:
        study.add_trial(_trained(genome, acc))
    big = analyze("cv_c64/cv_c128_s2/head")
    study.add_trial(create_trial(
        state=TrialState.PRUNED, params={"s1_b1_c": 16}, distributions={"s1_b1_c": WIDTH},
        user_attrs={"genome": "cv_c16/cv_c16_s2/head", "val_acc": 0.1, "status": "stopped"}))
    study.add_trial(create_trial(
        state=TrialState.PRUNED, user_attrs={
            "genome": big.genome, "arch_id": big.arch_id, "params": big.params,
            "status": "rejected", "reject_reason": f"params {big.params:,} > budget {budget:,}"}))
    return str(path)


def make_data(path: Path) -> str:
    """A small synthetic .npz (16 px, 4 classes; 900 train, 100 val, 200 test images)."""
    from nas.data import write_synthetic_npz

    return str(write_synthetic_npz(path, n_train=900, n_val=100, n_test=200, image_size=16,
                                   num_classes=4, seed=0))


@cache
def _searched() -> tuple[str, str]:
    """Run the real search once: 5 trained candidates under a 20k budget (about 30 s)."""
    from nas.search import SearchConfig, run_search

    root = Path(tempfile.mkdtemp(prefix="nas-search-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    data = make_data(root / "data.npz")
    run_search(SearchConfig(budget=20_000, trials=5, space="small", study="tiny",
                            storage=str(root / "tiny.db"), data=data, proxy_epochs=1,
                            strategy="single", device="cpu"), progress=False)
    return str(root / "tiny.db"), data


def searched_study(root: Path) -> tuple[str, str]:
    """A private copy of the session's searched study: (study .db path, data .npz path)."""
    db, data = _searched()
    for suffix in ("", "-wal", "-shm"):
        if Path(db + suffix).exists():
            shutil.copy(db + suffix, root / f"tiny.db{suffix}")
    return str(root / "tiny.db"), data


def retrained_study(root: Path, top: int = 2):
    """The searched study with ``top`` trials retrained for 1 epoch (results in
    ``root/results``): (study path, data path, summary)."""
    from nas.retrain import retrain

    db, data = searched_study(root)
    summary = retrain(db, top=top, epochs=1, data=data, out=root / "results", device="cpu",
                      progress="none", echo=lambda s: None)
    return db, data, summary
