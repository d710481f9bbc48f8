#!/usr/bin/env bash
# Pause (SIGSTOP) or resume (SIGCONT) this checkout's long runs, and say so in each run's
# log, so that wall times computed from the logs (scripts/reproduce/search_table.py) leave the pause
# out. Use it around a CI run or a benchmark (which need a quiet machine), and with
# `stop` at the end of a session: a session's end kills the jobs, and a rerun of the same
# line (its first log line) ends that pause.
#
#   scripts/longrun/pause_runs.sh stop|cont [REASON]
#
# Runs: `nas search ... --study NAME` (log studies/NAME.out, scripts/reproduce/search_arm.sh),
# `nas retrain studies/NAME.db` (log studies/NAME.out) and `nas train ... --out DIR` (log
# DIR/run.log, scripts/reproduce/budget_train.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
action=${1:-} reason=${2:-}
case $action in
  stop) signal=STOP word=paused ;;
  cont) signal=CONT word=resumed ;;
  *) echo "error: first argument must be stop or cont, got '$action'" >&2; exit 2 ;;
esac
stamp=$(date -u +%FT%TZ)
found=0
declare -A logged  # forked workers share their parent's command line: one line per log
for pid in $(pgrep -f "bin/nas (search|train|retrain) " || true); do
  args=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || continue
  log=
  if [[ $args =~ nas\ search\ .*--study\ ([^ ]+) ]]; then log="studies/${BASH_REMATCH[1]}.out"
  elif [[ $args =~ nas\ train\ .*--out\ ([^ ]+) ]]; then log="${BASH_REMATCH[1]}/run.log"
  elif [[ $args =~ nas\ retrain\ studies/([^ /]+)\.db ]]; then log="studies/${BASH_REMATCH[1]}.out"
  fi
  kill "-$signal" "$pid"
  found=$((found + 1))
  if [[ -n $log && -f $log && -z ${logged[$log]:-} ]]; then
    logged[$log]=1
    echo "# $stamp $word (SIGSTOP/SIGCONT by scripts/longrun/pause_runs.sh${reason:+: $reason})" >> "$log"
  fi
  echo "$word $pid${log:+ ($log)}"
done
[[ $found -gt 0 ]] || echo "no nas search / retrain / train run found"
