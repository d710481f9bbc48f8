"""Run-to-run noise of the budget study: test accuracy over training seeds for the models
retrained in ``<out>/multiseed/`` (``nas retrain --seeds 3``: ``cifar-<N>k/*/metrics.json``)
and the zoo baselines (seed 0 from ``<out>/baselines/<name>/``, others from
``<out>/multiseed/baselines/<name>-s<k>/``, all ``nas train`` result.json files).

    python scripts/reproduce/cifar_seeds.py [results/cifar]
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def _rows(out: Path) -> list[tuple[str, int, list[float]]]:
    rows = []
    for f in sorted(out.glob("multiseed/cifar-*k/*/metrics.json")):
        m = json.loads(f.read_text())
        accs = [s["test_acc"] for s in sorted(m["per_seed"], key=lambda s: s["seed"])]
        rows.append((f"nas {f.parent.parent.name} `{m['arch_id']}`", m["params"], accs))
    names = sorted({d.name.rsplit("-s", 1)[0] for d in out.glob("multiseed/baselines/*-s*")})
    for name in names:
        files = [out / "baselines" / name / "result.json",
                 *sorted(out.glob(f"multiseed/baselines/{name}-s*/result.json"))]
        runs = sorted((json.loads(f.read_text()) for f in files if f.exists()),
                      key=lambda r: r["config"]["seed"])
        rows.append((f"zoo `{name}`", runs[0]["params"], [r["test_acc"] for r in runs]))
    return rows


def main(out: Path) -> None:
    print("| model | params | test acc per seed (0, 1, 2) | mean | std |")
    print("| --- | --- | --- | --- | --- |")
    for name, params, accs in _rows(out):
        std = statistics.stdev(accs) if len(accs) > 1 else 0.0
        print(f"| {name} | {params:,} | {', '.join(f'{a:.4f}' for a in accs)} | "
              f"{statistics.mean(accs):.4f} | {std:.4f} |")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "results/cifar"))
