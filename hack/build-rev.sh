#!/usr/bin/env bash
# Prints the path of a kube4c binary to compare, building it when needed:
#   REV       kube4c as it was at a git revision, built once per commit into
#             .cache/compare/bin/kube4c-COMMIT; the revision's files are taken
#             with git archive into a temporary directory outside the
#             repository, so neither the working tree nor the worktrees change
#   BINARY    an executable file (relative to the directory the caller is in),
#             used as it is
#   worktree  the working tree as it is, built into .cache/compare/bin/kube4c-worktree
#
#   hack/build-rev.sh REV|BINARY|worktree
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."

[ $# -eq 1 ] || { echo "usage: $0 REV|BINARY|worktree" >&2; exit 2; }
what=$1
dir=$PWD/.cache/compare/bin
mkdir -p "$dir"

if [ "$what" = worktree ]; then
  go build -o "$dir/kube4c-worktree" ./cmd/kube4c
  echo "$dir/kube4c-worktree"
  exit 0
fi
if given=$(cd "$caller" && realpath -e -- "$what" 2>/dev/null) && [ -f "$given" ] && [ -x "$given" ]; then
  echo "$given"
  exit 0
fi
commit=$(git rev-parse --verify --quiet "$what^{commit}") || { echo "build-rev: $what is neither a revision nor an executable file" >&2; exit 2; }

bin=$dir/kube4c-$commit
if [ ! -x "$bin" ]; then
  echo "build-rev: building kube4c at $(git log -1 --format='%h %s' "$commit" | cut -c1-72)" >&2
  src=$(mktemp -d)
  trap 'rm -rf "$src"' EXIT
  git archive "$commit" | tar -x -C "$src"
  (cd "$src" && go build -o "$bin.tmp" ./cmd/kube4c)
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
