package report

import (
	"bufio"
	"encoding/xml"
	"io"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
)

// JUnit XML, as CI systems read it: a suite per check, a test case per
// finding, and a passing case for each check that found nothing. A finding
// fails its case only at or above the report's fail-on severity, as it
// fails the scan; one below passes, with the finding as its output.
type (
	junitSuites struct {
		XMLName  xml.Name      `xml:"testsuites"`
		Name     string        `xml:"name,attr"`
		Tests    int           `xml:"tests,attr"`
		Failures int           `xml:"failures,attr"`
		Errors   int           `xml:"errors,attr"`
		Skipped  int           `xml:"skipped,attr"`
		Suites   []*junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr,omitempty"`
		Line      int           `xml:"line,attr,omitempty"`
		Failure   *junitOutcome `xml:"failure,omitempty"`
		Error     *junitOutcome `xml:"error,omitempty"`
		Skipped   *junitOutcome `xml:"skipped,omitempty"`
		SystemOut *junitText    `xml:"system-out,omitempty"`
	}
	junitText struct {
		Text string `xml:",cdata"`
	}
	junitOutcome struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Details string `xml:",cdata"`
	}
)

// inputSuite names the suite of input errors.
const inputSuite = "input"

// renderJUnit writes the report as JUnit XML.
func renderJUnit(w io.Writer, r *Report, opts Options) error {
	doc := newJUnit(r, opts)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	bw.WriteByte('\n')
	return bw.Flush()
}

func newJUnit(r *Report, opts Options) *junitSuites {
	doc := &junitSuites{Name: r.Tool.Name}
	suites := map[string]*junitSuite{}
	suite := func(id string) *junitSuite {
		s, ok := suites[id]
		if !ok {
			s = &junitSuite{Name: id}
			suites[id] = s
			doc.Suites = append(doc.Suites, s)
		}
		return s
	}
	for _, c := range r.Checks {
		suite(c.ID).Properties = []junitProperty{
			{Name: "title", Value: c.Title},
			{Name: "layer", Value: string(c.Layer)},
			{Name: "severity", Value: c.Severity.String()},
		}
	}
	for _, f := range r.Findings {
		suite(f.CheckID).add(findingCase(f, r.FailOn))
	}
	if opts.ShowSuppressed {
		for _, f := range r.Suppressed {
			suite(f.CheckID).add(findingCase(f, r.FailOn))
		}
	}
	for _, f := range r.Failures {
		msg := "check failed"
		if f.Err != nil {
			msg = f.Err.Error()
		}
		suite(f.CheckID).add(junitCase{Name: "check failed", Classname: f.CheckID,
			Error: &junitOutcome{Message: firstLine(msg), Type: "check-failure", Details: xmlText(msg)}})
	}
	// A check that only found its item not applicable is skipped, with why.
	for _, v := range r.Verdicts {
		if s := suite(v.CheckID); v.Status == check.StatusNotApplicable && len(s.Cases) == 0 {
			s.add(junitCase{Name: "not applicable", Classname: v.CheckID, Skipped: &junitOutcome{Message: v.Message}})
		}
	}
	for _, s := range doc.Suites {
		if len(s.Cases) == 0 {
			s.add(junitCase{Name: "no findings", Classname: s.Name})
		}
	}
	if len(r.Errors) > 0 {
		in := suite(inputSuite)
		for _, p := range r.Errors {
			name := p.Location.String()
			if name == "" {
				name = inputSuite
			}
			in.add(junitCase{Name: name, Classname: inputSuite, File: p.File, Line: p.Line,
				Error: &junitOutcome{Message: p.Message, Type: "input-error", Details: xmlText(p.Error())}})
		}
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	return doc
}

// xmlText replaces the characters XML 1.0 cannot carry, which CDATA
// sections would otherwise pass through, with U+FFFD.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, s)
}

// add appends a test case and counts its outcome.
func (s *junitSuite) add(c junitCase) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
}

// findingCase is the test case of a finding, named after its object and
// field path: failing at or above failOn, passing with the finding as its
// output below it, skipped when suppressed.
func findingCase(f *check.Finding, failOn check.Severity) junitCase {
	name := strings.TrimSpace(objectRef(f.Object) + " " + f.Path)
	if name == "" {
		name = f.Location.String()
	}
	if name == "" {
		name = f.Message
	}
	c := junitCase{Name: name, Classname: f.CheckID, File: f.Location.File, Line: f.Location.Line}
	if s := f.Suppressed; s != nil {
		msg := "suppressed by " + s.Kind + " (" + s.Source + ")"
		if s.Reason != "" {
			msg += ": " + s.Reason
		}
		c.Skipped = &junitOutcome{Message: msg}
		return c
	}
	if f.Severity < failOn {
		c.SystemOut = &junitText{"below the fail-on severity (" + failOnName(failOn) + ")\n" + findingDetails(f)}
		return c
	}
	c.Failure = &junitOutcome{Message: f.Message, Type: f.Severity.String(), Details: findingDetails(f)}
	return c
}

// failOnName names a fail-on severity; past critical it is "none".
func failOnName(s check.Severity) string {
	if s > check.Critical {
		return "none"
	}
	return s.String()
}

// findingDetails is the body of a failure: one "Key: value" line per known
// fact about the finding.
func findingDetails(f *check.Finding) string {
	var b strings.Builder
	line := func(key, value string) {
		if value != "" {
			b.WriteString(key + ": " + value + "\n")
		}
	}
	line("Message", f.Message)
	line("Severity", f.Severity.String())
	line("Layer", string(f.Layer))
	line("Object", objectRef(f.Object))
	line("Container", f.Container)
	line("Path", f.Path)
	line("Location", f.Location.String())
	line("Remediation", strings.TrimSpace(f.Remediation))
	return xmlText(b.String())
}
