#!/usr/bin/env bash
# One search of the budget study (results/budget/PROTOCOL.md, issue 15), then its pick's
# seeds, each tested once. Resumable: rerun the same line after a kill.
#
#   scripts/budget_search.sh search SAMPLER BUDGET        # tpe | random; 100000 | 200000 | 400000
#   scripts/budget_search.sh pick   SAMPLER BUDGET SEEDS  # 2, or 3 for a contest within 1 point
#
# The settings PROTOCOL.md fixes before any search (its v2) come from the environment
# and have no defaults, so nothing runs before they are written down:
#   RECIPE      R20 | R30 | R20c (step 1's choice: the top rung is exactly that recipe)
#   ALLOWANCE   training images per search
#   SH_OPTS     issue 14's measured best settings, e.g. "--fill 0.85" or "" (quoted)
# Writes studies/budget-<sampler>-<N>k.db (+ .out log); `pick` retrains the search's best
# top-rung net (seed 0 is its search run) into results/budget/picks/<sampler>-<N>k/, the
# layout scripts/budget_table.py reads, and snapshots the study there.
# One torch thread; two jobs at a time on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=$1 sampler=$2 budget=$3 seeds=${4:-2}
: "${NAS_CIFAR10_NPZ:?set NAS_CIFAR10_NPZ to the CIFAR-10 .npz}"
: "${RECIPE:?set RECIPE (PROTOCOL.md v2)}" "${ALLOWANCE:?set ALLOWANCE (PROTOCOL.md v2)}"
: "${SH_OPTS?set SH_OPTS (PROTOCOL.md v2; may be empty)}"
export OMP_NUM_THREADS=1
case $RECIPE in
  R20) recipe=(--max-epochs 20) ;;
  R30) recipe=(--max-epochs 30) ;;
  R20c) recipe=(--max-epochs 20 --cutout 8 --ema 0.999) ;;
  *) echo "error: RECIPE must be R20, R30 or R20c, got '$RECIPE'" >&2; exit 2 ;;
esac
case $sampler in tpe|random) ;; *) echo "error: SAMPLER must be tpe or random, got '$sampler'" >&2; exit 2 ;; esac
name="budget-$sampler-$((budget / 1000))k"
log="studies/$name.out"
out="results/budget/picks/$sampler-$((budget / 1000))k"
mkdir -p studies "$out"
stamp() { echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD), $(lscpu | sed -n "s/^Model name: *//p" | head -1): $*"; }
case $mode in
  search)
    # shellcheck disable=SC2086  # SH_OPTS is a list of options
    args=(--budget "$budget" --trials 100000 --workers 1 --threads 1 --seed 0
          --data "$NAS_CIFAR10_NPZ" --study "$name" --storage "studies/$name.db" --quiet
          --strategy sh --eta 3 --min-epochs 1 "${recipe[@]}" --sampler "$sampler"
          --max-images "$ALLOWANCE" $SH_OPTS)
    { stamp "nas search ${args[*]}"
      /usr/bin/time -f "search: %e s wall, %U s user, %S s sys" nas search "${args[@]}" --json
    } >> "$log" 2>&1 ;;
  pick)
    { stamp "nas retrain studies/$name.db --top 1 --seeds $seeds"
      /usr/bin/time -f "retrain: %e s wall, %U s user, %S s sys" \
          nas retrain "studies/$name.db" --top 1 --seeds "$seeds" --out "$out" \
          --data "$NAS_CIFAR10_NPZ"
    } >> "$log" 2>&1
    sqlite3 "studies/$name.db" ".backup $out/study.db"
    cp "$log" "$out/run.log" ;;
  *) echo "error: MODE must be search or pick, got '$mode'" >&2; exit 2 ;;
esac
echo "done: $mode $name"
