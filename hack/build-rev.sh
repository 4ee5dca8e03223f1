#!/usr/bin/env bash
# Builds kube4c as it was at a git revision, once per commit, and prints the
# path of the binary (.cache/compare/bin/kube4c-COMMIT). The revision's files
# are taken with git archive into a temporary directory outside the
# repository, so that neither the working tree nor the list of worktrees
# changes.
#
#   hack/build-rev.sh REV
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -eq 1 ] || { echo "usage: $0 REV" >&2; exit 2; }
commit=$(git rev-parse --verify --quiet "$1^{commit}") || { echo "build-rev: $1 is not a revision" >&2; exit 2; }

bin=$PWD/.cache/compare/bin/kube4c-$commit
if [ ! -x "$bin" ]; then
  echo "build-rev: building kube4c at $(git log -1 --format='%h %s' "$commit" | cut -c1-72)" >&2
  src=$(mktemp -d)
  trap 'rm -rf "$src"' EXIT
  git archive "$commit" | tar -x -C "$src"
  mkdir -p "$(dirname "$bin")"
  (cd "$src" && go build -o "$bin.tmp" ./cmd/kube4c)
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
