#!/usr/bin/env bash
# Run a file of long commands (one per line, resumable ones) in LANES parallel lanes, so
# both cores stay busy between check-ins. Each lane takes the next command nobody has
# finished or taken, runs it, and marks it done when it exits 0 (a failure is logged and
# skipped: no retry loop). Rerun the same line after a kill: unfinished commands run
# again, which resumes them (they must be resumable: scripts/search_arm.sh,
# scripts/budget_train.sh and scripts/budget_search.sh are).
#
#   nohup scripts/queue.sh QUEUE [LANES] > /tmp/queue.nohup 2>&1 &    # LANES default 2
#
# State in runs/queue/ (not committed), named after QUEUE's file name: .done (finished
# line numbers), .taken (running ones; cleared at start, since a new queue run means the
# old lanes are dead; a failed line stays taken until then), .log (what ran when, exit
# codes). Lines that are blank or start with # are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
queue=$1 lanes=${2:-2}
[[ -f $queue ]] || { echo "error: QUEUE file '$queue' does not exist" >&2; exit 2; }
[[ $lanes =~ ^[1-9][0-9]*$ ]] || { echo "error: LANES must be a positive integer, got '$lanes'" >&2; exit 2; }
mkdir -p runs/queue
state="runs/queue/$(basename "$queue")"
touch "$state.done"
: > "$state.taken"

take() {  # print "number<TAB>command" of the next free line and mark it taken, or nothing
  flock "$state.taken" awk -v done="$state.done" -v taken="$state.taken" '
    BEGIN { while ((getline n < done) > 0) skip[n] = 1
            while ((getline n < taken) > 0) skip[n] = 1 }
    /^[[:space:]]*(#|$)/ { next }
    !(NR in skip) { print NR "\t" $0; print NR >> taken; exit }' "$queue"
}

lane() {
  local id=$1 item n cmd rc
  while item=$(take) && [[ -n $item ]]; do
    n=${item%%$'\t'*} cmd=${item#*$'\t'}
    echo "# $(date -u +%FT%TZ) lane $id starts line $n: $cmd" >> "$state.log"
    set +e; bash -c "$cmd"; rc=$?; set -e
    echo "# $(date -u +%FT%TZ) lane $id ends line $n: exit $rc" >> "$state.log"
    if [[ $rc -eq 0 ]]; then flock "$state.taken" sh -c "echo $n >> '$state.done'"; fi
  done
}

for i in $(seq "$lanes"); do lane "$i" & done
wait
echo "# $(date -u +%FT%TZ) queue empty" >> "$state.log"
