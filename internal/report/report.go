// Package report renders what kube4c prints: the result of a scan (table,
// JSON, SARIF, JUnit, markdown and HTML; report.go, table*.go, json*.go,
// sarif*.go, junit.go, markdown.go, html*.go), the reach matrix and
// explanations of netpol reach (netpol*.go), the answers of rbac who-can
// and rbac can (rbac*.go), the attack paths (paths*.go) and the alerts of
// audit analyze and audit serve (audit_alerts.go). Renderers only see what
// the engines computed; they never run checks or read inputs (the HTML
// snippets come through Options.Source, which the caller sets).
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
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
	// Exceptions are the config's exceptions, for the formats that list
	// them with their reasons and expiry (html); nil when there are none.
	Exceptions []check.Exception
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
	// Width is the width of the terminal the table is shown on; 0 when
	// unknown (a file or a pipe), and then no line is wrapped.
	Width int
	// LinkBase, when set, makes the markdown format link each finding's
	// file:line: the base URL of the files (".../blob/COMMIT/").
	LinkBase string
	// Source, when set, returns the content of a scanned file, for the
	// html format's snippets around each finding; nil (or an error) means
	// no snippet. Renderers never read files themselves.
	Source func(file string) ([]byte, error)
}

// Renderer writes a report in one format.
type Renderer func(w io.Writer, r *Report, opts Options) error

// renderers are the output formats of a scan report, by name.
var renderers = map[string]Renderer{
	"html":     renderHTML,
	"json":     renderJSON,
	"junit":    renderJUnit,
	"markdown": renderMarkdown,
	"sarif":    renderSARIF,
	"table":    renderTable,
}

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
	// Score rates the findings that count, overall and per layer.
	Score *Score `json:"score"`
}

// Summarize counts the report's findings by severity and layer. Every
// severity and layer is present, with zero when nothing was found.
func (r *Report) Summarize() Summary {
	s := Summary{
		Total:      len(r.Findings),
		BySeverity: map[string]int{},
		ByLayer:    map[string]int{},
		Suppressed: len(r.Suppressed),
	}
	for _, sev := range check.Severities() {
		s.BySeverity[sev.String()] = 0
	}
	for _, l := range check.Layers() {
		s.ByLayer[string(l)] = 0
	}
	// Most findings have a valid severity and one of the four layers: they
	// are counted in arrays, the others by name.
	var bySeverity [check.Critical + 1]int
	var byLayer [4]int
	for _, f := range r.Findings {
		if validSeverity(f.Severity) {
			bySeverity[f.Severity]++
		} else {
			s.BySeverity[f.Severity.String()]++
		}
		switch f.Layer {
		case check.LayerCode:
			byLayer[0]++
		case check.LayerContainer:
			byLayer[1]++
		case check.LayerCluster:
			byLayer[2]++
		case check.LayerCloud:
			byLayer[3]++
		default:
			s.ByLayer[string(f.Layer)]++
		}
	}
	for _, sev := range check.Severities() {
		s.BySeverity[sev.String()] += bySeverity[sev]
	}
	for i, l := range []check.Layer{check.LayerCode, check.LayerContainer, check.LayerCluster, check.LayerCloud} {
		s.ByLayer[string(l)] += byLayer[i]
	}
	s.Score = r.score()
	return s
}

// Failed reports whether a counted finding is at or above the threshold.
func (r *Report) Failed() bool {
	for _, f := range r.Findings {
		if f.Severity >= r.FailOn {
			return true
		}
	}
	return false
}
