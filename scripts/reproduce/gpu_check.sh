#!/usr/bin/env bash
# The first GPU run (issue 45, part 4): everything a CUDA user depends on, in about 10
# minutes on one GPU. Run from the repository root on the lent machine, e.g. through the
# device tool with a timeout of ~560 s:
#
#   bash scripts/reproduce/gpu_check.sh       # writes $OUT (default /tmp/gpu-out)/gpu-*.txt
#
# Data: $NPZ if set (a subset carried in an ignored folder, made here with
#   python -c "import numpy as n; d=n.load('$NAS_CIFAR10_NPZ'); n.savez('gpu-data/c10k.npz',
#   x_train=d['x_train'][:10000], y_train=d['y_train'][:10000], x_test=d['x_test'][:2000],
#   y_test=d['y_test'][:2000])"   (about 37 MB: under the 64 MiB carry limit)
# and say which in results/gpu.md), else synthetic images. The lent machine has no
# internet: torch must be there already, the rest travels as wheels (the device tool's
# README). Each step is capped with `timeout` so one hang does not cost the rest; the
# caps add up to about 9.5 minutes.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/gpu-out}; mkdir -p "$out"
data=${NPZ:-}
step() {  # step NAME SECONDS CMD...: run, log, record wall time and exit code
  local name=$1 secs=$2; shift 2
  local t0=$SECONDS
  timeout "$secs" "$@" > "$out/gpu-$name.txt" 2>&1
  echo "$name rc=$? wall=$((SECONDS - t0))s: $*" | tee -a "$out/gpu-steps.txt"
}
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; git rev-parse --short HEAD
  python -c "import torch; print(torch.__version__, torch.cuda.is_available(), torch.cuda.device_count())"
} > "$out/gpu-env.txt" 2>&1
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
step tests 90 pytest -n0 -q -k "cuda or amp or device" tests/train tests/search/test_preflight.py tests/search/test_cli.py
for net in seed003 seed004 resnet20; do
  step "bench-$net" 45 python -m nas bench "$net" --device cuda --json
done
step train-seed004 150 python -m nas train seed004 --epochs 30 ${data:+--data "$data"} --out "$out/seed004" --device cuda
step search-400k 120 python -m nas search --budget 400000 --trials 200 ${data:+--data "$data"} --json --quiet
step retrain-top3 60 python -m nas retrain studies/resnet-400k.db --top 3 ${data:+--data "$data"}
if [[ $(python -c "import torch; print(torch.cuda.device_count())") -ge 2 ]]; then
  step workers-2 60 python -m nas search --budget 200000 --trials 20 --workers 2 --study w2 ${data:+--data "$data"} --quiet
fi
echo "done: logs in $out"
