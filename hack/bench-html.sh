#!/usr/bin/env bash
# Measures `kube4c scan -o html` on a benchmark set (default: the
# 20,000-workload set of hack/bench-set.sh): the time and peak memory to
# write the report, its size, and how long headless Chromium takes to load
# it and to filter it (TestHTMLLoadTime in internal/cli, which fails past
# 10 s). The screenshot goes to .cache/test-artifacts (or $KUBE4C_ARTIFACTS).
#
#   hack/bench-html.sh [--workloads N (default 20000)] [--files F (default 200)]
#
# Needs Chromium (apt-get install chromium) or $CHROME.
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
set_dir=$(hack/bench-set.sh --workloads "$workloads" --files "$files")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/kube4c" ./cmd/kube4c
report="$tmp/report.html"

# The sets hold findings and some broken documents on purpose: exit 1 or 2
# is expected, a missing report is not.
/usr/bin/time -f '%e %M' -o "$tmp/time" "$tmp/kube4c" scan -o html --output-file "$report" "$set_dir" || true
[ -s "$report" ] || { echo "bench-html: no report written" >&2; exit 1; }
read -r seconds kb < <(tail -n 1 "$tmp/time")
bytes=$(stat -c %s "$report")
printf 'set: %s\nwrite: %s s, peak RSS %d MB\nsize: %d bytes (%.1f MB)\n' "$set_dir" "$seconds" $((kb / 1024)) "$bytes" \
  "$(echo "$bytes / 1048576" | bc -l)"

go test -count=1 -v -run '^TestHTMLLoadTime$' ./internal/cli/ -args -html-load="$report" > "$tmp/test.out" || {
  cat "$tmp/test.out"; exit 1
}
grep -E '^html report:|screenshot:' "$tmp/test.out" | sed 's/^ *//'
