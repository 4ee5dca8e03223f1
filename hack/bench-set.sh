#!/usr/bin/env bash
# Builds a benchmark set from the shared corpus with its make-bench.py into
# .cache/bench/wN-fF, unless it is there already, and prints its directory.
# The set is written beside its place and moved there with a .done marker
# when complete: a build that was interrupted starts again on the next call.
#
#   hack/bench-set.sh [--workloads N (default 20000)] [--files F (default 200)]
set -euo pipefail
cd "$(dirname "$0")/.."

workloads=20000 files=200
while [ $# -gt 0 ]; do
  case "$1" in
    --workloads) workloads=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    *) echo "usage: $0 [--workloads N] [--files F]" >&2; exit 2 ;;
  esac
done

corpus=${KUBE4C_CORPUS:-../shared/corpus}
set_dir=.cache/bench/w${workloads}-f${files}
if [ ! -f "$set_dir/.done" ]; then
  command -v python3 >/dev/null || { echo "bench: python3 is needed (apt-get install python3 python3-yaml)" >&2; exit 2; }
  python3 -c 'import yaml' 2>/dev/null || { echo "bench: PyYAML is needed (apt-get install python3-yaml)" >&2; exit 2; }
  echo "bench: building $set_dir" >&2
  rm -rf "$set_dir" "$set_dir.partial"
  python3 "$corpus/make-bench.py" "$set_dir.partial" --workloads "$workloads" --files "$files" >&2
  touch "$set_dir.partial/.done"
  mv "$set_dir.partial" "$set_dir"
fi
echo "$set_dir"
