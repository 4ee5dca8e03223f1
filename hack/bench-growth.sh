#!/usr/bin/env bash
# Measures how kube4c's cost grows with the input: builds bin/kube4c from the
# working tree and the 20,000- and 100,000-workload benchmark sets (the larger
# takes minutes to generate, once; an interrupted generation starts again on
# the next call), then scans both with the default checks and with
# every check, JSON report to /dev/null, --fail-on none, the scans taking
# turns. Prints the median wall time and peak RSS of each, and the
# large/small ratios of both beside the acceptance limit: 5.5x for five times
# the workloads (scaled to the ratio of workloads when other sizes are asked
# for). The CPU time (user + system) is shown too: on a busy machine it tells
# a slow spell from a scan that does more work.
#
#   hack/bench-growth.sh [--runs N (default 5)] [--small WORKLOADS/FILES (default 20000/200)]
#                        [--large WORKLOADS/FILES (default 100000/1000)]
#
# For instance --small 2000/20 --large 10000/100 tries the script in minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 [--runs N] [--small WORKLOADS/FILES] [--large WORKLOADS/FILES]" >&2; exit 2; }
runs=5 small=20000/200 large=100000/1000
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    --small) [ $# -ge 2 ] || usage; small=$2; shift 2 ;;
    --large) [ $# -ge 2 ] || usage; large=$2; shift 2 ;;
    *) usage ;;
  esac
done
for s in "$small" "$large"; do
  [[ "$s" =~ ^[0-9]+/[0-9]+$ ]] || { echo "bench-growth: $s is not WORKLOADS/FILES" >&2; exit 2; }
done

declare -A sizes=([small]=$small [large]=$large) set_dir
for s in small large; do
  set_dir[$s]=$(hack/bench-set.sh --workloads "${sizes[$s]%/*}" --files "${sizes[$s]#*/}")
done
mkdir -p bin
go build -o bin/kube4c ./cmd/kube4c
every=$(bin/kube4c checks -o json | python3 -c 'import json,sys; print(",".join(c["id"] for c in json.load(sys.stdin) if not c.get("auditRule")))')
echo "small: ${set_dir[small]}"
echo "large: ${set_dir[large]}"
echo "$runs turns"

# run prints "wall cpu rss-MiB" of one scan of set $1 with the further scan
# arguments that follow.
run() {
  local s=$1; shift
  local times
  times=$(mktemp)
  /usr/bin/time -o "$times" -f "%e %U %S %M" bin/kube4c scan -q -o json --output-file /dev/null --fail-on none "$@" "${set_dir[$s]}" >/dev/null 2>&1 || true
  tail -n 1 "$times" | awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 / 1024 }'
  rm -f "$times"
}

# results holds one line per scan: check set, set size, wall, cpu, rss.
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for _ in $(seq "$runs"); do
  for checks in default every; do
    args=()
    [ "$checks" = default ] || args=(--checks "$every")
    for s in small large; do
      echo "$checks $s $(run "$s" "${args[@]}")" >>"$results"
    done
  done
done

# median prints the median of field $3 of the scans with check set $1 of set $2.
median() {
  awk -v c="$1" -v s="$2" -v f="$3" '$1 == c && $2 == s { print $f }' "$results" |
    sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
limit=$(awk -v a="${small%/*}" -v b="${large%/*}" 'BEGIN { printf "%.2f", 5.5 * (b / a) / 5 }')
printf '\n%-16s %14s %16s %13s\n' "" "median wall s" "median RSS MiB" "median cpu s"
for checks in default every; do
  for s in small large; do
    printf '%-16s %14s %16s %13s\n' "$checks ${sizes[$s]%/*}" "$(median "$checks" "$s" 3)" "$(median "$checks" "$s" 5)" "$(median "$checks" "$s" 4)"
  done
done
echo
if [ "$limit" = 5.50 ]; then
  note="acceptance limit 5.5x for both ratios"
else
  note="limit ${limit}x for both ratios (the acceptance limit, 5.5x for five times the workloads, scaled)"
fi
printf 'large / small: %s -> %s workloads; %s\n' "${small%/*}" "${large%/*}" "$note"
for checks in default every; do
  awk -v c="$checks" -v l="$limit" -v w1="$(median "$checks" small 3)" -v w2="$(median "$checks" large 3)" \
    -v r1="$(median "$checks" small 5)" -v r2="$(median "$checks" large 5)" \
    -v c1="$(median "$checks" small 4)" -v c2="$(median "$checks" large 4)" 'BEGIN {
      w = w2 / w1; r = r2 / r1
      printf "%-8s wall %.2fx (%s), peak RSS %.2fx (%s); cpu %.2fx\n", c ":", w, w <= l ? "within" : "OVER", r, r <= l ? "within" : "OVER", c2 / c1
    }'
done
