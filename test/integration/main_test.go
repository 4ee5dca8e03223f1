//go:build integration

// Package integration runs kube4c against a real kube-apiserver and etcd,
// built from the Go module proxy by hack/build-testbins.sh and started with
// controller-runtime's envtest. Run with: go test -tags integration ./test/integration
package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// The test control plane, shared by every test of the package.
var (
	env *envtest.Environment
	// admin is a system:masters client config.
	admin *rest.Config
	// adminKubeconfig is a kubeconfig file for admin.
	adminKubeconfig string
	// auditLog is the API server's audit log (RequestResponse for secrets).
	auditLog string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	assets, err := assetsDir()
	if err != nil {
		// Never a skip: the integration tests are asked for explicitly
		// (build tag), so missing binaries are a failure.
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	work, err := os.MkdirTemp("", "kube4c-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(work)
	policy := filepath.Join(work, "audit-policy.yaml")
	auditLog = filepath.Join(work, "audit.log")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	env = &envtest.Environment{BinaryAssetsDirectory: assets}
	api := env.ControlPlane.GetAPIServer()
	api.Configure().
		Set("audit-policy-file", policy).
		Set("audit-log-path", auditLog).
		Set("audit-log-format", "json").
		Set("service-cluster-ip-range", "10.96.0.0/16")
	if admin, err = env.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "integration: starting the control plane:", err)
		return 1
	}
	defer env.Stop()
	user, err := env.ControlPlane.AddUser(envtest.User{Name: "kube4c-admin", Groups: []string{"system:masters"}}, admin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	admin = user.Config()
	kc, err := user.KubeConfig()
	if err == nil {
		adminKubeconfig = filepath.Join(work, "admin.kubeconfig")
		err = os.WriteFile(adminKubeconfig, kc, 0o600)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// auditPolicy logs every secrets request with its request and response
// bodies, so a test can prove kube4c never received a Secret's data, and
// every configmaps request, so that one can prove which it read whole.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: RequestResponse
    resources:
      - group: ""
        resources: [secrets]
  - level: Metadata
    resources:
      - group: ""
        resources: [configmaps]
  - level: None
`

// assetsDir finds the control-plane binaries: $KUBEBUILDER_ASSETS, else
// the folder hack/build-testbins.sh fills.
func assetsDir() (string, error) {
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, ".cache", "testbin")
	}
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			return "", fmt.Errorf("%s is missing in %s: build it with hack/build-testbins.sh (or set KUBEBUILDER_ASSETS)", bin, dir)
		}
	}
	return dir, nil
}
