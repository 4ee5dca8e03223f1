package check

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/inventory"
)

// describe writes findings as "ID SEVERITY OBJECT PATH [DETAIL IDS]".
func describe(fs []*Finding) string {
	var lines []string
	for _, f := range fs {
		line := fmt.Sprintf("%s %s %s %s", f.CheckID, f.Severity, f.Object.Name(), f.Path)
		for _, d := range f.Details() {
			line += " " + d.CheckID
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// Findings of one fold about one object and path become one, worst first
// (severity, then the fold's order), in the place of the worst; the rest
// is left as it is.
func TestFoldFindings(t *testing.T) {
	fold := &Fold{ID: "grant", Checks: []string{"broad", "narrow", "minor"}}
	other := &Fold{ID: "other", Checks: []string{"elsewhere"}}
	checks := []*Check{
		{Meta: Meta{ID: "broad", Title: "Broad", Fold: fold}},
		{Meta: Meta{ID: "narrow", Title: "Narrow", Fold: fold}},
		{Meta: Meta{ID: "minor", Title: "Minor thing", Fold: fold}},
		{Meta: Meta{ID: "elsewhere", Fold: other}},
		{Meta: Meta{ID: "plain"}},
	}
	pods := pods(2)
	a, b := pods[0], pods[1]
	f := func(id string, sev Severity, o *inventory.Object, path string) *Finding {
		return &Finding{CheckID: id, Severity: sev, Object: o, Path: path, Message: id + " found", Folded: &Folded{Summary: strings.ToUpper(id)}}
	}
	findings := []*Finding{
		f("broad", High, a, "subjects[0]"),
		f("minor", Low, a, "subjects[0]"),
		f("narrow", High, a, "subjects[0]"), // ties with broad: broad is listed first
		f("plain", Critical, a, "subjects[0]"),
		f("elsewhere", Critical, a, "subjects[0]"),
		f("minor", Critical, a, "subjects[1]"), // alone on its path
		f("narrow", Medium, b, "subjects[0]"),
		f("minor", Critical, b, "subjects[0]"), // the worst of b's: its place holds the folded finding
	}
	findings[5].Folded = nil
	got := FoldFindings(findings, checks)
	want := strings.Join([]string{
		"broad high p0000 subjects[0] broad narrow minor",
		"plain critical p0000 subjects[0]",
		"elsewhere critical p0000 subjects[0]",
		"minor critical p0000 subjects[1]",
		"minor critical p0001 subjects[0] minor narrow",
	}, "\n")
	if describe(got) != want {
		t.Errorf("got\n%s\nwant\n%s", describe(got), want)
	}
	if m := got[0].Message; m != "broad found; also: NARROW [narrow, high]; MINOR [minor, low]" {
		t.Errorf("message %q", m)
	}
	if d := got[0].Details()[1]; d.CheckID != "narrow" || d.Severity != High || d.Message != "narrow found" {
		t.Errorf("detail %+v", d)
	}
	if got[3].Details() != nil || got[3].Message != "minor found" {
		t.Errorf("a finding alone in its fold changed: %+v", got[3])
	}
	// Without the checks of a fold, nothing folds.
	if again := FoldFindings([]*Finding{f("broad", High, a, "x"), f("narrow", High, a, "x")}, checks[4:]); len(again) != 2 {
		t.Errorf("folded without the fold's checks: %s", describe(again))
	}
}

// A check that names a fold must be one of its checks.
func TestFoldMembershipIsValidated(t *testing.T) {
	m := Meta{ID: "stray", Title: "t", Looks: "l", Rationale: "r", Remediation: "x", Layer: LayerCluster, Severity: High,
		Fold: &Fold{ID: "grant", Checks: []string{"broad"}}}
	if err := m.validate(); err == nil || !strings.Contains(err.Error(), "fold") {
		t.Errorf("validate: %v", err)
	}
}
