package catalog

import (
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
)

const removedAPIs = `apiVersion: extensions/v1beta1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec: {template: {spec: {containers: [{name: a, image: x, securityContext: {privileged: true}}]}}}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: privileged}
spec: {privileged: true}
---
apiVersion: v1
kind: Endpoints
metadata: {name: external, namespace: shop}
subsets: [{addresses: [{ip: 192.0.2.10}], ports: [{port: 5432}]}]
`

const servedAPIs = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: a, image: x}]}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: example.com/v1beta1
kind: Widget
metadata: {name: w}
`

func TestDeprecatedAPIVersion(t *testing.T) {
	got := scanText(t, "deprecated-api-version", removedAPIs)
	expectFindings(t, got, "apiVersion", "apiVersion", "apiVersion", "apiVersion")
	want := []struct {
		severity check.Severity
		message  string
	}{
		{check.High, `DaemonSet "agent" uses extensions/v1beta1, removed in Kubernetes 1.16 (deprecated in 1.8): the API server rejects it; use apps/v1 DaemonSet`},
		{check.High, `PodDisruptionBudget "web" uses policy/v1beta1, removed in Kubernetes 1.25 (deprecated in 1.21): the API server rejects it; use policy/v1 PodDisruptionBudget`},
		{check.High, `PodSecurityPolicy "privileged" uses policy/v1beta1, removed in Kubernetes 1.25 (deprecated in 1.21): the API server rejects it; enforce the Pod Security Standards`},
		{check.Low, `Endpoints "external" uses v1, deprecated in Kubernetes 1.33: use discovery.k8s.io/v1 EndpointSlice`},
	}
	for i, w := range want {
		if got[i].Severity != w.severity || !strings.HasPrefix(got[i].Message, w.message) {
			t.Errorf("finding %d: %s %q, want %s %q", i, got[i].Severity, got[i].Message, w.severity, w.message)
		}
	}
	expectFindings(t, scanText(t, "deprecated-api-version", servedAPIs))
	// The removed version is read like the served one: its checks run.
	expectFindings(t, scanText(t, "privileged-container", removedAPIs), "spec.template.spec.containers[0].securityContext.privileged")
}

// An upgrade gate names the release it upgrades to: what that release
// still serves is only deprecated, what it does not serve is removed, and
// what is deprecated later is not reported.
func TestDeprecatedAPIVersionTarget(t *testing.T) {
	got := scanWithSettings(t, "deprecated-api-version", removedAPIs, "settings:\n  deprecated-api-version:\n    targetVersion: '1.24'\n")
	expectFindings(t, got, "apiVersion", "apiVersion", "apiVersion")
	for i, w := range []struct {
		severity check.Severity
		message  string
	}{
		{check.High, `DaemonSet "agent" uses extensions/v1beta1, removed in Kubernetes 1.16`},
		{check.Medium, `PodDisruptionBudget "web" uses policy/v1beta1, deprecated in Kubernetes 1.21 and removed in 1.25: use policy/v1 PodDisruptionBudget`},
		{check.Medium, `PodSecurityPolicy "privileged" uses policy/v1beta1, deprecated in Kubernetes 1.21 and removed in 1.25: enforce`},
	} {
		if got[i].Severity != w.severity || !strings.HasPrefix(got[i].Message, w.message) {
			t.Errorf("finding %d: %s %q, want %s %q", i, got[i].Severity, got[i].Message, w.severity, w.message)
		}
	}
	c := check.Default.Get("deprecated-api-version")
	for _, bad := range []string{"latest", "1", "v2.x"} {
		cfg := mustConfig(t, "settings:\n  deprecated-api-version:\n    targetVersion: '"+bad+"'\n")
		if err := c.ValidateSettings(cfg); err == nil {
			t.Errorf("targetVersion %q accepted", bad)
		}
	}
}
