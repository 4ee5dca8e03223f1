package report

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
)

// Reading types of the test, independent of the renderer's own.
type (
	xmlSuites struct {
		XMLName  xml.Name   `xml:"testsuites"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Errors   int        `xml:"errors,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Suites   []xmlSuite `xml:"testsuite"`
	}
	xmlSuite struct {
		Name     string    `xml:"name,attr"`
		Tests    int       `xml:"tests,attr"`
		Failures int       `xml:"failures,attr"`
		Errors   int       `xml:"errors,attr"`
		Skipped  int       `xml:"skipped,attr"`
		Props    []xmlProp `xml:"properties>property"`
		Cases    []xmlCase `xml:"testcase"`
	}
	xmlProp struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	xmlCase struct {
		Name      string      `xml:"name,attr"`
		Classname string      `xml:"classname,attr"`
		File      string      `xml:"file,attr"`
		Line      int         `xml:"line,attr"`
		Failure   *xmlOutcome `xml:"failure"`
		Error     *xmlOutcome `xml:"error"`
		Skipped   *xmlOutcome `xml:"skipped"`
	}
	xmlOutcome struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",chardata"`
	}
)

// parseJUnit renders r as JUnit and parses it back.
func parseJUnit(t *testing.T, r *Report, opts Options) xmlSuites {
	t.Helper()
	out := render(t, "junit", r, opts)
	if !strings.HasPrefix(string(out), xml.Header) {
		t.Errorf("output lacks the XML declaration")
	}
	var doc xmlSuites
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("output is not XML: %v\n%s", err, out)
	}
	return doc
}

// counts returns "tests/failures/errors/skipped" as the cases say, and
// checks the attributes agree.
func counts(t *testing.T, doc xmlSuites) [4]int {
	t.Helper()
	var total [4]int
	for _, s := range doc.Suites {
		var c [4]int
		for _, tc := range s.Cases {
			c[0]++
			switch {
			case tc.Failure != nil:
				c[1]++
			case tc.Error != nil:
				c[2]++
			case tc.Skipped != nil:
				c[3]++
			}
		}
		if attrs := [4]int{s.Tests, s.Failures, s.Errors, s.Skipped}; attrs != c {
			t.Errorf("suite %s: attributes say %v, cases %v", s.Name, attrs, c)
		}
		for i := range c {
			total[i] += c[i]
		}
	}
	if attrs := [4]int{doc.Tests, doc.Failures, doc.Errors, doc.Skipped}; attrs != total {
		t.Errorf("testsuites: attributes say %v, cases %v", attrs, total)
	}
	return total
}

func TestJUnitGolden(t *testing.T) {
	golden(t, "junit/sample.golden", render(t, "junit", sampleReport(), Options{ShowSuppressed: true}))
}

func TestJUnitCounts(t *testing.T) {
	doc := parseJUnit(t, sampleReport(), Options{})
	// Two findings are below the fail-on severity (high): they pass.
	if got, want := counts(t, doc), [4]int{9, 4, 2, 0}; got != want {
		t.Errorf("tests/failures/errors/skipped = %v, want %v", got, want)
	}
	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
	}
	if got, want := strings.Join(names, " "), "expired-exception missing-resource-limits privileged-container missing-network-policy rbac-wildcard broken-check input"; got != want {
		t.Errorf("suites = %s, want %s", got, want)
	}

	withSuppressed := parseJUnit(t, sampleReport(), Options{ShowSuppressed: true})
	if got, want := counts(t, withSuppressed), [4]int{11, 4, 2, 2}; got != want {
		t.Errorf("with suppressed: tests/failures/errors/skipped = %v, want %v", got, want)
	}
}

// A finding below --fail-on passes with its details as output: it does
// not fail the scan, so it does not fail the CI's test report either.
func TestJUnitBelowFailOnPasses(t *testing.T) {
	r := sampleReport()
	r.FailOn = check.Critical
	var below, failed int
	for _, f := range r.Findings {
		if f.Severity < check.Critical {
			below++
		} else {
			failed++
		}
	}
	doc := parseJUnit(t, r, Options{})
	if got := counts(t, doc); got[1] != failed {
		t.Errorf("%d failures, want the %d critical findings", got[1], failed)
	}
	out := string(render(t, "junit", r, Options{}))
	if n := strings.Count(out, "<system-out><![CDATA[below the fail-on severity (critical)"); n != below {
		t.Errorf("%d cases say they are below the fail-on severity, want %d:\n%s", n, below, out)
	}
	r.FailOn = check.Critical + 1 // --fail-on none
	if got := counts(t, parseJUnit(t, r, Options{})); got[1] != 0 {
		t.Errorf("--fail-on none: %d failures", got[1])
	}
}

func TestJUnitContent(t *testing.T) {
	doc := parseJUnit(t, sampleReport(), Options{})
	suite := func(name string) xmlSuite {
		for _, s := range doc.Suites {
			if s.Name == name {
				return s
			}
		}
		t.Fatalf("no suite %s", name)
		return xmlSuite{}
	}

	rbac := suite("rbac-wildcard")
	if rbac.Props[0] != (xmlProp{"title", "Role grants wildcard permissions"}) || rbac.Props[2] != (xmlProp{"severity", "high"}) {
		t.Errorf("rbac-wildcard properties = %v", rbac.Props)
	}
	c := rbac.Cases[0]
	if c.Name != "ClusterRole/reader rules[0].verbs" || c.Classname != "rbac-wildcard" || c.File != "deploy/rbac.yaml" || c.Line != 8 {
		t.Errorf("rbac-wildcard case = %+v", c)
	}
	if c.Failure.Message != `Rule grants "*" verbs on <all> resources & subresources.` || c.Failure.Type != "high" {
		t.Errorf("failure = %+v", c.Failure)
	}
	for _, want := range []string{"Location: deploy/rbac.yaml:8:5\n", "Remediation: List verbs and resources explicitly.\n", "Object: ClusterRole/reader\n"} {
		if !strings.Contains(c.Failure.Body, want) {
			t.Errorf("failure details lack %q:\n%s", want, c.Failure.Body)
		}
	}

	if pass := suite("missing-network-policy").Cases; len(pass) != 1 || pass[0].Name != "no findings" || pass[0].Failure != nil || pass[0].Error != nil {
		t.Errorf("check without findings has cases %+v, want one passing", pass)
	}
	if broken := suite("broken-check").Cases; len(broken) != 1 || broken[0].Error == nil ||
		broken[0].Error.Message != "check broken-check panicked: boom" || !strings.Contains(broken[0].Error.Body, "goroutine 7") {
		t.Errorf("failing check has cases %+v", broken)
	}
	in := suite(inputSuite).Cases
	if len(in) != 1 || in[0].Name != "deploy/broken.yaml:4:3" || in[0].Error == nil || in[0].Error.Type != "input-error" ||
		in[0].Error.Message != "yaml: mapping values are not allowed in this context" {
		t.Errorf("input cases = %+v", in)
	}
	if scan := suite("expired-exception").Cases[0]; scan.Name != "kube4c.yaml:12:5" {
		t.Errorf("finding without object is named %q", scan.Name)
	}
}

func TestJUnitControlCharacters(t *testing.T) {
	r := sampleReport()
	r.Findings[2].Message = "bad \x00 byte ]]> end"
	r.Findings[2].Remediation = "fix \x1b[31m it"
	doc := parseJUnit(t, r, Options{})
	for _, s := range doc.Suites {
		if s.Name == "rbac-wildcard" {
			f := s.Cases[0].Failure
			if f.Message != "bad \uFFFD byte ]]> end" || !strings.Contains(f.Body, "Message: bad \uFFFD byte ]]> end\n") || !strings.Contains(f.Body, "fix \uFFFD[31m it") {
				t.Errorf("failure = %+v", f)
			}
		}
	}
}

func TestJUnitEmpty(t *testing.T) {
	doc := parseJUnit(t, emptyReport(), Options{})
	if got, want := counts(t, doc), [4]int{2, 0, 0, 0}; got != want || len(doc.Suites) != 2 {
		t.Errorf("clean scan: %d suites, counts %v, want 2 suites with %v", len(doc.Suites), got, want)
	}
}

func TestJUnitSkipsNotApplicable(t *testing.T) {
	r := verdictReport()
	r.Findings, r.Suppressed = nil, nil
	out := string(render(t, "junit", r, Options{}))
	if !strings.Contains(out, `<skipped message="no such component">`) || strings.Count(out, "<skipped") != 1 {
		t.Errorf("the not-applicable check is not the one skipped case:\n%s", out)
	}
}
