package catalog

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

func TestPSSNamespaceUnlabeled(t *testing.T) {
	text := `apiVersion: v1
kind: Namespace
metadata: {name: apps}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops, labels: {pod-security.kubernetes.io/enforce: privileged}}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system, labels: {pod-security.kubernetes.io/enforce: privileged}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: baseline}}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-public}
`
	pod := "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec: {containers: [{name: c, image: x}]}\n"
	f := scanText(t, "pss-namespace-unlabeled", text+pod)
	expectFindings(t, f, "metadata.labels", "metadata.labels[pod-security.kubernetes.io/enforce]")
	if f[0].Object.Name() != "apps" || f[1].Object.Name() != "ops" || f[0].Severity != check.Medium {
		t.Errorf("reported %s (%s) and %s", f[0].Object.Ref(), f[0].Severity, f[1].Object.Ref())
	}
	// Where no workload runs yet, the risk is to come: low.
	f = scanText(t, "pss-namespace-unlabeled", text)
	if len(f) != 2 || f[0].Object.Name() != "apps" || f[0].Severity != check.Low {
		t.Errorf("an empty namespace: %v", f)
	}
}

func TestLegacySATokenSecretFromFilesAndMetadata(t *testing.T) {
	text := `apiVersion: v1
kind: Secret
metadata: {name: token, namespace: ns, annotations: {kubernetes.io/service-account.name: app}}
type: kubernetes.io/service-account-token
---
apiVersion: v1
kind: Secret
metadata: {name: opaque, namespace: ns}
type: Opaque
data: {a: YQ==}
`
	f := scanText(t, "legacy-sa-token-secret", text)
	expectFindings(t, f, "")
	if f[0].Object.Name() != "token" {
		t.Errorf("reported %s", f[0].Object.Ref())
	}

	// From a live cluster, Secrets are metadata only.
	meta := func(name string, annotations map[string]string) *inventory.Object {
		p := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Annotations: annotations}}
		return &inventory.Object{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Secret"}, Obj: p, Meta: p}
	}
	inv := inventory.New([]*inventory.Object{meta("sa-token", map[string]string{"kubernetes.io/service-account.name": "app"}), meta("other", nil)})
	got, _, _ := check.Run(context.Background(), inv, []*check.Check{check.Default.Get("legacy-sa-token-secret")}, check.Env{Now: time.Now()})
	if len(got) != 1 || got[0].Object.Name() != "sa-token" {
		t.Errorf("metadata-only secrets: %v", got)
	}
}
