#!/usr/bin/env bash
# Builds the real control-plane binaries the integration tests run, from the
# Go module proxy, into a cache folder that envtest reads (KUBEBUILDER_ASSETS):
#   kube-apiserver           k8s.io/kubernetes cmd/kube-apiserver, every staging module at its published version
#   kube-controller-manager  the same way: its ClusterRole aggregation controller runs in the RBAC ground-truth test
#   etcd                     go.etcd.io/etcd/server/v3
# The Go build cache makes later runs fast; a binary already built for the
# same versions is kept.
#
#   hack/build-testbins.sh            # prints the folder on its last line
set -euo pipefail
cd "$(dirname "$0")/.."

K8S_VERSION=${K8S_VERSION:-v1.37.2}
STAGING_VERSION=${STAGING_VERSION:-v0.37.2}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
out=${KUBE4C_TESTBIN:-$PWD/.cache/testbin}
stamp="$K8S_VERSION $STAGING_VERSION $ETCD_VERSION"
mkdir -p "$out"
if [ -x "$out/kube-apiserver" ] && [ -x "$out/etcd" ] && [ -x "$out/kube-controller-manager" ] && [ "$(cat "$out/.versions" 2>/dev/null)" = "$stamp" ]; then
  echo "$out"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log() { echo "build-testbins: $*" >&2; }

# --- kube-apiserver and kube-controller-manager ---------------------------
log "kubernetes $K8S_VERSION (staging $STAGING_VERSION)"
gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[ -n "$gomod" ] || { log "cannot download k8s.io/kubernetes@$K8S_VERSION"; exit 1; }
mkdir -p "$work/k8s/apiserver" "$work/k8s/controllermanager"
{
  echo "module kube4c.local/testbins"
  echo
  echo "go 1.26"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  echo "replace ("
  # Every staging module that k8s.io/kubernetes replaces with a local path
  # is published on its own; use that release instead.
  sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$gomod" | while read -r m; do
    echo "	$m => $m $STAGING_VERSION"
  done
  echo ")"
} > "$work/k8s/go.mod"
cat > "$work/k8s/apiserver/main.go" <<'GO'
// Command kube-apiserver for kube4c's integration tests.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
GO
cat > "$work/k8s/controllermanager/main.go" <<'GO'
// Command kube-controller-manager for kube4c's integration tests.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() { os.Exit(cli.Run(app.NewControllerManagerCommand())) }
GO
(
  cd "$work/k8s"
  GOFLAGS=-mod=mod go mod tidy >&2
  # Stamp the version, which the binaries otherwise report as v0.0.0.
  minor=${K8S_VERSION#v1.}
  ldflags="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor%%.*}"
  log "building kube-apiserver (about 11 CPU-minutes on a cold build cache)"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out/kube-apiserver" ./apiserver
  log "building kube-controller-manager"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out/kube-controller-manager" ./controllermanager
)

# --- etcd -------------------------------------------------------------------
log "etcd $ETCD_VERSION"
mkdir -p "$work/etcd"
cat > "$work/etcd/go.mod" <<GOMOD
module kube4c.local/etcd

go 1.26

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
GOMOD
cat > "$work/etcd/tools.go" <<'GO'
//go:build tools

// Package tools pins the etcd server module.
package tools

import _ "go.etcd.io/etcd/server/v3"
GO
(
  cd "$work/etcd"
  GOFLAGS=-mod=mod go mod tidy >&2
  CGO_ENABLED=0 go build -trimpath -o "$out/etcd" go.etcd.io/etcd/server/v3
)

echo "$stamp" > "$out/.versions"
log "done: $(ls "$out" | tr '\n' ' ')"
echo "$out"
