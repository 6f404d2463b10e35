#!/usr/bin/env bash
# Flushes out timing races before CI does: runs the README's test command (tools/test.sh) several times in a row,
# optionally beside a CPU hog that keeps every core busy, and prints each run's totals, its time and the tests that
# failed, then one summary line.
#
#   bash tools/soak.sh            # three runs
#   bash tools/soak.sh 5 --hog    # five runs, each with one busy loop per core running beside it
#
# The hog is a plain busy loop per core (nothing to install); `stress-ng --cpu N` does the same where it is installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

runs=3; hog=false
for arg in "$@"; do
  case "$arg" in
    --hog) hog=true ;;
    ''|*[!0-9]*) echo "usage: bash tools/soak.sh [RUNS] [--hog] (got '$arg')" >&2; exit 2 ;;
    *) runs="$arg" ;;
  esac
done

hogs=()
stop_hogs() { for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done; hogs=(); }
trap stop_hogs EXIT

out="$root/TestResults-soak"
rm -rf "$out"; mkdir -p "$out"
green=0
for i in $(seq 1 "$runs"); do
  if $hog; then
    for _ in $(seq 1 "$(nproc)"); do (while :; do :; done) & hogs+=("$!"); done
  fi
  start=$(date +%s)
  status=0
  bash tools/test.sh >"$out/run-$i.log" 2>&1 || status=$?
  took=$(( $(date +%s) - start ))
  stop_hogs
  totals=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/run-$i.log" | tail -n 1 || true)
  printf 'run %d%s: %s in %d min %02d s (exit %d)\n' "$i" "$($hog && echo " beside $(nproc) busy loops")" \
    "${totals:-no totals}" $((took / 60)) $((took % 60)) "$status"
  sed -n '/^failed tests:/,/^[0-9]* passed/p' "$out/run-$i.log" | sed '$d' | sed 's/^/  /'
  [ "$status" -eq 0 ] && green=$((green + 1))
done
echo "$green of $runs runs green (logs in $out)"
[ "$green" -eq "$runs" ]
