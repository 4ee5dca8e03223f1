package watch

import (
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	reports "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// Format is the API of the report objects: OpenReports, or the Policy
// Report API of the Kubernetes Policy working group (wgpolicyk8s.io) that
// Kyverno and Policy Reporter read. Both have the same fields.
type Format struct {
	// Name is the --report-format value.
	Name         string
	GroupVersion schema.GroupVersion
	// Kind and ClusterKind are the kinds of a namespace's report and the
	// cluster's; Resource and ClusterRes their resources; CRD and
	// ClusterCRD the names of their CustomResourceDefinitions.
	Kind, ClusterKind    string
	Resource, ClusterRes string
	CRD, ClusterCRD      string
	// reportSource says the report has a source field of its own, beside
	// each result's (OpenReports; the Policy Report API has none).
	reportSource bool
}

// The formats kube4c writes.
var (
	OpenReports = Format{Name: "openreports", GroupVersion: schema.GroupVersion{Group: "openreports.io", Version: "v1alpha1"},
		Kind: "Report", ClusterKind: "ClusterReport", Resource: "reports", ClusterRes: "clusterreports",
		CRD: "reports.openreports.io", ClusterCRD: "clusterreports.openreports.io", reportSource: true}
	PolicyReports = Format{Name: "policyreport", GroupVersion: schema.GroupVersion{Group: "wgpolicyk8s.io", Version: "v1alpha2"},
		Kind: "PolicyReport", ClusterKind: "ClusterPolicyReport", Resource: "policyreports", ClusterRes: "clusterpolicyreports",
		CRD: "policyreports.wgpolicyk8s.io", ClusterCRD: "clusterpolicyreports.wgpolicyk8s.io"}
)

// FormatNamed returns the format of a --report-format value.
func FormatNamed(name string) (Format, error) {
	for _, f := range []Format{OpenReports, PolicyReports} {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown report format %q (want openreports or policyreport)", name)
}

// GVR returns the resource of a unit's reports: namespaced, or for "" the
// cluster's.
func (f Format) GVR(unit string) schema.GroupVersionResource {
	if unit == "" {
		return f.GroupVersion.WithResource(f.ClusterRes)
	}
	return f.GroupVersion.WithResource(f.Resource)
}

// Report object names and labels.
const (
	// ReportName names a unit's first report; the others add -2, -3...
	ReportName = "kube4c"
	// ManagedByLabel marks the report objects kube4c writes.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	managedBy      = "kube4c"
	// PartLabel numbers a unit's reports from 1.
	PartLabel = "kube4c.io/report-part"
	// source names kube4c in each report and result.
	source = "kube4c"
)

// How a unit's results are split into report objects. Each write of a
// report object costs the API server about 3 ms of CPU and 0.4 ms more
// for each of its results (measured on the test API server: decoding,
// schema validation, pruning and field management walk every field). So
// a unit's results are spread over parts by a stable hash of their object:
// a change to one object rewrites the one part that holds its results,
// never the whole unit, and a part holds a few dozen results, so that
// neither the writes of one change nor the count of objects is large.
const (
	// partResults is the results a part holds on average, at most.
	partResults = 32
	// maxReportBytes bounds the estimated size of one part, far below
	// etcd's 1.5 MiB request limit, for results with long messages.
	maxReportBytes = 512 << 10
	// maxParts bounds the parts of a unit.
	maxParts = 1 << 12
)

// result is one failing finding of a report, with the key that
// identifies it across evaluations (its first-seen time and the alerts
// hang on it) and when it was first seen.
type result struct {
	key     findingKey
	finding *check.Finding
	seen    metav1.Timestamp
}

// findingKey identifies a finding across evaluations: its check, object,
// container and field path.
type findingKey struct {
	check     string
	object    inventory.Ref
	container string
	path      string
}

func keyOf(f *check.Finding) findingKey {
	k := findingKey{check: f.CheckID, container: f.Container, path: f.Path}
	if f.Object != nil {
		k.object = f.Object.Ref()
	}
	return k
}

func compareKeys(a, b findingKey) int {
	return cmp.Or(a.object.Compare(b.object), strings.Compare(a.check, b.check), strings.Compare(a.path, b.path),
		strings.Compare(a.container, b.container))
}

// reportResult makes the report result of a finding: the check as
// policy, its layer as category, the object as subject, and the field
// path and container as properties. Fields a reader can do without (a
// rule that repeats the policy, the subject's UID) are left out: every
// field costs the API server on each write.
func (r result) reportResult() reports.ReportResult {
	f := r.finding
	out := reports.ReportResult{
		Source:      source,
		Policy:      f.CheckID,
		Category:    string(f.Layer),
		Severity:    reports.ResultSeverity(f.Severity.String()),
		Timestamp:   r.seen,
		Result:      "fail",
		Description: f.Message,
	}
	if f.Object != nil {
		out.Subjects = []corev1.ObjectReference{{APIVersion: f.Object.APIVersion(), Kind: f.Object.Kind(),
			Namespace: f.Object.Namespace(), Name: f.Object.Name()}}
	}
	if f.Path != "" || f.Container != "" {
		out.Properties = map[string]string{}
		if f.Path != "" {
			out.Properties["path"] = f.Path
		}
		if f.Container != "" {
			out.Properties["container"] = f.Container
		}
	}
	return out
}

// size estimates the bytes of a result in a report object.
func (r result) size() int {
	k := r.key
	return 320 + len(r.finding.Message) + len(k.check) + len(k.object.Kind) + len(k.object.Namespace) + len(k.object.Name) +
		len(k.container) + len(k.path)
}

// partOf returns which of n parts (a power of two) holds the results
// about a finding's object: a hash of Kind/namespace/name that stays the
// same across processes, so that a new leader finds each result where
// the last one wrote it.
func partOf(f *check.Finding, n int) int {
	h := fnv.New32a()
	if o := f.Object; o != nil {
		h.Write([]byte(o.Kind()))
		if ns := o.Namespace(); ns != "" {
			h.Write([]byte("/" + ns))
		}
		h.Write([]byte("/" + o.Name()))
	}
	return int(h.Sum32() & uint32(n-1))
}

// partCount returns over how many parts a unit's results are spread: a
// power of two, the fewest that hold partResults on average with no part
// over maxReportBytes. previous, the count used before, stays while the
// average is within a factor of two above and four below partResults, so
// that a unit whose results hover at a boundary is not reshuffled (every
// part rewritten) on every change.
func partCount(results []result, previous int) int {
	average := func(n int) int { return len(results) / n }
	fitsBytes := func(n int) bool {
		bytes := make([]int, n)
		for _, r := range results {
			bytes[partOf(r.finding, n)] += r.size()
		}
		return slices.Max(bytes) <= maxReportBytes
	}
	if previous > 0 && previous&(previous-1) == 0 && previous <= maxParts &&
		average(previous) <= 2*partResults && (previous == 1 || average(previous) >= partResults/4) && fitsBytes(previous) {
		return previous
	}
	n := 1
	for (average(n) > partResults || !fitsBytes(n)) && n < maxParts && n < len(results) {
		n *= 2
	}
	return n
}

// reportPart is one report object of a unit, before it is encoded.
type reportPart struct {
	name    string
	summary reports.ReportSummary
	results []result
	// digest sums up what the part holds, cheaply: an unchanged digest
	// spares encoding the part to learn that it is unchanged.
	digest uint64
}

// splitReports spreads a unit's results over n parts by partOf, in the
// order given (sorted by the engine), and returns the first part and each
// other that holds results. The first part's summary counts the passes
// and the suppressed findings; each part's fail count is its own results.
func splitReports(results []result, passes, skipped, n int) []reportPart {
	parts := make([][]result, n)
	for _, r := range results {
		i := partOf(r.finding, n)
		parts[i] = append(parts[i], r)
	}
	var out []reportPart
	for i, part := range parts {
		if i > 0 && len(part) == 0 {
			continue
		}
		p := reportPart{name: partName(i + 1), summary: reports.ReportSummary{Fail: len(part)}, results: part}
		if i == 0 {
			// Passes and exceptions are counted once, in the first part.
			p.summary.Pass, p.summary.Skip = passes, skipped
		}
		p.digest = p.sum()
		out = append(out, p)
	}
	return out
}

// sum hashes every field the part's encoding depends on.
func (p reportPart) sum() uint64 {
	h := fnv.New64a()
	field := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	field(p.name)
	field(fmt.Sprint(p.summary.Pass, p.summary.Skip, p.summary.Fail))
	for _, r := range p.results {
		f := r.finding
		k := r.key
		field(k.check)
		field(k.object.APIVersion)
		field(k.object.Kind)
		field(k.object.Namespace)
		field(k.object.Name)
		field(k.container)
		field(k.path)
		field(f.Severity.String())
		field(string(f.Layer))
		field(f.Message)
		field(strconv.FormatInt(r.seen.Seconds, 10))
	}
	return h.Sum64()
}

// encode encodes the part as the report object of unit in format.
func (p reportPart) encode(format Format, unit string) encodedReport {
	results := make([]reports.ReportResult, len(p.results))
	for i, r := range p.results {
		results[i] = r.reportResult()
	}
	return encodeReport(format, unit, p.name, p.summary, results)
}

// encodedReport is a report object encoded for server-side apply.
type encodedReport struct {
	name    string
	results int
	// body is the apply configuration (JSON), hash its SHA-256.
	body []byte
	hash [32]byte
}

// reportObject is the apply configuration of a report object: the fields
// kube4c owns, in either format (the Policy Report API has no source).
type reportObject struct {
	APIVersion string                 `json:"apiVersion"`
	Kind       string                 `json:"kind"`
	Metadata   reportMeta             `json:"metadata"`
	Source     string                 `json:"source,omitempty"`
	Summary    reports.ReportSummary  `json:"summary"`
	Results    []reports.ReportResult `json:"results,omitempty"`
}

type reportMeta struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace,omitempty"`
	Labels    map[string]string `json:"labels"`
}

// encodeReport encodes one report object. A report read back from the
// cluster encodes to the same bytes as the one written.
func encodeReport(format Format, unit, name string, summary reports.ReportSummary, results []reports.ReportResult) encodedReport {
	obj := reportObject{APIVersion: format.GroupVersion.String(), Kind: format.Kind, Summary: summary, Results: results,
		Metadata: reportMeta{Name: name, Namespace: unit,
			Labels: map[string]string{ManagedByLabel: managedBy, PartLabel: strconv.Itoa(partNumber(name))}}}
	if unit == "" {
		obj.Kind = format.ClusterKind
	}
	if format.reportSource {
		obj.Source = source
	}
	body, err := json.Marshal(obj)
	if err != nil {
		panic(err) // strings, numbers and maps of strings always encode
	}
	return encodedReport{name: name, results: len(results), body: body, hash: sha256.Sum256(body)}
}

// partName names the n-th report of a unit.
func partName(n int) string {
	if n == 1 {
		return ReportName
	}
	return ReportName + "-" + strconv.Itoa(n)
}

// partNumber returns the part a report name numbers (1 for "kube4c"; 0
// for a name kube4c does not write).
func partNumber(name string) int {
	if name == ReportName {
		return 1
	}
	rest, ok := strings.CutPrefix(name, ReportName+"-")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 2 {
		return 0
	}
	return n
}
