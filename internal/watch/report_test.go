package watch

import (
	"fmt"
	"slices"
	"strconv"
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
		out[i] = result{key: keyOf(f), finding: f, seen: metav1.Timestamp{Seconds: 1700000000}}
	}
	return out
}

// buildReports splits and encodes a unit's reports as the writer does.
func buildReports(format Format, unit string, results []result, passes, skipped, n int) []encodedReport {
	var out []encodedReport
	for _, p := range splitReports(results, passes, skipped, n) {
		out = append(out, p.encode(format, unit))
	}
	return out
}

// decode returns a report part as the API server receives it.
func decode(t *testing.T, p encodedReport) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(p.body); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestReportsSplitByObjectBoundedAndStable(t *testing.T) {
	results := findingsAbout("big", 6000)
	n := partCount(results, 0)
	if n < 6000/partResults || n >= 2*6000/partResults || n&(n-1) != 0 {
		t.Fatalf("6000 results in %d parts: want the power of two from %d", n, 6000/partResults)
	}
	parts := buildReports(OpenReports, "big", results, 10, 3, n)
	total := 0
	for i, p := range parts {
		u := decode(t, p)
		if len(p.body) > 1<<20 {
			t.Errorf("part %d is %d bytes, over 1 MiB", i+1, len(p.body))
		}
		number := partNumber(u.GetName())
		if u.GetNamespace() != "big" || u.GetKind() != "Report" || number < 1 || number > n || (i == 0) != (number == 1) ||
			u.GetLabels()[PartLabel] != strconv.Itoa(number) {
			t.Errorf("part %d is %s %s/%s labelled %v, want a Report in big named for its part", i+1, u.GetKind(), u.GetNamespace(), u.GetName(), u.GetLabels())
		}
		fail, _, _ := unstructured.NestedInt64(u.Object, "summary", "fail")
		items, _, _ := unstructured.NestedSlice(u.Object, "results")
		if int(fail) != len(items) || len(items) == 0 && i > 0 {
			t.Errorf("part %d counts %d failures for %d results (only the first part may be empty)", i+1, fail, len(items))
		}
		pass, _, _ := unstructured.NestedInt64(u.Object, "summary", "pass")
		if (i == 0) != (pass == 10) {
			t.Errorf("part %d counts %d passes; the first part alone carries them", i+1, pass)
		}
		total += len(items)
	}
	if total != len(results) {
		t.Errorf("the parts hold %d results of %d", total, len(results))
	}
	again := buildReports(OpenReports, "big", results, 10, 3, n)
	for i := range parts {
		if parts[i].hash != again[i].hash {
			t.Fatalf("part %d differs between two builds of the same results", i+1)
		}
	}

	// A result fixed and one added change the parts of their objects alone.
	fixed, added := results[1234], findingsAbout("big", 6001)[6000]
	changed := slices.Concat(results[:1234], results[1235:], []result{added})
	if m := partCount(changed, n); m != n {
		t.Fatalf("one result less and one more: %d parts, want %d kept", m, n)
	}
	hashes := func(parts []encodedReport) map[string][32]byte {
		out := map[string][32]byte{}
		for _, p := range parts {
			out[p.name] = p.hash
		}
		return out
	}
	before, after := hashes(parts), hashes(buildReports(OpenReports, "big", changed, 10, 3, n))
	var rewritten []string
	for name, h := range after {
		if before[name] != h {
			rewritten = append(rewritten, name)
		}
	}
	slices.Sort(rewritten)
	want := []string{partName(partOf(fixed.finding, n) + 1), partName(partOf(added.finding, n) + 1)}
	slices.Sort(want)
	if want = slices.Compact(want); !slices.Equal(rewritten, want) || len(after) < len(before)-1 {
		t.Errorf("parts rewritten %v, want only those of the two objects %v", rewritten, want)
	}
}

func TestPartCountKeepsItsCountWhileItFits(t *testing.T) {
	results := findingsAbout("ns", 300)
	n := partCount(results, 0)
	if got := partCount(results, 2*n); got != 2*n {
		t.Errorf("a previous count twice the fewest: %d parts, want it kept (%d)", got, 2*n)
	}
	many := findingsAbout("ns", 1000)
	if got := partCount(many, 0); got != 32 {
		t.Errorf("1000 results: %d parts, want 32 (31 on average)", got)
	}
	if got := partCount(many, 16); got != 16 {
		t.Errorf("1000 results, previously 16 parts (62 on average): %d parts, want 16 kept", got)
	}
	if got := partCount(many, 8); got != 32 {
		t.Errorf("1000 results, previously 8 parts (125 on average): %d parts, want 32", got)
	}
	if got := partCount(results[:10], n); got != 1 {
		t.Errorf("10 results, previously %d parts: %d parts, want 1", n, got)
	}
	if got := partCount(nil, 0); got != 1 {
		t.Errorf("no results: %d parts, want 1", got)
	}
	// Results with long messages are spread over more parts, to stay
	// under maxReportBytes each.
	long := findingsAbout("ns", 20)
	for i := range long {
		long[i].finding.Message = strings.Repeat("x", 100<<10)
	}
	n = partCount(long, 0)
	for _, p := range buildReports(OpenReports, "ns", long, 0, 0, n) {
		if len(p.body) > maxReportBytes+100<<10 {
			t.Errorf("%d long results in %d parts: %s has %d bytes", len(long), n, p.name, len(p.body))
		}
	}
}

func TestReportFormats(t *testing.T) {
	results := findingsAbout("ns", 1)
	open := decode(t, buildReports(OpenReports, "ns", results, 0, 0, 1)[0])
	policy := decode(t, buildReports(PolicyReports, "", results, 0, 0, 1)[0])
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
	r := results[0].reportResult()
	if r.Policy != "privileged-container" || r.Severity != "high" || r.Result != "fail" || r.Category != "container" ||
		r.Properties["path"] != "spec.containers[0].securityContext.privileged" || r.Properties["container"] != "c" ||
		len(r.Subjects) != 1 || r.Subjects[0].Kind != "Pod" || r.Subjects[0].Namespace != "ns" {
		t.Errorf("result %+v", r)
	}
	// The key a report's result gives back is the key of its finding: a
	// new leader keeps first-seen times and alerts only what changed.
	back := previousResults(*open)
	if _, ok := back[results[0].key]; !ok || len(back) != 1 {
		t.Errorf("reading the report back gives keys %v, want %v", back, results[0].key)
	}
}

// A report read back from the cluster hashes as it was written, so a new
// leader rewrites only what changed.
func TestStoredReportHashesAsWritten(t *testing.T) {
	for _, format := range []Format{OpenReports, PolicyReports} {
		for _, unit := range []string{"ns", ""} {
			results := findingsAbout("ns", 200)
			n := partCount(results, 0)
			for _, p := range buildReports(format, unit, results, 7, 2, n) {
				if got := storedHash(format, *decode(t, p)); got != p.hash {
					t.Errorf("%s %q %s: read back, it hashes differently", format.Name, unit, p.name)
				}
			}
		}
	}
	edited := decode(t, buildReports(OpenReports, "ns", findingsAbout("ns", 1), 0, 0, 1)[0])
	unstructured.SetNestedField(edited.Object, "someone else's", "results", "0", "message")
	_ = unstructured.SetNestedSlice(edited.Object, []any{map[string]any{"policy": "x"}}, "results")
	if storedHash(OpenReports, *edited) == buildReports(OpenReports, "ns", findingsAbout("ns", 1), 0, 0, 1)[0].hash {
		t.Errorf("an edited report hashes as the written one")
	}
}

// A part whose encoding changes has a new digest: the writer, which skips
// encoding a part whose digest it wrote last, never misses a change.
func TestDigestFollowsTheEncoding(t *testing.T) {
	base := func() []result { return findingsAbout("ns", 3) }
	for name, change := range map[string]func(rs []result) ([]result, int){
		"message":    func(rs []result) ([]result, int) { rs[1].finding.Message = "other"; return rs, 0 },
		"severity":   func(rs []result) ([]result, int) { rs[1].finding.Severity = check.Low; return rs, 0 },
		"first seen": func(rs []result) ([]result, int) { rs[1].seen.Seconds++; return rs, 0 },
		"a result":   func(rs []result) ([]result, int) { return rs[:2], 0 },
		"passes":     func(rs []result) ([]result, int) { return rs, 1 },
	} {
		before := splitReports(base(), 5, 0, 1)[0]
		rs, morePasses := change(base())
		after := splitReports(rs, 5+morePasses, 0, 1)[0]
		if string(before.encode(OpenReports, "ns").body) == string(after.encode(OpenReports, "ns").body) {
			t.Fatalf("%s: the encoding did not change", name)
		}
		if before.digest == after.digest {
			t.Errorf("%s changed the report but not its digest", name)
		}
	}
}
