#!/usr/bin/env bash
# Start and end a working session's long runs (issues 14 and 15), on a machine that lives
# for one session: what survives is what git holds (results/carry/README.md).
#
#   scripts/longrun/session.sh start   # restore carried state, then run both lanes in the background
#   scripts/longrun/session.sh save    # pause the runs and carry their state into results/carry/
#                                      # (refused over 2 MB: results/carry/README.md)
#   scripts/longrun/session.sh resume  # let the runs go on after `save` (their later work is lost
#                              # unless saved again)
#
# The two lanes run results/repeats-200k/queue.txt (issue 45's repeated 200k searches,
# then their picks; the earlier studies' queues are finished). Each queue line skips
# itself once its result is committed, so the empty queue state of a fresh machine is
# safe. After `save`: commit results/carry/ (and every
# finished result) before the session ends.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${NAS_CIFAR10_NPZ:?set NAS_CIFAR10_NPZ to the CIFAR-10 .npz}"
case ${1:-} in
  start)
    if pgrep -f "scripts/longrun/queue.sh" > /dev/null; then
      echo "error: queue lanes already run here (pgrep -f scripts/longrun/queue.sh); a second start" \
           "would add two more" >&2
      exit 1
    fi
    python scripts/longrun/carry.py restore
    nohup scripts/longrun/queue.sh results/repeats-200k/queue.txt 2 > /tmp/queue-repeats.nohup 2>&1 &
    echo "two lanes started; logs in runs/queue/ and /tmp/queue-repeats.nohup" ;;
  save)
    scripts/longrun/pause_runs.sh stop "session end: state carried (scripts/longrun/carry.py save)" || true
    python scripts/longrun/carry.py save
    git status --short results/ ;;
  resume)
    scripts/longrun/pause_runs.sh cont "after carry save: later work is lost unless saved again" ;;
  *) echo "error: first argument must be start, save or resume, got '${1:-}'" >&2; exit 2 ;;
esac
