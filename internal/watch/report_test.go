package watch

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// findingsAbout returns n findings about n pods of namespace ns, each with
// a long message.
func findingsAbout(ns string, n int) []result {
	out := make([]result, n)
	for i := range out {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pod-%05d", i), Namespace: ns, UID: "u"}}
		obj := &inventory.Object{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, Obj: pod, Meta: pod}
		f := &check.Finding{CheckID: "privileged-container", Severity: check.High, Layer: check.LayerContainer, Object: obj,
			Container: "c", Path: "spec.containers[0].securityContext.privileged", Message: strings.Repeat("privileged; ", 40)}
		out[i] = newResult(f, metav1.Timestamp{Seconds: 1700000000})
	}
	return out
}

func TestReportsSplitByteBoundedAndDeterministic(t *testing.T) {
	results := findingsAbout("big", 6000)
	parts := buildReports(OpenReports, "big", results, 10, 3)
	if len(parts) < 2 {
		t.Fatalf("6000 long results in %d report(s): want them split", len(parts))
	}
	total := 0
	for i, p := range parts {
		b, err := json.Marshal(p.Object)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 1<<20 {
			t.Errorf("part %d is %d bytes, over 1 MiB", i+1, len(b))
		}
		if want := partName(i + 1); p.GetName() != want || p.GetNamespace() != "big" || p.GetKind() != "Report" {
			t.Errorf("part %d is %s %s/%s, want Report big/%s", i+1, p.GetKind(), p.GetNamespace(), p.GetName(), want)
		}
		fail, _, _ := unstructured.NestedInt64(p.Object, "summary", "fail")
		items, _, _ := unstructured.NestedSlice(p.Object, "results")
		if int(fail) != len(items) {
			t.Errorf("part %d counts %d failures for %d results", i+1, fail, len(items))
		}
		pass, _, _ := unstructured.NestedInt64(p.Object, "summary", "pass")
		if (i == 0) != (pass == 10) {
			t.Errorf("part %d counts %d passes; the first part alone carries them", i+1, pass)
		}
		total += len(items)
	}
	if total != len(results) {
		t.Errorf("the parts hold %d results of %d", total, len(results))
	}
	again := buildReports(OpenReports, "big", results, 10, 3)
	for i := range parts {
		a, _ := json.Marshal(parts[i].Object)
		b, _ := json.Marshal(again[i].Object)
		if string(a) != string(b) {
			t.Fatalf("part %d differs between two builds of the same results", i+1)
		}
	}
}

func TestReportFormats(t *testing.T) {
	results := findingsAbout("ns", 1)
	open := buildReports(OpenReports, "ns", results, 0, 0)[0]
	policy := buildReports(PolicyReports, "", results, 0, 0)[0]
	if open.GetAPIVersion() != "openreports.io/v1alpha1" || open.GetKind() != "Report" {
		t.Errorf("OpenReports object is %s %s", open.GetAPIVersion(), open.GetKind())
	}
	if src, _, _ := unstructured.NestedString(open.Object, "source"); src != "kube4c" {
		t.Errorf("OpenReports source %q", src)
	}
	if policy.GetAPIVersion() != "wgpolicyk8s.io/v1alpha2" || policy.GetKind() != "ClusterPolicyReport" || policy.GetNamespace() != "" {
		t.Errorf("the cluster's PolicyReport is %s %s in %q", policy.GetAPIVersion(), policy.GetKind(), policy.GetNamespace())
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(policy.Object, "source"); found {
		t.Errorf("a PolicyReport has no report-level source field")
	}
	r := results[0].result
	if r.Policy != "privileged-container" || r.Severity != "high" || r.Result != "fail" || r.Category != "container" ||
		r.Properties["path"] != "spec.containers[0].securityContext.privileged" || r.Properties["container"] != "c" ||
		len(r.Subjects) != 1 || r.Subjects[0].Kind != "Pod" || r.Subjects[0].Namespace != "ns" {
		t.Errorf("result %+v", r)
	}
	// The key a report's result gives back is the key of its finding: a
	// new leader keeps first-seen times and alerts only what changed.
	content := buildReports(OpenReports, "ns", results, 0, 0)[0]
	back := previousResults(*content)
	if _, ok := back[results[0].key]; !ok || len(back) != 1 {
		t.Errorf("reading the report back gives keys %v, want %q", back, results[0].key)
	}
}
