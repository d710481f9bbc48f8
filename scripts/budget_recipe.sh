#!/usr/bin/env bash
# Step 1 of results/budget/PROTOCOL.md (issue 15): one candidate recipe on one net,
# validation only (--no-test: recipe runs are never tested). Resumable: rerun after a kill.
#
#   scripts/budget_recipe.sh RECIPE NET       # RECIPE: R20 | R30 | R20c; NET: seed004 | pick200k
#
# Writes results/budget/recipe/<recipe>-<net>/ (checkpoint, result.json, model.pt; the
# .pt files stay out of git) and its log. One torch thread; two runs at a time on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
recipe=$1 net=$2
: "${NAS_CIFAR10_NPZ:?set NAS_CIFAR10_NPZ to the CIFAR-10 .npz}"
export OMP_NUM_THREADS=1
case $recipe in
  R20) opts=(--epochs 20) ;;
  R30) opts=(--epochs 30) ;;
  R20c) opts=(--epochs 20 --cutout 8 --ema 0.999) ;;
  *) echo "error: RECIPE must be R20, R30 or R20c, got '$recipe'" >&2; exit 2 ;;
esac
case $net in
  seed004) model=seed004 ;;
  # the 200k pick of the earlier short-recipe study (results/README.md), 150,802 params
  pick200k) model='cv_c8_asilu,ds_c8_asilu/mp,ds_c40_asilu_r1,cv_c40_asilu_se0.25/mp,ds_k5_c56_asilu_r1,ds_k5_c56_d2_asilu_r1/mp,ir_k5_c56_e2_asilu_r1,ds_k5_c56_asilu_se0.25/cv_k5_c72_s2_asilu/head' ;;
  *) echo "error: NET must be seed004 or pick200k, got '$net'" >&2; exit 2 ;;
esac
out="results/budget/recipe/$recipe-$net"
mkdir -p "$out"
{ echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD): nas train $model ${opts[*]} --seed 0 --no-test"
  /usr/bin/time -f "train: %e s wall, %U s user, %S s sys" \
      nas train "$model" --data "$NAS_CIFAR10_NPZ" "${opts[@]}" --seed 0 --threads 1 \
      --no-test --quiet --json --out "$out"; } >> "$out/run.log" 2>&1
echo "done: $out ($(python -c "import json,sys; print('val', json.load(open(sys.argv[1]))['val_acc'])" "$out/result.json"))"
