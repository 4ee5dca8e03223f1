#!/usr/bin/env bash
# Compares the speed and memory of two builds of kube4c on the 20,000-workload
# benchmark set (see hack/bench.sh), or on the set of --set: each build scans
# it with the default checks and with every check it lists, JSON report to
# /dev/null, --fail-on none. The scans take turns (old default, new default,
# old every, new every, N times) so that a slow spell of the machine does not
# favour one build. Prints, per build and check set, the best and median wall
# time, the best CPU time (user + system) and the median peak RSS; then the
# new/old ratios of the medians, and the median over the turns of each turn's
# own new/old wall ratio, the figure least moved by the machine's speed
# drifting.
#
#   hack/bench-compare.sh [--runs N (default 9)] [--set DIR] [--new REV] OLD
#
# OLD is a git revision (built once by hack/build-rev.sh) or a kube4c binary.
# The new build is the working tree as it is, or revision REV with --new.
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/.."
root=$PWD

usage() { echo "usage: $0 [--runs N] [--set DIR] [--new REV] OLD-REV|OLD-BINARY" >&2; exit 2; }
runs=9 set_dir="" new_rev="" old=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    --set) [ $# -ge 2 ] || usage; set_dir=$2; shift 2 ;;
    --new) [ $# -ge 2 ] || usage; new_rev=$2; shift 2 ;;
    -*) usage ;;
    *) [ -z "$old" ] || usage; old=$1; shift ;;
  esac
done
[ -n "$old" ] || usage
if [ -n "$set_dir" ]; then
  if ! dir=$(cd "$here" && realpath -e -- "$set_dir" 2>/dev/null) || [ ! -d "$dir" ]; then
    echo "bench-compare: no directory $set_dir" >&2
    exit 2
  fi
  set_dir=$dir
else
  set_dir=$(hack/bench-set.sh)
fi

old_bin=$(cd "$here" && "$root/hack/build-rev.sh" "$old") # a binary is named from where the script was called
new_bin=$(hack/build-rev.sh "${new_rev:-worktree}")
declare -A bin=([old]=$old_bin [new]=$new_bin) every
for b in old new; do
  every[$b]=$("${bin[$b]}" checks -o json | python3 -c 'import json,sys; print(",".join(c["id"] for c in json.load(sys.stdin) if not c.get("auditRule")))')
done
[ "${every[old]}" = "${every[new]}" ] || echo "bench-compare: note: the two builds do not list the same checks; each runs its own for every check" >&2
echo "old: ${bin[old]}"
echo "new: ${bin[new]}"
echo "set: $set_dir, $runs turns"

# run prints "wall cpu rss-MiB exit-code" of one scan by build $1 with the
# further scan arguments that follow.
run() {
  local b=$1; shift
  local times code=0
  times=$(mktemp)
  /usr/bin/time -o "$times" -f "%e %U %S %M" "${bin[$b]}" scan -q -o json --output-file /dev/null --fail-on none "$@" "$set_dir" >/dev/null 2>&1 || code=$?
  tail -n 1 "$times" | awk -v c="$code" '{ printf "%s %.2f %d %d\n", $1, $2 + $3, $4 / 1024, c }'
  rm -f "$times"
}

# results holds one line per scan: turn, build, check set, wall, cpu, rss, exit code.
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for turn in $(seq "$runs"); do
  for set in default every; do
    for b in old new; do
      checks=()
      [ "$set" = default ] || checks=(--checks "${every[$b]}")
      echo "$turn $b $set $(run "$b" "${checks[@]}")" >>"$results"
    done
  done
done

# A build that fails where the other does not is measured doing something else.
if [ "$(awk '{ print $3, $7 }' "$results" | sort -u | awk '{ print $1 }' | uniq -d)" != "" ]; then
  echo "bench-compare: warning: the scans' exit codes differ:" >&2
  awk '{ print "  " $2, $3, "exit code", $7 }' "$results" | sort -u >&2
fi

# mid prints the median of the numbers on its input.
mid() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# field prints field $3 of the scans of build $1 with check set $2.
field() { awk -v b="$1" -v s="$2" -v f="$3" '$2 == b && $3 == s { print $f }' "$results"; }
best() { field "$@" | sort -n | head -n 1; }
median() { field "$@" | mid; }
# turns prints the median over the turns of the new/old ratio of field $2
# with check set $1.
turns() {
  awk -v s="$1" -v f="$2" '$3 == s { v[$1, $2] = $f } $3 == s && $2 == "new" { print v[$1, "new"] / v[$1, "old"] }' "$results" | mid | awk '{ printf "%.3f", $1 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

printf '\n%-14s %12s %14s %11s %16s\n' "" "best wall s" "median wall s" "best cpu s" "median RSS MiB"
for set in default every; do
  for b in old new; do
    printf '%-14s %12s %14s %11s %16s\n' "$b $set" "$(best "$b" "$set" 4)" "$(median "$b" "$set" 4)" "$(best "$b" "$set" 5)" "$(median "$b" "$set" 6)"
  done
done
echo
for set in default every; do
  printf 'new / old, %-8s wall %sx (medians), %sx (median of turns); best cpu %sx; peak RSS %sx (medians)\n' "$set:" \
    "$(ratio "$(median new "$set" 4)" "$(median old "$set" 4)")" "$(turns "$set" 4)" \
    "$(ratio "$(best new "$set" 5)" "$(best old "$set" 5)")" \
    "$(ratio "$(median new "$set" 6)" "$(median old "$set" 6)")"
done
