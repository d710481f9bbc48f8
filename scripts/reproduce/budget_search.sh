#!/usr/bin/env bash
# One search of the budget study (results/budget/PROTOCOL.md, issue 15), then its pick's
# seeds, each tested once. Resumable: rerun the same line after a kill.
#
#   scripts/reproduce/budget_search.sh search SAMPLER BUDGET        # tpe | random; 100000 | 200000 | 400000
#   scripts/reproduce/budget_search.sh pick   SAMPLER BUDGET SEEDS  # 3: seed 0 is the search's top-rung run
#   scripts/reproduce/budget_search.sh --v3 search|pick ...         # PROTOCOL.md v3's pair (400k)
#   scripts/reproduce/budget_search.sh --v4 search|pick evolve BUDGET ...  # v4: 100000 | 400000
#
# The settings are PROTOCOL.md v2's, fixed before any search of the study:
#   RECIPE     R30 (step 1's choice, PROTOCOL-recipe.md): the top rung is exactly that
#              recipe, so rungs of 1, 3, 10, 30 epochs with eta 3
#   (v3, with --v3: the resnet space and rungs of 3, 10, 30 epochs; studies and picks
#   named v3-<sampler>-<N>k; everything else as v2)
#   (v4, with --v4: --sampler evolve --start-from the budget's best baseline by
#   validation, seed003 at 100k with v2's space and rungs, seed000 at 400k with v3's;
#   named v4-evolve-<N>k)
#   ALLOWANCE  6,750,000 training images per search (5 runs of the 30-epoch schedule)
#   SH_OPTS    the --fill / --prescreen options that beat their base arm in issue 14,
#              read from results/search/ by `scripts/reproduce/search_table.py --sh-opts` (so a
#              search taken before issue 14's arms (d) and (e) finish fails in one line)
# Writes studies/budget-<sampler>-<N>k.db (+ .out log), snapshotted with its log into
# results/budget/picks/<sampler>-<N>k/ when the search ends; `pick` retrains the search's
# best top-rung net there (seed 0 is its search run), the layout scripts/reproduce/budget_table.py
# reads, and snapshots the study again. Both modes rerun safely on a fresh checkout (queue
# state lost): a finished search or pick is skipped; a pick takes its study (and log) from
# its folder and trains only the seeds without a result.json (committed).
# One torch thread; two jobs at a time on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
version="" space=default min_epochs=1  # PROTOCOL.md v2
start=()  # v4's --start-from
if [[ ${1:-} == --v3 ]]; then version=v3- space=resnet min_epochs=3; shift; fi
if [[ ${1:-} == --v4 ]]; then version=v4-; shift; fi
mode=$1 sampler=$2 budget=$3 seeds=${4:-3}
if [[ $version == v4- ]]; then
  case $budget in
    100000) start=(--start-from seed003) ;;  # v2's space and rungs
    400000) start=(--start-from seed000) space=resnet min_epochs=3 ;;  # v3's
    *) echo "error: --v4 BUDGET must be 100000 or 400000, got '$budget'" >&2; exit 2 ;;
  esac
  [[ $sampler == evolve ]] || { echo "error: --v4 SAMPLER must be evolve, got '$sampler'" >&2; exit 2; }
fi
: "${NAS_CIFAR10_NPZ:?set NAS_CIFAR10_NPZ to the CIFAR-10 .npz}"
export OMP_NUM_THREADS=1
recipe=(--max-epochs 30)  # R30, PROTOCOL.md v2
ALLOWANCE=${ALLOWANCE:-6750000}  # PROTOCOL.md v2 (env, and SH_OPTS below: smoke runs only)
case $sampler in tpe|random|evolve) ;; *) echo "error: SAMPLER must be tpe, random or evolve (--v4), got '$sampler'" >&2; exit 2 ;; esac
name="budget-$version$sampler-$((budget / 1000))k"
log="studies/$name.out"
out="results/budget/picks/$version$sampler-$((budget / 1000))k"
mkdir -p studies "$out"
stamp() { echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD), $(lscpu | sed -n "s/^Model name: *//p" | head -1): $*"; }
snapshot() { sqlite3 "studies/$name.db" ".backup $out/study.db"; cp "$log" "$out/run.log"; }
case $mode in
  search)
    # a finished search leaves its study in $out (committed): a fresh machine skips it
    [[ -f $out/study.db ]] && { echo "done already: search $name ($out/study.db)"; exit 0; }
    SH_OPTS=${SH_OPTS-$(python scripts/reproduce/search_table.py --sh-opts)}
    # shellcheck disable=SC2086  # SH_OPTS is a list of options
    args=(--budget "$budget" --trials 100000 --workers 1 --threads 1 --seed 0
          --data "$NAS_CIFAR10_NPZ" --study "$name" --storage "studies/$name.db" --quiet
          --space "$space" --strategy sh --eta 3 --min-epochs "$min_epochs" "${recipe[@]}"
          --sampler "$sampler" --max-images "$ALLOWANCE" "${start[@]}" $SH_OPTS)
    { stamp "nas search ${args[*]}"
      /usr/bin/time -f "search: %e s wall, %U s user, %S s sys" nas search "${args[@]}" --json
    } >> "$log" 2>&1
    snapshot ;;
  pick)  # seeds with a result.json (committed) are skipped by nas retrain; a second
         # `pick` of the same search, run beside the first, trains the seeds it does not
         # hold (nas retrain's seed claims), so two lanes share one pick
    # a finished pick (summary and every seed committed) is left as it is, log and all
    done_seeds=$(find "$out" -path "*/seeds/*/result.json" | wc -l)
    [[ -f $out/summary.md ]] && (( done_seeds >= seeds )) && {
      echo "done already: pick $name ($done_seeds seeds in $out)"; exit 0; }
    # the search's end snapshot: a pick of a study still searching would pick too early
    [[ -f $out/study.db ]] || { echo "error: search $name has not ended ($out/study.db" \
                                     "is missing)" >&2; exit 1; }
    [[ -f studies/$name.db ]] || cp "$out/study.db" "studies/$name.db"
    # v4: a pick that is the start net itself is the result, not a new model to retrain
    if [[ $version == v4- ]] && python scripts/reproduce/budget_search_start.py "studies/$name.db" \
        "${start[1]}" > "$out/pick-is-start-net.md"; then
      snapshot; echo "done: pick $name is its start net ($out/pick-is-start-net.md)"; exit 0
    fi
    rm -f "$out/pick-is-start-net.md"
    # and its log (carry leaves out a finished search's), which snapshot copies back
    [[ -f $log || ! -f $out/run.log ]] || cp "$out/run.log" "$log"
    { stamp "nas retrain studies/$name.db --top 1 --seeds $seeds"
      /usr/bin/time -f "retrain: %e s wall, %U s user, %S s sys" \
          nas retrain "studies/$name.db" --top 1 --seeds "$seeds" --out "$out" \
          --data "$NAS_CIFAR10_NPZ"
    } >> "$log" 2>&1
    snapshot
    rm -rf "runs/search/$name" ;;  # its candidates' checkpoints: every seed is done
  *) echo "error: MODE must be search or pick, got '$mode'" >&2; exit 2 ;;
esac
echo "done: $mode $name"
