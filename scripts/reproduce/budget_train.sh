#!/usr/bin/env bash
# One training run of the budget study (results/budget/PROTOCOL.md, issue 15), resumable:
# rerun the same line after a kill (the run continues from its last epoch).
#
#   scripts/reproduce/budget_train.sh select RECIPE MODEL           # step 1: seed 0, validation only
#   scripts/reproduce/budget_train.sh final  RECIPE MODEL SEED      # step 2: trained, then tested once
#
# RECIPE: R20 | R30 | R20c (PROTOCOL.md step 1). MODEL: a zoo name (seed000..seed004,
# resnet20), pick200k (the 200k pick of the earlier short-recipe study) or a genome.
# Output: results/budget/recipe/<recipe>-<model>/ or results/budget/runs/<recipe>/<model>-s<seed>/
# with result.json and run.log (checkpoint.pt and model.pt stay out of git).
# One torch thread; two runs at a time on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=$1 recipe=$2 model=$3 seed=${4:-0}
: "${NAS_CIFAR10_NPZ:?set NAS_CIFAR10_NPZ to the CIFAR-10 .npz}"
export OMP_NUM_THREADS=1
case $recipe in
  R20) opts=(--epochs 20) ;;
  R30) opts=(--epochs 30) ;;
  R20c) opts=(--epochs 20 --cutout 8 --ema 0.999) ;;
  *) echo "error: RECIPE must be R20, R30 or R20c, got '$recipe'" >&2; exit 2 ;;
esac
name=$model
if [[ $model == pick200k ]]; then  # results/cifar/README.md, 150,802 params
  model='cv_c8_asilu,ds_c8_asilu/mp,ds_c40_asilu_r1,cv_c40_asilu_se0.25/mp,ds_k5_c56_asilu_r1,ds_k5_c56_d2_asilu_r1/mp,ir_k5_c56_e2_asilu_r1,ds_k5_c56_asilu_se0.25/cv_k5_c72_s2_asilu/head'
fi
case $mode in
  select) out="results/budget/recipe/$recipe-$name"; seed=0; opts+=(--no-test) ;;
  final) out="results/budget/runs/$recipe/$name-s$seed" ;;
  *) echo "error: MODE must be select or final, got '$mode'" >&2; exit 2 ;;
esac
# done (committed): skip, so the queue can rerun on a fresh checkout and no model is
# tested twice
[[ -f $out/result.json ]] && { echo "done already: $out"; exit 0; }
mkdir -p "$out"
{ echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD), $(lscpu | sed -n "s/^Model name: *//p" | head -1): nas train $model ${opts[*]} --seed $seed"
  /usr/bin/time -f "train: %e s wall, %U s user, %S s sys" \
      nas train "$model" --data "$NAS_CIFAR10_NPZ" "${opts[@]}" --seed "$seed" --threads 1 \
      --quiet --json --out "$out"; } >> "$out/run.log" 2>&1
echo "done: $out"
