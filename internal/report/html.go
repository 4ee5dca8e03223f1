package report

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/source"
)

// The page's template, style sheet and script, inlined into every report:
// the file needs nothing from the network, and works from a file:// URL.
//
//go:embed html_template.html html.css html_report.js
var htmlAssets embed.FS

// htmlTemplate holds the "report" and "paths" pages.
var htmlTemplate = template.Must(template.New("html").Funcs(template.FuncMap{
	"plural": plural,
}).ParseFS(htmlAssets, "html_template.html"))

// htmlListMax is how many input errors, warnings, skipped documents and
// other list items a page shows; it says how many more there are.
const htmlListMax = 500

// htmlPage is what the report page shows.
type htmlPage struct {
	Title     string
	Tool      Tool
	Generated string
	// Head holds the style sheet and the content security policy.
	Head htmlHead
	// Script is the page's JavaScript.
	Script     template.JS
	Verdict    string
	Failed     bool
	Scanned    string
	Score      *Score
	Picture    htmlPicture
	Severities []htmlCount
	Total      int
	Suppressed int
	// Omitted counts the findings with a file and line shown without a
	// snippet because the report's budget for them is spent.
	Omitted    int
	Exceptions []htmlException
	Errors     htmlProblems
	Warnings   htmlProblems
	Skipped    htmlProblems
	Failures   []htmlFailure
	Coverage   *Coverage
	NotListed  []ResourceCoverage
	Verdicts   []htmlVerdict
	Passed     int
	NotApplies int
}

// htmlHead is what every page's head carries.
type htmlHead struct {
	Style template.CSS
	// CSP forbids every load from the network and every script but the
	// page's own (by its hash).
	CSP string
}

// htmlCount is a number with its name, such as a severity's count.
type htmlCount struct {
	Name  string
	Count int
}

// htmlProblems is a list of input problems, cut at htmlListMax.
type htmlProblems struct {
	Total int
	List  []source.Problem
	More  int
}

func newHTMLProblems(ps []source.Problem) htmlProblems {
	shown := ps[:min(len(ps), htmlListMax)]
	return htmlProblems{Total: len(ps), List: shown, More: len(ps) - len(shown)}
}

// htmlFailure is a check that failed to run.
type htmlFailure struct {
	CheckID, Error string
}

// htmlException is a config exception with what it suppressed.
type htmlException struct {
	Checks, Scope, Reason, Expires, Source string
	Expired                                bool
	Suppressed                             int
}

// htmlVerdict is the outcome of one benchmark item (kube4c node).
type htmlVerdict struct {
	CheckID, Status, CIS, Object, Location, Message string
}

// renderHTML writes the report as one self-contained HTML page: the 4C
// layers drawn in SVG, the totals, the findings in a table a small inline
// script filters, groups and pages (with each finding's snippet, fix and
// references), the exceptions, input problems and, for kube4c node, the
// benchmark items.
func renderHTML(w io.Writer, r *Report, opts Options) error {
	s := r.Summarize()
	var sn *snippets
	omitted := 0
	if opts.Source != nil {
		sn, omitted = htmlSnippets(r, opts.Source)
	}
	script, err := htmlAssets.ReadFile("html_report.js")
	if err != nil {
		return err
	}
	head, err := newHTMLHead(string(script))
	if err != nil {
		return err
	}
	p := &htmlPage{
		Title:      "kube4c report",
		Tool:       r.Tool,
		Generated:  time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Head:       head,
		Script:     template.JS(script),
		Verdict:    htmlVerdictText(r, s),
		Failed:     validSeverity(r.FailOn) && r.Failed(),
		Scanned:    scannedText(r),
		Score:      s.Score,
		Picture:    htmlPicture{Width: svgWidth, Height: svgHeight, Layers: htmlLayers(r, s)},
		Total:      s.Total,
		Suppressed: s.Suppressed,
		Omitted:    omitted,
		Exceptions: htmlExceptions(r),
		Errors:     newHTMLProblems(r.Errors),
		Warnings:   newHTMLProblems(r.Warnings),
		Skipped:    newHTMLProblems(r.Skipped),
		Coverage:   r.Coverage,
	}
	for _, sev := range check.Severities() {
		p.Severities = append(p.Severities, htmlCount{Name: sev.String(), Count: s.BySeverity[sev.String()]})
	}
	for _, f := range r.Failures {
		p.Failures = append(p.Failures, htmlFailure{CheckID: f.CheckID, Error: firstLine(f.Err.Error())})
	}
	if r.Coverage != nil {
		p.NotListed = r.Coverage.NotCollected()
	}
	p.Verdicts, p.Passed, p.NotApplies = htmlVerdicts(r)
	// The findings go between the page and its script, written as they
	// are encoded rather than through the template: the data of a large
	// report is tens of megabytes.
	if err := htmlTemplate.ExecuteTemplate(w, "report", p); err != nil {
		return err
	}
	if _, err := io.WriteString(w, `<script type="application/json" id="kube4c-data">`); err != nil {
		return err
	}
	if err := writeHTMLData(w, r, sn); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "</script>\n"); err != nil {
		return err
	}
	return htmlTemplate.ExecuteTemplate(w, "report-end", p)
}

// newHTMLHead reads the style sheet and words the content security policy
// that lets only script run (none when script is empty).
func newHTMLHead(script string) (htmlHead, error) {
	css, err := htmlAssets.ReadFile("html.css")
	if err != nil {
		return htmlHead{}, err
	}
	scripts := "'none'"
	if script != "" {
		sum := sha256.Sum256([]byte(script))
		scripts = "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return htmlHead{
		Style: template.CSS(css),
		CSP:   "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src " + scripts + "; base-uri 'none'; form-action 'none'",
	}, nil
}

// htmlVerdictText says whether the scan fails its threshold.
func htmlVerdictText(r *Report, s Summary) string {
	if !validSeverity(r.FailOn) {
		return fmt.Sprintf("%d %s; no --fail-on threshold", s.Total, plural(s.Total, "finding", "findings"))
	}
	if !r.Failed() {
		return fmt.Sprintf("passes: nothing at or above %s", r.FailOn)
	}
	return fmt.Sprintf("fails: %d at or above %s", countAtOrAbove(r.Findings, r.FailOn), r.FailOn)
}

// scannedText says what the scan read.
func scannedText(r *Report) string {
	parts := []string{}
	if r.Coverage != nil && r.Coverage.Cluster != "" {
		parts = append(parts, "cluster "+r.Coverage.Cluster)
	}
	if r.Files > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", r.Files, plural(r.Files, "file", "files")))
	}
	if r.Documents > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", r.Documents, plural(r.Documents, "document", "documents")))
	}
	parts = append(parts, fmt.Sprintf("%d %s", r.Objects, plural(r.Objects, "object", "objects")),
		fmt.Sprintf("%d %s", len(r.Checks), plural(len(r.Checks), "check", "checks")))
	return strings.Join(parts, ", ")
}

// htmlExceptions lists the config's exceptions with the number of findings
// each suppressed in this report.
func htmlExceptions(r *Report) []htmlException {
	if len(r.Exceptions) == 0 {
		return nil
	}
	bySource := map[string]int{}
	for _, f := range r.Suppressed {
		if f.Suppressed != nil && f.Suppressed.Kind == check.SuppressedByConfig {
			bySource[f.Suppressed.Source]++
		}
	}
	now := time.Now()
	out := make([]htmlException, 0, len(r.Exceptions))
	for i := range r.Exceptions {
		e := &r.Exceptions[i]
		src := fmt.Sprintf("%s:%d", e.Source.File, e.Source.Line)
		he := htmlException{Checks: strings.Join(e.Checks, ", "), Scope: exceptionScope(e), Reason: e.Reason, Source: src,
			Expired: e.Expired(now), Suppressed: bySource[src]}
		if !e.Expires.IsZero() {
			he.Expires = e.Expires.Format("2006-01-02")
		}
		out = append(out, he)
	}
	return out
}

// exceptionScope words what an exception covers besides its checks.
func exceptionScope(e *check.Exception) string {
	var parts []string
	add := func(what string, list []string) {
		if len(list) > 0 {
			parts = append(parts, what+" "+strings.Join(list, ", "))
		}
	}
	add("kinds", e.Kinds)
	add("namespaces", e.Namespaces)
	add("names", e.Names)
	add("containers", e.Containers)
	add("vulnerabilities", e.Vulnerabilities)
	if e.UntilFixAvailable {
		parts = append(parts, "until a fix is available")
	}
	if len(parts) == 0 {
		return "every object"
	}
	return strings.Join(parts, "; ")
}

// htmlVerdicts lists the benchmark items of kube4c node, failures first,
// and counts those that passed or do not apply.
func htmlVerdicts(r *Report) (list []htmlVerdict, passed, notApplies int) {
	if len(r.Verdicts) == 0 {
		return nil, 0, 0
	}
	checks := checkIndex(r.Checks)
	order := []check.Status{check.StatusFail, check.StatusPass, check.StatusNotApplicable}
	for _, status := range order {
		for _, v := range r.Verdicts {
			if v.Status != status {
				continue
			}
			hv := htmlVerdict{CheckID: v.CheckID, Status: string(v.Status), Object: objectRef(v.Object), Location: v.Location.String(), Message: v.Message}
			if c := checks[v.CheckID]; c != nil {
				hv.CIS = strings.Join(c.References.CIS, ", ")
			}
			list = append(list, hv)
		}
	}
	for _, v := range r.Verdicts {
		switch v.Status {
		case check.StatusPass:
			passed++
		case check.StatusNotApplicable:
			notApplies++
		}
	}
	return list, passed, notApplies
}
