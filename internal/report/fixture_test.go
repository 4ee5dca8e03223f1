package report

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// k8sObject is what a typed API struct pointer implements.
type k8sObject interface {
	runtime.Object
	metav1.Object
}

// newObject wraps a typed object read from file (no positions; "" for a
// live cluster).
func newObject(o k8sObject, gvk schema.GroupVersionKind, file string) *inventory.Object {
	return &inventory.Object{GVK: gvk, Obj: o, Meta: o, Source: inventory.Source{File: file}}
}

func meta(namespace, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: namespace, Name: name}
}

// Checks of the sample report.
var (
	privileged = &check.Check{
		Meta: check.Meta{
			ID: "privileged-container", Title: "Container runs privileged",
			Layer: check.LayerContainer, Severity: check.Critical,
			Looks:       "securityContext.privileged of every container",
			Rationale:   "A privileged container has every capability of the host.",
			Remediation: "Set securityContext.privileged to false.\nIf the workload needs one capability, add only that one.",
			Example:     "securityContext:\n  privileged: false\n",
			References: check.References{
				CIS: []string{"5.2.2"}, PSS: []string{"baseline: Privileged Containers"}, MITRE: []string{"T1611"},
				URLs: []string{"https://kubernetes.io/docs/concepts/security/pod-security-standards/"},
			},
		},
	}
	limits = &check.Check{
		Meta: check.Meta{
			ID: "missing-resource-limits", Title: "Container has no resource limits",
			Layer: check.LayerContainer, Severity: check.Medium,
			Looks:       "resources.limits of every container",
			Rationale:   "Without limits one container can starve its node.",
			Remediation: "Set resources.limits.cpu and resources.limits.memory.",
		},
	}
	wildcard = &check.Check{
		Meta: check.Meta{
			ID: "rbac-wildcard", Title: "Role grants wildcard permissions",
			Layer: check.LayerCluster, Severity: check.High,
			Looks:       "rules of Roles and ClusterRoles",
			Rationale:   "Wildcards grant permissions on resources that do not exist yet.",
			Remediation: "List verbs and resources explicitly.",
			References:  check.References{NSA: []string{"Authentication and authorization"}},
		},
	}
	noPolicy = &check.Check{
		Meta: check.Meta{
			ID: "missing-network-policy", Title: "Namespace has no NetworkPolicy",
			Layer: check.LayerCluster, Severity: check.Low,
			Looks:       "namespaces of workloads and NetworkPolicies",
			Rationale:   "Without a policy every pod accepts traffic from everywhere.",
			Remediation: "Add a default-deny NetworkPolicy to the namespace.",
		},
	}
	expired = &check.Check{
		Meta: check.Meta{
			ID: "expired-exception", Title: "Exception has expired",
			Layer: check.LayerCode, Severity: check.Info,
			Looks:       "expiry dates of configured exceptions",
			Rationale:   "Expired exceptions no longer suppress anything and should go.",
			Remediation: "Remove the exception or extend its expiry date.",
		},
	}
	broken = &check.Check{
		Meta: check.Meta{
			ID: "broken-check", Title: "A check that panics",
			Layer: check.LayerCloud, Severity: check.Medium,
			Looks: "nothing", Rationale: "It tests failures.", Remediation: "None.",
		},
	}
)

// sampleReport builds a report with a bit of everything: findings about
// objects from files, from a live cluster and about no object, suppressed
// findings of both kinds, a check without findings, a failing check and
// every kind of input problem.
func sampleReport() *Report {
	web := newObject(&appsv1.Deployment{ObjectMeta: meta("prod", "web")}, appsv1.SchemeGroupVersion.WithKind("Deployment"), "deploy/web.yaml")
	debug := newObject(&corev1.Pod{ObjectMeta: meta("default", "debug")}, corev1.SchemeGroupVersion.WithKind("Pod"), "deploy/pod.yaml")
	reader := newObject(&rbacv1.ClusterRole{ObjectMeta: meta("", "reader")}, rbacv1.SchemeGroupVersion.WithKind("ClusterRole"), "deploy/rbac.yaml")
	agent := newObject(&corev1.Pod{ObjectMeta: meta("kube-system", "agent")}, corev1.SchemeGroupVersion.WithKind("Pod"), "")

	finding := func(c *check.Check, o *inventory.Object, container, path, msg string, loc inventory.Location) *check.Finding {
		return &check.Finding{
			CheckID: c.ID, Severity: c.Severity, Layer: c.Layer, Object: o, Container: container,
			Path: path, Message: msg, Remediation: c.Remediation, Location: loc,
		}
	}
	at := func(file string, line, col int) inventory.Location {
		return inventory.Location{File: file, Line: line, Column: col}
	}
	suppressed := func(f *check.Finding, kind, reason, src string) *check.Finding {
		f.Suppressed = &check.Suppression{Kind: kind, Reason: reason, Source: src}
		return f
	}
	return &Report{
		Tool: Tool{Name: "kube4c", Version: "1.2.3", URI: "https://github.com/kube4c/kube4c"},
		Findings: []*check.Finding{
			finding(privileged, agent, "agent", "spec.containers[0].securityContext.privileged", `Container "agent" runs privileged.`, inventory.Location{}),
			finding(privileged, debug, "shell", "spec.containers[0].securityContext.privileged", `Container "shell" runs privileged.`, at("deploy/pod.yaml", 9, 7)),
			finding(wildcard, reader, "", "rules[0].verbs", `Rule grants "*" verbs on <all> resources & subresources.`, at("deploy/rbac.yaml", 8, 5)),
			finding(limits, web, "app", "spec.template.spec.containers[0].resources", `Container "app" has no memory limit.`, at("deploy/web.yaml", 20, 11)),
			finding(privileged, web, "app", "spec.template.spec.containers[0].securityContext.privileged", `Container "app" runs privileged.`, at("deploy/web.yaml", 22, 13)),
			finding(expired, nil, "", "", "Exception for privileged-container expired on 2024-01-31.", at("kube4c.yaml", 12, 5)),
		},
		Suppressed: []*check.Finding{
			suppressed(finding(limits, debug, "shell", "spec.containers[0].resources", `Container "shell" has no memory limit.`, at("deploy/pod.yaml", 12, 7)),
				"config", "debug pod, deleted after use", "kube4c.yaml:20"),
			suppressed(finding(privileged, web, "sidecar", "spec.template.spec.containers[1].securityContext.privileged", `Container "sidecar" runs privileged.`, at("deploy/web.yaml", 31, 13)),
				"annotation", "", "kube4c.io/ignore"),
		},
		Checks: []*check.Check{expired, limits, privileged, noPolicy, wildcard, broken},
		Errors: []source.Problem{
			{Location: at("deploy/broken.yaml", 4, 3), Message: "yaml: mapping values are not allowed in this context"},
		},
		Warnings: []source.Problem{
			{Location: at("deploy/web.yaml", 15, 9), Object: "Deployment/prod/web", Message: `unknown field "spec.template.spec.containers[0].imagePullPolice"`},
		},
		Skipped: []source.Problem{
			{Location: at("deploy/notes.yaml", 1, 1), Message: "document has no apiVersion or kind"},
		},
		Failures: []check.Failure{
			{CheckID: broken.ID, Err: errors.New("check broken-check panicked: boom\ngoroutine 7 [running]:\nmain.main()")},
		},
		Files: 5, Documents: 7, Objects: 5,
		FailOn: check.High,
	}
}

// emptyReport is a clean scan: checks ran, nothing was found.
func emptyReport() *Report {
	return &Report{
		Tool:   Tool{Name: "kube4c", Version: "1.2.3"},
		Checks: []*check.Check{limits, noPolicy},
		Files:  1, Documents: 1, Objects: 1,
		FailOn: check.High,
	}
}

// render renders r in format and fails the test on error.
func render(t testing.TB, format string, r *Report, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(format, &buf, r, opts); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update to accept it)\ngot:\n%s", path, got)
	}
}
