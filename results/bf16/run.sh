#!/usr/bin/env bash
# fp32 vs bf16 autocast on this CPU: accuracy parity of seed004, 5 epochs on the 45k split,
# seeds 0 and 1, validation only. Pairs run side by side (one thread each).
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1
for seed in 0 1; do
  for amp in none bf16; do
    out=results/bf16/seed004-$amp-s$seed
    mkdir -p "$out"
    ( /usr/bin/time -f "%e s wall, %U s user, %S s sys" nas train seed004 --data "$NAS_CIFAR10_NPZ" \
        --epochs 5 --seed $seed --amp $amp --threads 1 --no-test --quiet --json --out "$out" \
        > "$out/run.log" 2>&1 ) &
  done
  wait
done
