#!/usr/bin/env bash
# Checks that two builds of kube4c print the same thing, as a refactoring
# must: both list their checks (checks -o json) and scan the bundled examples,
# the real-world corpus and the 20,000-workload benchmark set (see
# hack/bench.sh) with the default checks and with every check they list, in
# each report format (json, sarif, junit, table with --color never) and the
# default --fail-on, and each pair of reports, standard errors and exit codes
# must be byte for byte the same. The version a build reports is all that is
# normalized, and only where it appears: the JSON report's tool version, the
# SARIF driver version, "version X" in standard error (the JUnit and table
# reports do not print it).
#
# One line per comparison, with the first differing lines when they differ;
# exit code 1 if anything differs. What the builds print is kept under
# .cache/compare/out/{old,new} (emptied first), except the reports of the
# benchmark set found identical (over 2 GB a build), unless --keep.
#
#   hack/compare-outputs.sh [--quick] [--keep] [--new REV] OLD
#
# OLD is a git revision (built once by hack/build-rev.sh) or a kube4c binary.
# The new build is the working tree as it is, or revision REV with --new.
# --quick leaves out the benchmark set: under a minute instead of two or
# three on two cores.
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/.."
root=$PWD

usage() { echo "usage: $0 [--quick] [--keep] [--new REV] OLD-REV|OLD-BINARY" >&2; exit 2; }
quick=false keep=false new_rev="" old=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true; shift ;;
    --keep) keep=true; shift ;;
    --new) [ $# -ge 2 ] || usage; new_rev=$2; shift 2 ;;
    -*) usage ;;
    *) [ -z "$old" ] || usage; old=$1; shift ;;
  esac
done
[ -n "$old" ] || usage

# The two builds.
old_bin=$(cd "$here" && "$root/hack/build-rev.sh" "$old") # a binary is named from where the script was called
new_bin=$(hack/build-rev.sh "${new_rev:-worktree}")
declare -A bin=([old]=$old_bin [new]=$new_bin) version every
for side in old new; do
  version[$side]=$("${bin[$side]}" --version | awk '{ print $NF }')
  every[$side]=$("${bin[$side]}" checks -o json | python3 -c 'import json,sys; print(",".join(c["id"] for c in json.load(sys.stdin) if not c.get("auditRule")))')
done
echo "old: ${bin[old]} (version ${version[old]})"
echo "new: ${bin[new]} (version ${version[new]})"

corpus=${KUBE4C_CORPUS:-../shared/corpus}
inputs=(examples "$corpus/real")
labels=(examples corpus)
if ! $quick; then
  inputs+=("$(hack/bench-set.sh)")
  labels+=(bench)
fi

out=.cache/compare/out
rm -rf "$out"
mkdir -p "$out/old" "$out/new"

# normalize replaces, in what build $1 printed in file $2 (format $3), the
# version it reports by "(version)". Nothing is done when both builds report
# the same version: the reports of the benchmark set are large.
normalize() {
  local side=$1 file=$2 format=$3 v
  [ "${version[old]}" != "${version[new]}" ] || return 0
  v=$(printf '%s' "${version[$side]}" | sed 's/[][\.*^$/]/\\&/g')
  case "$format" in
    json) sed -i "0,/\"version\": *\"$v\"/ s/\"version\"\(: *\)\"$v\"/\"version\"\1\"(version)\"/" "$file" ;;
    sarif) sed -i "s/\"version\":\"$v\"/\"version\":\"(version)\"/g" "$file" ;;
    stderr) sed -i "s/\bversion $v\b/version (version)/g" "$file" ;;
  esac
}

# run runs build $1 with the arguments that follow, its output to
# $out/$1/$name.out, its standard error to .err and its exit code to .code.
run() {
  local side=$1; shift
  local code=0
  "${bin[$side]}" "$@" >"$out/$side/$name.out" 2>"$out/$side/$name.err" || code=$?
  echo "$code" >"$out/$side/$name.code"
  normalize "$side" "$out/$side/$name.out" "$format"
  normalize "$side" "$out/$side/$name.err" stderr
}

# excerpt shows where files $1 and $2 first differ: the diff of the lines
# from there on, or for a report on one line ($3 = sarif) the bytes around.
excerpt() {
  local at byte line from
  at=$(cmp "$1" "$2" 2>&1 | head -n 1 | sed "s|$out/||g" || true)
  byte=$(echo "$at" | grep -o 'byte [0-9]*' | grep -o '[0-9]*' || echo 1)
  line=$(echo "$at" | grep -o 'line [0-9]*' | grep -o '[0-9]*' || echo 1)
  if [ "$3" = sarif ]; then
    from=$((byte > 150 ? byte - 150 : 1))
    echo "      $at; 400 bytes from byte $from:"
    echo "      old: $(tail -c "+$from" "$1" | head -c 400 | tr '\n' ' ' || true)"
    echo "      new: $(tail -c "+$from" "$2" | head -c 400 | tr '\n' ' ' || true)"
  else
    from=$((line > 3 ? line - 3 : 1))
    echo "      $at; diff of the lines from line $from (numbered from there):"
    diff <(tail -n "+$from" "$1" | head -n 500 || true) <(tail -n "+$from" "$2" | head -n 500 || true) |
      head -n 12 | cut -c1-240 | sed 's/^/      /' || true
  fi
}

# compare prints one line for the two runs named $name: same, or DIFFERENT,
# what differs and where.
differ=0 compared=0
compare() {
  local what="" o=$out/old/$name n=$out/new/$name
  compared=$((compared + 1))
  cmp -s "$o.out" "$n.out" || what="output"
  cmp -s "$o.err" "$n.err" || what="${what:+$what, }standard error"
  cmp -s "$o.code" "$n.code" || what="${what:+$what, }exit code (old $(cat "$o.code"), new $(cat "$n.code"))"
  if [ -z "$what" ]; then
    printf 'same       %-28s exit %s, %s bytes\n' "$name" "$(cat "$n.code")" "$(stat -c %s "$n.out")"
    return
  fi
  differ=$((differ + 1))
  printf 'DIFFERENT  %-28s %s\n' "$name" "$what"
  cmp -s "$o.out" "$n.out" || excerpt "$o.out" "$n.out" "$format"
  cmp -s "$o.err" "$n.err" || excerpt "$o.err" "$n.err" stderr
}

name=checks format=catalogue
run old checks -o json
run new checks -o json
compare

for i in "${!inputs[@]}"; do
  for set in default every; do
    for format in json sarif junit table; do
      name=${labels[$i]}-$set.$format
      for side in old new; do
        checks=()
        [ "$set" = default ] || checks=(--checks "${every[$side]}")
        run "$side" scan -o "$format" --color never "${checks[@]}" "${inputs[$i]}"
      done
      compare
      if [ "${labels[$i]}" = bench ] && ! $keep && cmp -s "$out/old/$name.out" "$out/new/$name.out"; then
        rm -f "$out/old/$name.out" "$out/new/$name.out"
      fi
    done
  done
done

if [ "$differ" -gt 0 ]; then
  echo "$differ of $compared comparisons DIFFERENT (outputs in $out)"
  exit 1
fi
echo "all $compared comparisons the same"
