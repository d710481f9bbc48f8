#!/usr/bin/env bash
# Arm (d) or (e) of results/search/PROTOCOL.md on its base arm, decided mechanically:
# the better of (b)/(c) at 200k, seed 0 (v2.1: random only if (c) beats (b) by more than
# the 0.3-point tie), read from results/search/<arm>/ by `scripts/reproduce/search_table.py --base`.
# So queue.txt can hold (d) and (e) before (c) finishes; taken too early, the line fails
# with one error (scripts/longrun/queue.sh logs it; rerun the queue once (c) is in).
#
#   scripts/reproduce/search_arm_on_base.sh d|e BUDGET SEED   # then scripts/reproduce/search_arm.sh d-<base> ...
#
# (e)'s score is macs (PROTOCOL.md v2: the only zero-cost score that met the v1.1 rule).
set -euo pipefail
cd "$(dirname "$0")/../.."
arm=$1 budget=$2 seed=$3
[[ $arm == d || $arm == e ]] || { echo "error: ARM must be d or e, got '$arm'" >&2; exit 2; }
base=$(python scripts/reproduce/search_table.py --base)
[[ $arm == e ]] && export SCORE=macs
exec scripts/reproduce/search_arm.sh "$arm-$base" "$budget" "$seed"
