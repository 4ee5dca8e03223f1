#!/usr/bin/env bash
# Compares the cost of one check with the cost of every check on the
# 20,000-workload benchmark set (see hack/bench.sh): best wall time and CPU
# time of several runs each, and the ratios of the best and of the median
# wall times, JSON report to /dev/null. The scans take turns; the median of
# the ratios of each turn's own scans is the figure least moved by the
# machine's speed drifting from one minute to the next.
#
#   hack/bench-ratio.sh [--runs N (default 9)] [--one CHECK-ID]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=9 one=privileged-container
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --one) one=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--one CHECK-ID]" >&2; exit 2 ;;
  esac
done

hack/bench.sh >/dev/null # builds bin/kube4c and the benchmark set
set_dir=.cache/bench/w20000-f200
all=$(bin/kube4c checks -o json | python3 -c 'import json,sys; print(",".join(c["id"] for c in json.load(sys.stdin) if not c.get("auditRule")))')

# run prints "wall cpu rss" of one scan.
run() {
  local out; out=$(mktemp)
  /usr/bin/time -f "%e %U %S %M" bin/kube4c scan -q -o json --output-file /dev/null --fail-on none "$@" "$set_dir" 2>"$out" >/dev/null || true
  tail -1 "$out" | awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 / 1024 }'
  rm -f "$out"
}

# The three scans take turns, so that a slow spell of the machine does not
# favour one of them; the fastest run of each counts.
results=$(mktemp)
for _ in $(seq "$runs"); do
  echo "one $(run --checks "$one")" >>"$results"
  echo "default $(run)" >>"$results"
  echo "every $(run --checks "$all")" >>"$results"
done
best() { awk -v k="$1" '$1 == k && (!n++ || $2 < w) { w = $2; c = $3; m = $4 } END { print w, c, m }' "$results"; }
# mid prints the median of the numbers on its input.
mid() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# median prints the median wall time of kind $1: steadier than the best on
# a machine whose speed drifts.
median() { awk -v k="$1" '$1 == k { print $2 }' "$results" | mid; }
read -r w1 c1 m1 < <(best one)
read -r wd cd md < <(best default)
read -r wa ca ma < <(best every)
med1=$(median one) medd=$(median default) meda=$(median every)
# paired prints the median over the turns of the wall time of kind $1
# divided by that of the one check in the same turn.
paired() { awk -v k="$1" '$1 == "one" { one = $2 } $1 == k { print $2 / one }' "$results" | mid; }
pairedd=$(paired default) paireda=$(paired every)
rm -f "$results"
printf '%-34s %8s %8s %9s\n' "" "wall s" "cpu s" "RSS MiB"
printf '%-34s %8s %8s %9s\n' "one check ($one)" "$w1" "$c1" "$m1"
printf '%-34s %8s %8s %9s\n' "default checks" "$wd" "$cd" "$md"
printf '%-34s %8s %8s %9s\n' "every check" "$wa" "$ca" "$ma"
awk -v a="$wd" -v b="$w1" -v c="$medd" -v d="$med1" -v p="$pairedd" 'BEGIN { printf "default / one:  %.2fx wall (best), %.2fx (median), %.2fx (median of turns)\n", a / b, c / d, p }'
awk -v a="$wa" -v b="$w1" -v c="$meda" -v d="$med1" -v p="$paireda" 'BEGIN { printf "every / one:    %.2fx wall (best), %.2fx (median), %.2fx (median of turns)\n", a / b, c / d, p }'
