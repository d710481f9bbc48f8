"""Fit the shipped learning-curve predictors on every recorded complete curve and write
nas/lcurve/fitted.json, which ``nas.lcurve.predict.predictor`` reads.

    python scripts/curves_fit.py [results] [--out nas/lcurve/fitted.json]

One model per recipe below and prefix length k (1 .. epochs-1), fitted on one row per
architecture (nas.curves.evaluate.table: validation accuracies only). Re-run it when
results/ gains complete curves of these recipes. Under a second on one core.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from nas.curves.evaluate import table
from nas.curves.recorded import load_recorded
from nas.lcurve.predict import FITTED, fitted_models

RECIPES = ("e30_n45000_b256_lr0.2",)  # enough architectures (37) to fit on; see README


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("root", nargs="?", default="results", type=Path)
    p.add_argument("--out", default=FITTED, type=Path)
    a = p.parse_args(argv)
    curves = load_recorded(a.root)
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    out: dict[str, object] = {"written_by": f"python scripts/curves_fit.py at {sha}",
                              "recipes": {}}
    for r in RECIPES:
        t = table(curves, r)
        out["recipes"][r] = {  # type: ignore[index]
            "epochs": int(t.curves.shape[1]), "n_archs": len(t.arch_ids),
            "n_curves": t.n_curves, "sources": t.sources,
            "models": fitted_models(t.curves, t.statics)}
        print(f"{r}: {len(t.arch_ids)} architectures, {t.n_curves} curves")
    a.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
