#!/usr/bin/env bash
# The worker's live managed heap while the scale benchmark measures the exports only: every few seconds a heap
# snapshot (dotnet-gcdump: a full collection, then the objects still reachable), its size printed with the time and
# the export the benchmark was at. Investigation only (dotnet-gcdump is a global tool, not installed by .ci/run).
# Usage: live-heap.sh BENCH_DIR SIZE DATA_DIR OUT_DIR [SECONDS]   (BENCH_DIR: a copy of the benchmark's bin folder)
set -euo pipefail
bench=$1 size=$2 data=$3 out=$4 every=${5:-2}
gcdump=${GCDUMP:-$HOME/.dotnet/tools/dotnet-gcdump}
mkdir -p "$out"
dotnet "$bench/AlliancePipeline.StudyScale.dll" --sizes "$size" --keyed-lookups --exports-only --idle 5 --data "$data" --out "$out" > "$out/bench.log" 2>&1 &
run=$!
pid=""
while [ -z "$pid" ] && kill -0 $run 2>/dev/null; do pid=$(grep -o "worker pid [0-9]*" "$out/bench.log" | grep -o "[0-9]*$" || true); sleep 0.5; done
n=0
while kill -0 $run 2>/dev/null; do
  at=$(grep -c "Export " "$out/bench.log" || true)
  if "$gcdump" collect -p "$pid" -o "$out/heap-$n.gcdump" > /dev/null 2>&1; then
    bytes=$("$gcdump" report "$out/heap-$n.gcdump" 2>/dev/null | awk 'NR==1 {gsub(",", "", $1); print $1}')
    echo "$(date -u +%T) after $at export(s): live heap $bytes bytes"
    rm -f "$out/heap-$n.gcdump"
  fi
  n=$((n + 1))
  sleep "$every"
done
grep "Export " "$out/bench.log"
