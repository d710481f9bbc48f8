#!/usr/bin/env bash
# One arm of results/search/PROTOCOL.md (issue 14): search at equal compute, then (arm a)
# retrain its top 2 on validation only. Resumable: rerun the same line after a kill.
#
#   scripts/reproduce/search_arm.sh ARM BUDGET SEED      # ARM: a | a2 (v2) | b | c | d-tpe | d-random
#                                              #      | e-tpe | e-random (v1.1: set SCORE)
#
# Writes studies/<arm>-<budget>-s<seed>.db (+ .out log) and, once finished, a snapshot of
# the study and its `nas report` under results/search/<arm>-<budget>-s<seed>/; then
# removes its candidates' checkpoints (runs/search/<name>/), which nothing reads after.
# One torch thread; run two arms at a time on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
arm=$1 budget=$2 seed=$3
: "${NAS_CIFAR10_NPZ:?set NAS_CIFAR10_NPZ to the CIFAR-10 .npz}"
export OMP_NUM_THREADS=1
ALLOWANCE=${ALLOWANCE:-4500000}  # training images per arm (PROTOCOL.md; env: smoke tests)
TOP_RUNG=${TOP_RUNG:-20}        # epochs of the top rung and of arm (a)'s retrains
N_TRAIN=${N_TRAIN:-45000}       # training images per epoch of the top rung (the 45k split)
RETRAINS=2
SUBSET=${SUBSET:-10000}         # arm (a): proxy training images (the search of results/README.md)
name="${arm}-$((budget / 1000))k-s${seed}"
fill=0  # off but in arm (d): as the arms ran, before --fill 0.85 became the default
[[ $arm == d-* ]] && fill=0.85
common=(--budget "$budget" --trials 100000 --workers 1 --threads 1 --seed "$seed"
        --data "$NAS_CIFAR10_NPZ" --study "$name" --storage "studies/$name.db" --quiet
        --fill "$fill")
sh=(--strategy sh --max-epochs "$TOP_RUNG" --eta 3 --min-epochs 1)
case $arm in
  a) args=(--proxy-epochs 2 --subset "$SUBSET"
           --max-images $((ALLOWANCE - RETRAINS * TOP_RUNG * N_TRAIN))) ;;
  a2) args=(--proxy-epochs 3 --subset 20000  # PROTOCOL.md v2: the new --quick (e3_s20k)
            --max-images $((ALLOWANCE - RETRAINS * TOP_RUNG * N_TRAIN))) ;;
  b) args=("${sh[@]}" --max-images $ALLOWANCE) ;;
  c) args=("${sh[@]}" --sampler random --max-images $ALLOWANCE) ;;
  d-tpe) args=("${sh[@]}" --max-images $ALLOWANCE) ;;
  d-random) args=("${sh[@]}" --sampler random --max-images $ALLOWANCE) ;;
  e-tpe|e-random)  # PROTOCOL.md v1.1: SCORE = the fidelity study's best zero-cost score
    : "${SCORE:?set SCORE to the zero-cost score chosen by PROTOCOL.md v1.1}"
    sampler=tpe; [[ $arm == e-random ]] && sampler=random
    args=("${sh[@]}" --sampler "$sampler" --prescreen 0.5 --prescreen-score "$SCORE"
          --max-images $ALLOWANCE) ;;
  *) echo "error: ARM must be a, a2, b, c, d-tpe, d-random, e-tpe or e-random, got '$arm'" >&2
     exit 2 ;;
esac
out="results/search/$name"
# finished (committed): skip, so the queue can rerun on a fresh checkout
[[ -f $out/study.db ]] && { echo "done already: $out"; exit 0; }
mkdir -p studies results/search
log="studies/$name.out"
{ echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD), $(lscpu | sed -n "s/^Model name: *//p" | head -1): nas search ${common[*]} ${args[*]}"
  /usr/bin/time -f "search: %e s wall, %U s user, %S s sys" \
      nas search "${common[@]}" "${args[@]}" --json; } >> "$log" 2>&1
if [[ $arm == a || $arm == a2 ]]; then
  { echo "# $(date -u +%FT%TZ) nas retrain studies/$name.db --top $RETRAINS --epochs $TOP_RUNG --no-test"
    /usr/bin/time -f "retrain: %e s wall, %U s user, %S s sys" \
        nas retrain "studies/$name.db" --top $RETRAINS --epochs $TOP_RUNG --seeds 1 \
        --no-test --out "results/search/$name/retrain" --data "$NAS_CIFAR10_NPZ"; } >> "$log" 2>&1
fi
mkdir -p "$out"
sqlite3 "studies/$name.db" ".backup $out/study.db"
nas report "studies/$name.db" --out "$out" --no-attach >> "$log" 2>&1
cp "$log" "$out/run.log"
rm -rf "runs/search/$name"  # its candidates' checkpoints: nothing reads them after this
echo "done: $out"
