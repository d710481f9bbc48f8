#!/usr/bin/env bash
# One job of the repeated 200k searches (results/repeats-200k/PROTOCOL.md, issue 45).
# Resumable: rerun the same line after a kill; a finished search or pick is skipped.
#
#   scripts/reproduce/repeats.sh search SAMPLER SEED   # tpe | random; 0 | 1 | 2
#   scripts/reproduce/repeats.sh pick   SAMPLER SEED   # its pick, 2 seeds (seed 0 = its search run)
#
# Settings (PROTOCOL.md v1): budget 200k, default space, sh with rungs 1, 3, 10, 30
# (eta 3), --fill 0.85, one objective (the D5 default, spelled out), 6.75M training
# images per search. Writes studies/repeats-<sampler>-200k-s<seed>.db (+ .out log),
# snapshotted with its log into results/repeats-200k/<sampler>-s<seed>/ when the search
# ends; `pick` retrains its best top-rung net there. One torch thread per job.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:?MODE search|pick} sampler=${2:?SAMPLER tpe|random} seed=${3:?SEED 0|1|2}
case $sampler in tpe|random) ;; *) echo "error: SAMPLER must be tpe or random, got '$sampler'" >&2; exit 2 ;; esac
case $seed in 0|1|2) ;; *) echo "error: SEED must be 0, 1 or 2, got '$seed'" >&2; exit 2 ;; esac
: "${NAS_CIFAR10_NPZ:?set NAS_CIFAR10_NPZ to the CIFAR-10 .npz}"
export OMP_NUM_THREADS=1
ALLOWANCE=${ALLOWANCE:-6750000}  # PROTOCOL.md (env: smoke runs only)
name="repeats-$sampler-200k-s$seed"
log="studies/$name.out"
out="results/repeats-200k/$sampler-s$seed"
mkdir -p studies "$out"
stamp() { echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD), $(lscpu | sed -n "s/^Model name: *//p" | head -1): $*"; }
snapshot() { sqlite3 "studies/$name.db" ".backup $out/study.db"; cp "$log" "$out/run.log"; }
case $mode in
  search)
    [[ -f $out/study.db ]] && { echo "done already: search $name ($out/study.db)"; exit 0; }
    args=(--budget 200000 --trials 100000 --workers 1 --threads 1 --seed "$seed"
          --data "$NAS_CIFAR10_NPZ" --study "$name" --storage "studies/$name.db" --quiet
          --space default --strategy sh --eta 3 --min-epochs 1 --max-epochs 30
          --fill 0.85 --no-pareto --sampler "$sampler" --max-images "$ALLOWANCE")
    { stamp "nas search ${args[*]}"
      /usr/bin/time -f "search: %e s wall, %U s user, %S s sys" nas search "${args[@]}" --json
    } >> "$log" 2>&1
    snapshot ;;
  pick)
    done_seeds=$(find "$out" -path "*/seeds/*/result.json" | wc -l)
    [[ -f $out/summary.md ]] && (( done_seeds >= 2 )) && {
      echo "done already: pick $name ($done_seeds seeds in $out)"; exit 0; }
    [[ -f $out/study.db ]] || { echo "error: search $name has not ended ($out/study.db" \
                                     "is missing)" >&2; exit 1; }
    [[ -f studies/$name.db ]] || cp "$out/study.db" "studies/$name.db"
    [[ -f $log || ! -f $out/run.log ]] || cp "$out/run.log" "$log"
    { stamp "nas retrain studies/$name.db --top 1 --seeds 2"
      /usr/bin/time -f "retrain: %e s wall, %U s user, %S s sys" \
          nas retrain "studies/$name.db" --top 1 --seeds 2 --out "$out" \
          --data "$NAS_CIFAR10_NPZ"
    } >> "$log" 2>&1
    snapshot
    rm -rf "runs/search/$name" ;;
  *) echo "error: MODE must be search or pick, got '$mode'" >&2; exit 2 ;;
esac
echo "done: $mode $name"
