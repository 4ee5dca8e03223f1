#!/usr/bin/env bash
# Writes the built-in RBAC data set of a Kubernetes version,
# internal/rbac/bootstrap/v1.MINOR.yaml: the roles and bindings the API
# server of that version creates at start (its bootstrap policy), as it
# serves them on an empty cluster once the controller manager's aggregation
# controller has filled in admin, edit and view. It builds that version's
# kube-apiserver, kube-controller-manager and etcd (hack/build-testbins.sh,
# cached), starts them through the integration test TestBootstrapRBACData
# with -update, and kube4c embeds the file at its next build. The same test,
# without -update, fails while a shipped set differs from what its API
# server serves.
#
#   hack/dump-bootstrap-rbac.sh             # the version of the test binaries (.cache/testbin)
#   hack/dump-bootstrap-rbac.sh v1.38.0     # another release: its binaries go to .cache/testbin-v1.38.0
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -gt 1 ] || [[ ${1:-} == -* ]]; then
  sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
fi
if [ $# -eq 1 ]; then
  if ! [[ $1 =~ ^v1\.([0-9]+)\.([0-9]+)$ ]]; then
    echo "dump-bootstrap-rbac: $1 is not a Kubernetes release such as v1.38.0" >&2
    exit 2
  fi
  export K8S_VERSION=$1
  export STAGING_VERSION=v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}
  export KUBE4C_TESTBIN=$PWD/.cache/testbin-$1
fi
assets=$(hack/build-testbins.sh | tail -n 1)
KUBEBUILDER_ASSETS="$assets" go test -count=1 -tags integration -run '^TestBootstrapRBACData$' -v ./test/integration -update |
  grep -E 'wrote|FAIL|panic' || { echo "dump-bootstrap-rbac: the test wrote nothing" >&2; exit 1; }
