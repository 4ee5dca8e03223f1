#!/usr/bin/env bash
# Builds the 20,000-workload benchmark set from the shared corpus (once) and
# scans it end to end, printing wall time, documents per second and peak RSS.
#
#   hack/bench.sh [--workloads N] [--files F] [extra kube4c scan flags...]
set -euo pipefail
cd "$(dirname "$0")/.."

workloads=20000 files=200
while [ $# -gt 0 ]; do
  case "$1" in
    --workloads) workloads=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    *) break ;;
  esac
done

set_dir=$(hack/bench-set.sh --workloads "$workloads" --files "$files")

mkdir -p bin
go build -o bin/kube4c ./cmd/kube4c

docs=$(cat "$set_dir"/*.yaml | grep -c '^---' || true)
bytes=$(cat "$set_dir"/*.yaml | wc -c)
out=$(mktemp)
set +e
/usr/bin/time -v bin/kube4c scan -q -o json --output-file /dev/null "$@" "$set_dir" 2>"$out"
code=$?
set -e
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out")
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")
secs=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
echo "set:        $set_dir ($docs documents, $((bytes / 1024 / 1024)) MiB)"
echo "exit code:  $code"
echo "wall time:  ${secs}s"
echo "documents/s: $(awk -v d="$docs" -v s="$secs" 'BEGIN { printf "%.0f", d / s }')"
echo "peak RSS:   $((rss / 1024)) MiB"
rm -f "$out"
