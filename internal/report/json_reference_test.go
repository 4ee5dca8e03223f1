package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// The json format encodes findings with the hand-written findingEncoder.
// The documented JSON types (JSONReport, JSONFinding, ...) are the
// reference: what encoding/json writes of them is what the json format must
// write, byte for byte, once both are compact. Two deliberate differences
// are in the spelling of escapes (see jsonescape): encoding/json escapes
// U+2028 and U+2029, which the findings encoder writes as they are, and
// writes backspace and form feed as \b and \f, which the findings encoder
// writes as \u0008 and \u000c. referenceJSON spells those as the findings
// encoder does.

// referenceJSONReport converts r to the JSON types in full, findings
// included.
func referenceJSONReport(r *Report, opts Options) *JSONReport {
	out := jsonReportWithoutFindings(r)
	checks := checkIndex(r.Checks)
	out.Advisories = advisoryLists(r, opts)
	out.Findings = referenceFindings(checks, r.Findings)
	if opts.ShowSuppressed {
		out.Suppressed = referenceFindings(checks, r.Suppressed)
	}
	return out
}

func referenceFindings(checks map[string]*check.Check, fs []*check.Finding) []JSONFinding {
	out := make([]JSONFinding, len(fs))
	for i, f := range fs {
		out[i] = referenceFinding(checks, f)
	}
	return out
}

// referenceFinding converts a finding to the documented JSONFinding.
func referenceFinding(checks map[string]*check.Check, f *check.Finding) JSONFinding {
	out := JSONFinding{
		CheckID:     f.CheckID,
		Severity:    f.Severity.String(),
		Layer:       string(f.Layer),
		Object:      jsonObject(f.Object),
		Container:   f.Container,
		Path:        f.Path,
		Location:    jsonLocation(f.Location),
		Message:     f.Message,
		Remediation: f.Remediation,
	}
	if ch := checks[f.CheckID]; ch != nil {
		out.Title = ch.Title
		out.References = jsonReferences(ch.References)
	}
	if s := f.Suppressed; s != nil {
		out.Suppression = &JSONSuppression{Kind: s.Kind, Reason: s.Reason, Source: s.Source}
	}
	for _, d := range f.Details() {
		out.Details = append(out.Details, JSONDetail{CheckID: d.CheckID, Severity: d.Severity.String(), Message: d.Message})
	}
	if a := f.Advisories; a != nil {
		out.Advisories = a.Key
	}
	out.AttackPaths = f.AttackPaths
	return out
}

// referenceJSON encodes v compactly as encoding/json does without HTML
// escaping, with its escapes of U+2028, U+2029, backspace and form feed
// spelled as the findings encoder spells them.
func referenceJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return respellEscapes(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// respellEscapes rewrites the escapes \u2028 and \u2029 in encoded JSON
// as the characters, and \b and \f as \u0008 and \u000c, leaving every
// other escape (an escaped backslash followed by "u2028" included) as it
// is.
func respellEscapes(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			out = append(out, b[i])
			continue
		}
		switch {
		case bytes.HasPrefix(b[i:], []byte(`\u2028`)):
			out = append(out, "\u2028"...)
			i += 5
		case bytes.HasPrefix(b[i:], []byte(`\u2029`)):
			out = append(out, "\u2029"...)
			i += 5
		case b[i+1] == 'b': // an escape is never the last byte
			out = append(out, `\u0008`...)
			i++
		case b[i+1] == 'f':
			out = append(out, `\u000c`...)
			i++
		default:
			out = append(out, b[i], b[i+1])
			i++
		}
	}
	return out
}

func TestRespellEscapes(t *testing.T) {
	in := `"a\u2028b\\u2029c\\\u2029d\u00e9\b\f\\b"`
	want := "\"a\u2028b\\\\u2029c\\\\\u2029d\\u00e9\\u0008\\u000c\\\\b\""
	if got := string(respellEscapes([]byte(in))); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// oddText holds what a string can hold that needs care in JSON: quotes,
// backslashes (one before a u as well), every kind of control character,
// HTML characters, DEL, non-ASCII letters and symbols, the line and
// paragraph separators, and invalid UTF-8.
var oddText = []string{
	`quote " backslash \ slash /`,
	"controls \x00\x01\x08\x0c\x1b\x1f tab\t newline\n return\r",
	"html <script>&amp;</script> del \x7f",
	"é ü 中文 😀 \u200b zero-width",
	"separators \u2028 and \u2029, and the text \\u2028",
	"invalid \xff utf-8 \xc3 and \xed\xa0\x80",
	"",
}

// variedReport is a report whose findings take every shape: checks known
// (with references and without) and unknown (one ID the prefix of
// another), raised, lowered and invalid severities, other and empty
// layers, objects namespaced, cluster-scoped, from a live cluster and
// none, every kind of location, their own remediation, suppressions of
// both kinds, and odd text in every string.
func variedReport() *Report {
	r := sampleReport()
	objects := []*inventory.Object{
		nil,
		newObject(&corev1.Pod{ObjectMeta: meta("shop", "web-0")}, corev1.SchemeGroupVersion.WithKind("Pod"), "deploy/web.yaml"),
		newObject(&rbacv1.ClusterRole{ObjectMeta: meta("", "reader")}, rbacv1.SchemeGroupVersion.WithKind("ClusterRole"), "deploy/rbac.yaml"),
		newObject(&corev1.Pod{ObjectMeta: meta("kube-system", "live")}, corev1.SchemeGroupVersion.WithKind("Pod"), ""),
		newObject(&corev1.Pod{ObjectMeta: meta(oddText[0], oddText[1])}, corev1.SchemeGroupVersion.WithKind("Pod"), oddText[4]),
		newObject(&corev1.Pod{ObjectMeta: meta(oddText[3], oddText[5])}, corev1.SchemeGroupVersion.WithKind("Pod"), oddText[2]),
	}
	type checkShape struct {
		id          string
		severity    check.Severity
		layer       check.Layer
		remediation string
	}
	var shapes []checkShape
	for _, c := range r.Checks {
		shapes = append(shapes, checkShape{c.ID, c.Severity, c.Layer, c.Remediation})
	}
	shapes = append(shapes,
		checkShape{"no-such-check", check.High, check.LayerCluster, ""},
		checkShape{"x", check.Low, check.LayerCode, "Fix x."},
		checkShape{"x-longer", check.Low, check.LayerCode, "Fix x."},
	)
	severities := []check.Severity{check.Unset, check.Info, check.Low, check.Medium, check.High, check.Critical, check.Severity(9)}
	layers := []check.Layer{check.LayerCode, check.LayerContainer, check.LayerCluster, check.LayerCloud, "", "elsewhere"}
	locations := []inventory.Location{
		{}, {File: "deploy/web.yaml"}, {File: "deploy/web.yaml", Line: 12}, {File: "deploy/web.yaml", Line: 12, Column: 7},
		{File: "-", Line: 3, Column: 1}, {File: oddText[5], Line: 1}, {File: "deploy/other.yaml", Column: 4},
	}
	suppressions := []*check.Suppression{
		nil, {Kind: "config", Reason: "accepted risk", Source: "kube4c.yaml:20"}, {Kind: "annotation", Source: "kube4c.io/ignore"},
		{Kind: "config", Reason: oddText[2], Source: oddText[1]},
	}
	var findings []*check.Finding
	for i := range 600 {
		s := shapes[i%len(shapes)]
		f := &check.Finding{
			CheckID: s.id, Severity: s.severity, Layer: s.layer, Remediation: s.remediation,
			Object:    objects[i%len(objects)],
			Location:  locations[i%len(locations)],
			Message:   fmt.Sprintf("finding %d: %s", i, oddText[i%len(oddText)]),
			Container: []string{"", "app", oddText[3]}[i%3],
			Path:      []string{"", "spec.containers[0].securityContext", oddText[0]}[i%5%3],
		}
		switch i % 4 {
		case 1:
			f.Severity = severities[i%len(severities)] // raised, lowered or invalid
		case 2:
			f.Layer = layers[i%len(layers)]
		case 3:
			f.Remediation = []string{"", "A remediation of its own.", oddText[i%len(oddText)]}[i%3]
		}
		if i%11 == 0 {
			f.Message = ""
		}
		f.Suppressed = suppressions[i%len(suppressions)]
		if i%7 == 2 { // folded: the findings it stands for, one with odd text
			f.Folded = &check.Folded{Details: []check.Detail{
				{CheckID: f.CheckID, Severity: f.Severity, Message: f.Message},
				{CheckID: "rbac-read-secrets", Severity: check.Critical, Message: oddText[i%len(oddText)]},
				{CheckID: oddText[(i+1)%len(oddText)], Severity: check.Severity(i % 9), Message: ""},
			}[:1+i%3]}
		}
		if i%6 == 1 {
			f.AttackPaths = i % 13
		}
		if i%5 == 3 { // the advisories of an image, shared by findings
			f.Advisories = []*check.Advisories{
				{Key: "registry.example.com/app:1.0", List: []check.Advisory{{ID: "CVE-2024-5535", Severity: "CRITICAL", Package: "libssl3",
					Installed: "3.3.1-r0", Fixed: "3.3.1-r1", URL: "https://avd.aquasec.com/nvd/cve-2024-5535"}}},
				{Key: `registry.example.com/"quoted"/<app>:2.0 (2)`, List: []check.Advisory{{ID: "GHSA-9wv6-86v2-598j", Severity: "High"}, {ID: "x", Severity: ""}}},
			}[i%2]
		}
		findings = append(findings, f)
	}
	r.Findings, r.Suppressed = nil, nil
	for _, f := range findings {
		if f.Suppressed != nil {
			r.Suppressed = append(r.Suppressed, f)
		} else {
			r.Findings = append(r.Findings, f)
		}
	}
	// Every finding once more: the encoder's shared parts are made by
	// then.
	r.Findings = append(r.Findings, r.Findings...)
	r.Suppressed = append(r.Suppressed, r.Suppressed...)
	return r
}

// Every finding the encoder writes is byte for byte encoding/json's
// encoding of its JSONFinding.
func TestFindingEncoderMatchesSchemaTypes(t *testing.T) {
	for _, r := range []*Report{sampleReport(), variedReport()} {
		checks := checkIndex(r.Checks)
		enc := newFindingEncoder(checks)
		for i, f := range append(append([]*check.Finding{}, r.Findings...), r.Suppressed...) {
			want := referenceJSON(t, referenceFinding(checks, f))
			got, err := enc.appendFinding(nil, f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("finding %d:\ngot  %s\nwant %s", i, got, want)
			}
		}
	}
}

// The whole json document, once compact, is byte for byte encoding/json's
// encoding of the JSONReport; and it lists each element of a list on a
// line of its own. (Beside the findings, both encode the document with
// encoding/json, whose spelling of escapes referenceJSON changes: the
// other strings of these reports hold no backspace, form feed or line
// separator.)
func TestJSONMatchesSchemaTypes(t *testing.T) {
	reports := map[string]*Report{"sample": sampleReport(), "empty": emptyReport(), "verdicts": verdictReport(), "varied": variedReport()}
	for name, r := range reports {
		for _, opts := range []Options{{}, {ShowSuppressed: true}} {
			t.Run(fmt.Sprintf("%s/suppressed=%v", name, opts.ShowSuppressed), func(t *testing.T) {
				out := render(t, "json", r, opts)
				var got bytes.Buffer
				if err := json.Compact(&got, out); err != nil {
					t.Fatalf("output is not JSON: %v", err)
				}
				doc := referenceJSONReport(r, opts)
				if want := referenceJSON(t, doc); !bytes.Equal(got.Bytes(), want) {
					t.Errorf("output differs from the reference\ngot:\n%s\nwant:\n%s", got.Bytes(), want)
				}
				elements := len(doc.Findings) + len(doc.Suppressed) + len(doc.InputErrors) + len(doc.Warnings) + len(doc.Skipped) + len(doc.CheckFailures) + len(doc.Results)
				if lines := bytes.Count(out, []byte("\n    {")); lines != elements {
					t.Errorf("%d element lines, want one per list element (%d)", lines, elements)
				}
			})
		}
	}
}
