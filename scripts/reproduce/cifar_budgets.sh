#!/usr/bin/env bash
# The CIFAR-10 budget study of results/cifar/README.md: for each budget a search, then a full
# retrain of the 2 Pareto-best; the zoo baselines trained with the identical recipe.
# Every step resumes when rerun (studies and retrain/train checkpoints are kept).
#
#   NAS_CIFAR10_NPZ=/path/cifar10.npz EPOCHS=10 bash scripts/reproduce/cifar_budgets.sh [search|retrain|baselines]...
set -euo pipefail
: "${NAS_CIFAR10_NPZ:?point NAS_CIFAR10_NPZ at cifar10.npz}"
EPOCHS=${EPOCHS:-10}        # identical for every model in the tables
TRIALS=${TRIALS:-30}        # trained candidates per search
SUBSET=${SUBSET:-10000}     # proxy training images per candidate
PROXY_EPOCHS=${PROXY_EPOCHS:-2}
BUDGETS=${BUDGETS:-"100000 200000 400000"}
BASELINES=${BASELINES:-"seed003 seed004 seed002 resnet20 seed000 seed001"}
TRAIN_SUBSET=${TRAIN_SUBSET:-45000}  # images for retrains and baselines (45000 = all)
OUT=${OUT:-results/cifar}
steps=${*:-search retrain baselines}

for step in $steps; do
  case $step in
    search)
      for b in $BUDGETS; do
        mkdir -p "$OUT"
        nas search --budget "$b" --trials "$TRIALS" --subset "$SUBSET" \
          --proxy-epochs "$PROXY_EPOCHS" --data "$NAS_CIFAR10_NPZ" --study "cifar-$((b / 1000))k" \
          --seed 0 --fill 0 --quiet --json > "$OUT/search-$((b / 1000))k.json"  # fill: as it ran
      done ;;
    retrain)
      for b in $BUDGETS; do
        nas retrain "studies/cifar-$((b / 1000))k.db" --top 2 --epochs "$EPOCHS" \
          --subset "$TRAIN_SUBSET" --data "$NAS_CIFAR10_NPZ" --out "$OUT/cifar-$((b / 1000))k"
      done ;;
    baselines)
      for m in $BASELINES; do
        nas train "$m" --data "$NAS_CIFAR10_NPZ" --epochs "$EPOCHS" --subset "$TRAIN_SUBSET" \
          --out "$OUT/baselines/$m" \
          --quiet  # writes result.json there
      done ;;
    *) echo "unknown step $step (search|retrain|baselines)" >&2; exit 2 ;;
  esac
done
