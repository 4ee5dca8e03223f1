// Package report renders the result of a scan: table, JSON, SARIF and JUnit.
// Renderers only see a Report; they never run checks or read inputs.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unsafe"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/parallel"
	"github.com/kube4c/kube4c/internal/source"
)

// Report is everything a renderer needs.
type Report struct {
	// Tool names the program and its version.
	Tool Tool
	// Findings are the findings that count (not suppressed), in order.
	Findings []*check.Finding
	// Suppressed are findings an exception covers.
	Suppressed []*check.Finding
	// Checks are the checks that ran.
	Checks []*check.Check
	// Input problems met while reading the sources.
	Errors   []source.Problem
	Warnings []source.Problem
	Skipped  []source.Problem
	// Failures are checks that failed to run.
	Failures []check.Failure
	// Files, Documents and Objects count what was read.
	Files, Documents, Objects int
	// FailOn is the severity threshold of the exit code.
	FailOn check.Severity
	// Coverage is set for live-cluster scans: what could be collected.
	Coverage *Coverage
	// Verdicts, when set, hold the pass, fail or not-applicable outcome of
	// every check that ran (kube4c node: one per CIS item).
	Verdicts []check.Verdict
}

// Coverage says what a live-cluster scan collected, and which checks saw
// only part of what they read.
type Coverage struct {
	// Cluster names the cluster (kubeconfig context or server).
	Cluster string
	// Resources has one entry per resource kube4c asked for.
	Resources []ResourceCoverage
	// Incomplete lists the checks that read a kind that was not collected.
	Incomplete []IncompleteCheck
	// Requests counts the API requests made.
	Requests int64
	// Owned counts the objects not checked on their own because their
	// controller (whose template describes them) was checked.
	Owned int
}

// ResourceCoverage is the outcome of listing one resource.
type ResourceCoverage struct {
	Resource string // group/resource, e.g. "apps/deployments"
	Kind     string
	Version  string
	State    string // collected, forbidden, not served or failed
	Objects  int
	Error    string
}

// IncompleteCheck is a check that ran without some of the kinds it reads.
type IncompleteCheck struct {
	CheckID string
	Missing []string
}

// NotCollected returns the resources that were forbidden or failed.
func (c *Coverage) NotCollected() []ResourceCoverage {
	var out []ResourceCoverage
	for _, r := range c.Resources {
		if r.State == "forbidden" || r.State == "failed" {
			out = append(out, r)
		}
	}
	return out
}

// Tool identifies the program that made the report.
type Tool struct {
	Name    string
	Version string
	URI     string
}

// Options tune rendering.
type Options struct {
	// Color enables ANSI colours (table only).
	Color bool
	// ShowSuppressed lists suppressed findings too.
	ShowSuppressed bool
	// Verbose lists skipped documents and warnings in full.
	Verbose bool
}

// Renderer writes a report in one format.
type Renderer func(w io.Writer, r *Report, opts Options) error

var renderers = map[string]Renderer{}

// register adds a format; called from each format's file.
func register(name string, r Renderer) { renderers[name] = r }

// Formats lists the names of the output formats.
func Formats() []string {
	names := make([]string, 0, len(renderers))
	for n := range renderers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Render writes r in the named format.
func Render(format string, w io.Writer, r *Report, opts Options) error {
	fn, ok := renderers[format]
	if !ok {
		return fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	return fn(w, r, opts)
}

// Summary counts findings.
type Summary struct {
	Total      int            `json:"total"`
	BySeverity map[string]int `json:"bySeverity"`
	ByLayer    map[string]int `json:"byLayer"`
	Suppressed int            `json:"suppressed"`
}

// Summarize counts the report's findings by severity and layer. Every
// severity and layer is present, with zero when nothing was found.
func (r *Report) Summarize() Summary {
	s := Summary{BySeverity: map[string]int{}, ByLayer: map[string]int{}, Suppressed: len(r.Suppressed)}
	for _, sev := range check.Severities() {
		s.BySeverity[sev.String()] = 0
	}
	for _, l := range check.Layers() {
		s.ByLayer[string(l)] = 0
	}
	// Count in pieces on every CPU: reading each finding is most of the
	// work on large reports.
	parts := make([]map[findingKind]int, (len(r.Findings)+countPiece-1)/countPiece)
	parallel.Blocks(len(r.Findings), countPiece, func(lo, hi int) {
		parts[lo/countPiece] = countKinds(r.Findings[lo:hi])
	})
	for _, counts := range parts {
		for k, n := range counts {
			s.BySeverity[k.severity.String()] += n
			s.ByLayer[string(k.layer)] += n
		}
	}
	s.Total = len(r.Findings)
	return s
}

// countPiece is how many findings one job of Summarize counts.
const countPiece = 1 << 16

// findingKind is what a summary counts findings by.
type findingKind struct {
	severity check.Severity
	layer    check.Layer
}

// countKinds counts findings by severity and layer. On large reports the
// findings, in sorted order, lie all over memory; a pass that branches on
// each one (or updates a map) stalls on every mispredicted branch. So
// findings are counted in an array indexed by severity and by the length
// of the layer (the four layers differ in length), with no branch, while
// noting whether any finding's layer is not one of the four layer
// constants themselves (checks carry those: see Registry.Add) or its
// severity is out of range; then the exact count is taken instead.
func countKinds(findings []*check.Finding) map[findingKind]int {
	var known [layerLenBuckets]check.Layer
	for _, l := range check.Layers() {
		known[len(l)] = l
	}
	var counts [severityBuckets][layerLenBuckets]int
	odd := uintptr(0)
	for _, f := range findings {
		sev, n := uint(f.Severity), uint(len(f.Layer))
		odd |= uintptr(sev&^(severityBuckets-1)) | uintptr(n&^(layerLenBuckets-1))
		sev, n = sev&(severityBuckets-1), n&(layerLenBuckets-1)
		odd |= uintptr(unsafe.Pointer(unsafe.StringData(string(f.Layer)))) ^ uintptr(unsafe.Pointer(unsafe.StringData(string(known[n]))))
		counts[sev][n]++
	}
	out := map[findingKind]int{}
	if odd != 0 {
		for _, f := range findings {
			out[findingKind{f.Severity, f.Layer}]++
		}
		return out
	}
	for sev := range counts {
		for n, c := range counts[sev] {
			if c > 0 {
				out[findingKind{check.Severity(sev), known[n]}] = c
			}
		}
	}
	return out
}

// Bucket counts of countKinds, powers of two: severities are below 8 and
// layer names shorter than 16 bytes.
const (
	severityBuckets = 8
	layerLenBuckets = 16
)

// Failed reports whether a counted finding is at or above the threshold.
func (r *Report) Failed() bool {
	for _, f := range r.Findings {
		if f.Severity >= r.FailOn {
			return true
		}
	}
	return false
}
