package report

import (
	"bufio"
	"io"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

// JSONSchemaVersion names the shape of the JSON format. Within v1 fields
// are only ever added; docs/report.schema.json describes it.
const JSONSchemaVersion = "kube4c.io/report/v1"

// JSONReport is the document the json format writes, as docs/report.schema.json
// describes it. The json format writes its findings with a faster encoder
// of its own; what encoding/json writes of these types is the reference
// that encoder is tested against.
type JSONReport struct {
	SchemaVersion string      `json:"schemaVersion"`
	Tool          JSONTool    `json:"tool"`
	Summary       JSONSummary `json:"summary"`
	// Findings are the counted findings.
	Findings []JSONFinding `json:"findings"`
	// Suppressed is present only when suppressed findings are shown.
	Suppressed    []JSONFinding     `json:"suppressed,omitzero"`
	InputErrors   []JSONProblem     `json:"inputErrors"`
	Warnings      []JSONProblem     `json:"warnings"`
	Skipped       []JSONProblem     `json:"skipped"`
	CheckFailures []JSONCheckFailed `json:"checkFailures"`
	// Coverage is present for live-cluster scans.
	Coverage *JSONCoverage `json:"coverage,omitempty"`
	// Results is present for kube4c node: the pass, fail or not-applicable
	// outcome of every check that ran.
	Results []JSONResult `json:"results,omitempty"`
	// Advisories holds the lists of published vulnerabilities findings
	// stand for, each once, by the name findings give it.
	Advisories map[string][]check.Advisory `json:"advisories,omitempty"`
}

// JSONResult is the outcome of a check for one item it decides.
type JSONResult struct {
	CheckID string `json:"checkId"`
	// Status is pass, fail or not-applicable.
	Status string `json:"status"`
	// CIS lists the CIS Kubernetes Benchmark items the check decides.
	CIS      []string      `json:"cis,omitempty"`
	Object   *JSONObject   `json:"object,omitempty"`
	Path     string        `json:"path,omitempty"`
	Location *JSONLocation `json:"location,omitempty"`
	// Message says what passed or failed, or why the item does not apply.
	Message string `json:"message"`
}

// JSONCoverage says what a live-cluster scan collected.
type JSONCoverage struct {
	Cluster    string                 `json:"cluster"`
	Requests   int64                  `json:"requests"`
	Owned      int                    `json:"ownedObjectsCheckedThroughController"`
	Resources  []JSONResourceCoverage `json:"resources"`
	Incomplete []JSONIncompleteCheck  `json:"incompleteChecks"`
}

// JSONResourceCoverage is the outcome of listing one resource.
type JSONResourceCoverage struct {
	Resource string `json:"resource"`
	Kind     string `json:"kind"`
	Version  string `json:"version,omitempty"`
	State    string `json:"state"`
	Objects  int    `json:"objects"`
	Error    string `json:"error,omitempty"`
}

// JSONIncompleteCheck is a check that ran without some kinds it reads.
type JSONIncompleteCheck struct {
	CheckID string   `json:"checkId"`
	Missing []string `json:"missingKinds"`
}

// JSONTool identifies the program that wrote the report.
type JSONTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	URI     string `json:"uri,omitempty"`
}

// JSONSummary counts what was scanned and found.
type JSONSummary struct {
	// Total counts the findings (not the suppressed ones).
	Total      int                `json:"total"`
	BySeverity JSONSeverityCounts `json:"bySeverity"`
	ByLayer    JSONLayerCounts    `json:"byLayer"`
	Suppressed int                `json:"suppressed"`
	// FailOn is the severity threshold of the exit code, when one is set.
	FailOn string `json:"failOn,omitempty"`
	// Failed is true when a finding is at or above FailOn.
	Failed        bool `json:"failed"`
	Files         int  `json:"files"`
	Documents     int  `json:"documents"`
	Objects       int  `json:"objects"`
	Checks        int  `json:"checks"`
	InputErrors   int  `json:"inputErrors"`
	Warnings      int  `json:"warnings"`
	Skipped       int  `json:"skipped"`
	CheckFailures int  `json:"checkFailures"`
	// Score rates the findings from 0 to 100 (docs/output.md, score).
	Score JSONScore `json:"score"`
}

// JSONScore is the score of a report, overall and per 4C layer.
type JSONScore struct {
	Overall int             `json:"overall"`
	ByLayer JSONLayerCounts `json:"byLayer"`
}

// JSONSeverityCounts counts findings by severity.
type JSONSeverityCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// JSONLayerCounts counts findings by 4C layer.
type JSONLayerCounts struct {
	Code      int `json:"code"`
	Container int `json:"container"`
	Cluster   int `json:"cluster"`
	Cloud     int `json:"cloud"`
}

// JSONFinding is one finding. The json format writes findings with
// findingEncoder, whose output is tested to be byte for byte what
// encoding/json writes of this type.
type JSONFinding struct {
	CheckID  string `json:"checkId"`
	Severity string `json:"severity"`
	Layer    string `json:"layer"`
	// Title is the check's title.
	Title string `json:"title,omitempty"`
	// Object is absent for findings about the scan itself.
	Object    *JSONObject `json:"object,omitempty"`
	Container string      `json:"container,omitempty"`
	// Path is the field path in the object, in field.Path notation.
	Path string `json:"path,omitempty"`
	// Location is absent when the finding has no file (live cluster).
	Location    *JSONLocation   `json:"location,omitempty"`
	Message     string          `json:"message"`
	Remediation string          `json:"remediation,omitempty"`
	References  *JSONReferences `json:"references,omitempty"`
	// Suppression is set on suppressed findings only.
	Suppression *JSONSuppression `json:"suppression,omitempty"`
	// Details lists the findings of one root cause that this finding
	// stands for (one binding granting one subject several risks), its
	// own first; absent when it stands for itself alone.
	Details []JSONDetail `json:"details,omitempty"`
	// Advisories names the list of published vulnerabilities the finding
	// stands for (image-vulnerability) in the report's advisories.
	Advisories string `json:"advisories,omitempty"`
	// AttackPaths counts the attack paths that take a step the finding
	// makes (scan --prioritize); absent when 0 or not counted.
	AttackPaths int `json:"attackPaths,omitempty"`
}

// JSONDetail is one of the findings a folded finding stands for.
type JSONDetail struct {
	CheckID  string `json:"checkId"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// JSONObject identifies a Kubernetes object.
type JSONObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// JSONLocation is a place in a file; line and column are 1-based and
// absent when unknown.
type JSONLocation struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// JSONReferences ties a check to public guidance.
type JSONReferences struct {
	CIS   []string `json:"cis,omitempty"`
	NSA   []string `json:"nsa,omitempty"`
	MITRE []string `json:"mitre,omitempty"`
	PSS   []string `json:"pss,omitempty"`
	URLs  []string `json:"urls,omitempty"`
}

// JSONSuppression says why a finding is not counted.
type JSONSuppression struct {
	// Kind is "annotation" or "config".
	Kind   string `json:"kind"`
	Reason string `json:"reason,omitempty"`
	// Source is the annotation or the config file and line.
	Source string `json:"source"`
}

// JSONProblem is an input error, a warning or a skipped document.
type JSONProblem struct {
	Location *JSONLocation `json:"location,omitempty"`
	// Object names the object concerned, when known.
	Object  string `json:"object,omitempty"`
	Message string `json:"message"`
}

// JSONCheckFailed is a check that failed to run.
type JSONCheckFailed struct {
	CheckID string `json:"checkId"`
	Error   string `json:"error"`
}

// renderJSON writes the report as an indented JSONReport, streaming the
// lists so that a large report is never held in memory as text. Findings,
// most of a large report, are encoded by a findingEncoder; the rest of the
// document by encoding/json from the JSON types. The JSON types remain the
// reference of every finding's encoding: json_reference_test.go encodes
// findings both ways and compares the bytes.
func renderJSON(w io.Writer, r *Report, opts Options) error {
	doc := jsonReportWithoutFindings(r)
	checks := checkIndex(r.Checks)
	encodeFinding := func() appendFunc[*check.Finding] {
		e := newFindingEncoder(checks)
		return func(b []byte, f **check.Finding) ([]byte, error) { return e.appendFinding(b, *f) }
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	s := newJSONStream(bw)
	s.field("schemaVersion", doc.SchemaVersion)
	s.field("tool", &doc.Tool)
	s.field("summary", &doc.Summary)
	streamListWith(s, "findings", r.Findings, encodeFinding)
	if opts.ShowSuppressed {
		streamListWith(s, "suppressed", r.Suppressed, encodeFinding)
	}
	streamList(s, "inputErrors", doc.InputErrors)
	streamList(s, "warnings", doc.Warnings)
	streamList(s, "skipped", doc.Skipped)
	streamList(s, "checkFailures", doc.CheckFailures)
	if doc.Coverage != nil {
		s.field("coverage", doc.Coverage)
	}
	if doc.Results != nil {
		streamList(s, "results", doc.Results)
	}
	if lists := advisoryLists(r, opts); len(lists) > 0 {
		streamAdvisories(s, lists)
	}
	if err := s.close(); err != nil {
		return err
	}
	return bw.Flush()
}

// advisoryLists returns the advisory lists of the findings written, each
// once by its key; nil when none has any.
func advisoryLists(r *Report, opts Options) map[string][]check.Advisory {
	var lists map[string][]check.Advisory
	add := func(fs []*check.Finding) {
		for _, f := range fs {
			if a := f.Advisories; a != nil {
				if lists == nil {
					lists = map[string][]check.Advisory{}
				}
				lists[a.Key] = a.List
			}
		}
	}
	add(r.Findings)
	if opts.ShowSuppressed {
		add(r.Suppressed)
	}
	return lists
}

// jsonReportWithoutFindings converts r to the documented JSON shape, all
// but the findings and suppressed findings, which renderJSON encodes as it
// writes them.
func jsonReportWithoutFindings(r *Report) *JSONReport {
	out := &JSONReport{
		SchemaVersion: JSONSchemaVersion,
		Tool:          JSONTool{Name: r.Tool.Name, Version: r.Tool.Version, URI: r.Tool.URI},
		Summary:       jsonSummary(r),
		InputErrors:   jsonProblems(r.Errors),
		Warnings:      jsonProblems(r.Warnings),
		Skipped:       jsonProblems(r.Skipped),
		CheckFailures: make([]JSONCheckFailed, 0, len(r.Failures)),
		Coverage:      jsonCoverage(r.Coverage),
		Results:       jsonResults(checkIndex(r.Checks), r.Verdicts),
	}
	for _, f := range r.Failures {
		msg := ""
		if f.Err != nil {
			msg = f.Err.Error()
		}
		out.CheckFailures = append(out.CheckFailures, JSONCheckFailed{CheckID: f.CheckID, Error: msg})
	}
	return out
}

func jsonSummary(r *Report) JSONSummary {
	s := r.Summarize()
	sev, layer := s.BySeverity, s.ByLayer
	out := JSONSummary{
		Total: s.Total,
		BySeverity: JSONSeverityCounts{
			Critical: sev[check.Critical.String()], High: sev[check.High.String()], Medium: sev[check.Medium.String()],
			Low: sev[check.Low.String()], Info: sev[check.Info.String()],
		},
		ByLayer: JSONLayerCounts{
			Code: layer[string(check.LayerCode)], Container: layer[string(check.LayerContainer)],
			Cluster: layer[string(check.LayerCluster)], Cloud: layer[string(check.LayerCloud)],
		},
		Suppressed:    s.Suppressed,
		Failed:        validSeverity(r.FailOn) && r.Failed(),
		Files:         r.Files,
		Documents:     r.Documents,
		Objects:       r.Objects,
		Checks:        len(r.Checks),
		InputErrors:   len(r.Errors),
		Warnings:      len(r.Warnings),
		Skipped:       len(r.Skipped),
		CheckFailures: len(r.Failures),
		Score: JSONScore{Overall: s.Score.Overall, ByLayer: JSONLayerCounts{
			Code: s.Score.ByLayer[string(check.LayerCode)], Container: s.Score.ByLayer[string(check.LayerContainer)],
			Cluster: s.Score.ByLayer[string(check.LayerCluster)], Cloud: s.Score.ByLayer[string(check.LayerCloud)],
		}},
	}
	if validSeverity(r.FailOn) {
		out.FailOn = r.FailOn.String()
	}
	return out
}

// jsonReferences converts a check's references; nil when it has none.
func jsonReferences(r check.References) *JSONReferences {
	if len(r.CIS)+len(r.NSA)+len(r.MITRE)+len(r.PSS)+len(r.URLs) == 0 {
		return nil
	}
	return &JSONReferences{CIS: r.CIS, NSA: r.NSA, MITRE: r.MITRE, PSS: r.PSS, URLs: r.URLs}
}

func jsonLocation(l inventory.Location) *JSONLocation {
	if l.File == "" {
		return nil
	}
	return &JSONLocation{File: l.File, Line: l.Line, Column: l.Column}
}

func jsonProblems(ps []source.Problem) []JSONProblem {
	out := make([]JSONProblem, len(ps))
	for i, p := range ps {
		out[i] = JSONProblem{Location: jsonLocation(p.Location), Object: p.Object, Message: p.Message}
	}
	return out
}

func jsonCoverage(c *Coverage) *JSONCoverage {
	if c == nil {
		return nil
	}
	out := &JSONCoverage{Cluster: c.Cluster, Requests: c.Requests, Owned: c.Owned,
		Resources: make([]JSONResourceCoverage, 0, len(c.Resources)), Incomplete: make([]JSONIncompleteCheck, 0, len(c.Incomplete))}
	for _, r := range c.Resources {
		out.Resources = append(out.Resources, JSONResourceCoverage(r))
	}
	for _, ic := range c.Incomplete {
		out.Incomplete = append(out.Incomplete, JSONIncompleteCheck(ic))
	}
	return out
}

// jsonResults converts verdicts; nil when the report has none.
func jsonResults(checks map[string]*check.Check, vs []check.Verdict) []JSONResult {
	if vs == nil {
		return nil
	}
	out := make([]JSONResult, len(vs))
	for i, v := range vs {
		out[i] = JSONResult{CheckID: v.CheckID, Status: string(v.Status), Path: v.Path, Location: jsonLocation(v.Location), Message: v.Message, Object: jsonObject(v.Object)}
		if ch := checks[v.CheckID]; ch != nil {
			out[i].CIS = ch.References.CIS
		}
	}
	return out
}

func jsonObject(o *inventory.Object) *JSONObject {
	if o == nil {
		return nil
	}
	ref := o.Ref()
	return &JSONObject{APIVersion: ref.APIVersion, Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name}
}
