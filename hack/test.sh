#!/usr/bin/env bash
# Runs the whole test suite: formatting, vet, staticcheck, unit and
# integration tests, and a short run of every fuzz target. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# A count, not a duration: with a duration, Go 1.26's fuzzing coordinator
# can fail a target with "context deadline exceeded" as the time runs out
# (golang/go#75804, fixed in Go 1.27), without any failing input.
fuzztime=${FUZZTIME:-10000x}

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...
go vet -tags integration ./test/...

echo "== staticcheck"
# Pinned here rather than in go.mod: a linter is not a dependency of kube4c.
staticcheck="go run honnef.co/go/tools/cmd/staticcheck@v0.8.2"
$staticcheck ./...
$staticcheck -tags integration ./test/...

echo "== go test (unit)"
go test -count=1 ./...

echo "== control-plane binaries"
assets=$(hack/build-testbins.sh | tail -n 1)
export KUBEBUILDER_ASSETS="$assets"

echo "== go test (integration: real kube-apiserver and etcd)"
go test -count=1 -tags integration -timeout 30m ./test/integration/...

echo "== fuzz ($fuzztime each)"
# Every fuzz target of the module, found by name.
grep -rl --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' . | sort | while read -r file; do
  pkg=./$(dirname "${file#./}")
  for target in $(grep -oE '^func Fuzz[A-Za-z0-9_]+' "$file" | cut -d' ' -f2); do
    echo "-- $pkg $target"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
echo "== all tests passed"
