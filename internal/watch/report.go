package watch

import (
	"encoding/json"
	"fmt"
	"strconv"

	reports "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/check"
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

// maxReportBytes bounds the results of one report object, far below
// etcd's 1.5 MiB request limit: a unit with more results is split.
const maxReportBytes = 512 << 10

// result is one failing finding as a report result, with the key that
// identifies it across evaluations (its first-seen time and the alerts
// hang on it).
type result struct {
	key     string
	finding *check.Finding
	result  reports.ReportResult
}

// resultKey identifies a finding across evaluations: its check, object,
// container and field path.
func resultKey(f *check.Finding) string {
	return f.CheckID + " " + refString(f.Object) + " " + f.Container + " " + f.Path
}

// newResult makes the report result of a finding, first seen at seen.
func newResult(f *check.Finding, seen metav1.Timestamp) result {
	r := reports.ReportResult{
		Source:      source,
		Policy:      f.CheckID,
		Rule:        f.CheckID,
		Category:    string(f.Layer),
		Severity:    reports.ResultSeverity(f.Severity.String()),
		Timestamp:   seen,
		Result:      "fail",
		Scored:      true,
		Description: f.Message,
		Properties:  map[string]string{},
	}
	if f.Object != nil {
		r.Subjects = []corev1.ObjectReference{{APIVersion: f.Object.APIVersion(), Kind: f.Object.Kind(),
			Namespace: f.Object.Namespace(), Name: f.Object.Name(), UID: f.Object.Meta.GetUID()}}
	}
	if f.Path != "" {
		r.Properties["path"] = f.Path
	}
	if f.Container != "" {
		r.Properties["container"] = f.Container
	}
	if len(r.Properties) == 0 {
		r.Properties = nil
	}
	return result{key: resultKey(f), finding: f, result: r}
}

// buildReports returns a unit's report objects in format: one, or several
// when the results would make one too large, split in order (results are
// sorted, so the split is the same for the same findings). summary counts
// the passes and the suppressed findings; each part's fail count is its
// own results.
func buildReports(format Format, unit string, results []result, passes, skipped int) []*unstructured.Unstructured {
	var parts [][]reports.ReportResult
	var current []reports.ReportResult
	size := 0
	for _, r := range results {
		b, _ := json.Marshal(r.result)
		if len(current) > 0 && size+len(b) > maxReportBytes {
			parts = append(parts, current)
			current, size = nil, 0
		}
		current = append(current, r.result)
		size += len(b) + 1
	}
	parts = append(parts, current)
	out := make([]*unstructured.Unstructured, len(parts))
	for i, part := range parts {
		rep := &reports.Report{
			ObjectMeta: metav1.ObjectMeta{Name: partName(i + 1), Namespace: unit,
				Labels: map[string]string{ManagedByLabel: managedBy, PartLabel: strconv.Itoa(i + 1)}},
			Source:  source,
			Summary: reports.ReportSummary{Fail: len(part)},
			Results: part,
		}
		if i == 0 {
			// Passes and exceptions are counted once, in the first part.
			rep.Summary.Pass, rep.Summary.Skip = passes, skipped
		}
		content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(rep)
		if err != nil {
			panic(err) // a Report always converts
		}
		u := &unstructured.Unstructured{Object: content}
		kind := format.Kind
		if unit == "" {
			kind = format.ClusterKind
			u.SetNamespace("")
		}
		u.SetAPIVersion(format.GroupVersion.String())
		u.SetKind(kind)
		unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
		if !format.reportSource {
			unstructured.RemoveNestedField(u.Object, "source")
		}
		out[i] = u
	}
	return out
}

// partName names the n-th report of a unit.
func partName(n int) string {
	if n == 1 {
		return ReportName
	}
	return ReportName + "-" + strconv.Itoa(n)
}
