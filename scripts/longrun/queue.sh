#!/usr/bin/env bash
# Run a file of long commands (one per line, resumable ones) in LANES parallel lanes, so
# both cores stay busy between check-ins. Each lane takes the next command nobody has
# finished or taken, runs it, and marks it done when it exits 0 (a failure is logged and
# skipped: no retry loop). Rerun the same line after a kill: unfinished commands run
# again, which resumes them (they must be resumable: scripts/reproduce/search_arm.sh,
# scripts/reproduce/budget_train.sh and scripts/reproduce/budget_search.sh are).
#
#   nohup scripts/longrun/queue.sh QUEUE [LANES] > /tmp/queue.nohup 2>&1 &    # LANES default 2
#
# Run it again on the same QUEUE while it runs to add lanes: a line is taken by one lane
# only, whichever queue run that lane belongs to.
#
# State in QUEUE_STATE (default runs/queue/, not committed), named after QUEUE's file
# name: .done (finished line numbers), .taken ("line pid" of running ones; an entry whose
# lane process is gone is dropped when a queue run starts, so a killed queue's lines run
# again, and a failed line stays taken while its lane lives), .log (what ran when, exit
# codes). Lines that are blank or start with # are skipped.
set -euo pipefail
queue=$1 lanes=${2:-2}
[[ -f $queue ]] || { echo "error: QUEUE file '$queue' does not exist" >&2; exit 2; }
[[ $lanes =~ ^[1-9][0-9]*$ ]] || { echo "error: LANES must be a positive integer, got '$lanes'" >&2; exit 2; }
queue=$(realpath "$queue")
cd "$(dirname "$0")/../.."
state_dir=${QUEUE_STATE:-runs/queue}
mkdir -p "$state_dir"
state="$state_dir/$(basename "$queue")"
touch "$state.done" "$state.taken"

prune() {  # drop the .taken entries whose lane process is gone (a killed queue's lanes)
  local n pid kept=""
  while read -r n pid; do
    if [[ -n ${pid:-} ]] && kill -0 "$pid" 2> /dev/null; then kept+="$n $pid"$'\n'; fi
  done < "$state.taken"
  printf '%s' "$kept" > "$state.taken"
}
{ flock 9; prune; } 9>> "$state.taken"

take() {  # print "number<TAB>command" of the next free line and mark it taken by lane pid $1
  flock "$state.taken" awk -v done="$state.done" -v taken="$state.taken" -v pid="$1" '
    BEGIN { while ((getline n < done) > 0) skip[n + 0] = 1
            while ((getline line < taken) > 0) { split(line, f, " "); skip[f[1] + 0] = 1 } }
    /^[[:space:]]*(#|$)/ { next }
    !(NR in skip) { print NR "\t" $0; print NR " " pid >> taken; exit }' "$queue"
}

lane() {
  local id=$1 me=$BASHPID item n cmd rc
  while item=$(take "$me") && [[ -n $item ]]; do
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
