package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
)

// The hand-written encoding of findings is byte for byte what encoding/json
// writes of the documented JSONFinding (without HTML escaping), for every
// shape a finding takes, also when the encoder's caches are warm.
func TestFindingEncoderMatchesEncodingJSON(t *testing.T) {
	r := sampleReport()
	findings := append(append([]*check.Finding{}, r.Findings...), r.Suppressed...)
	odd := &check.Finding{CheckID: "x", Severity: check.Low, Layer: check.LayerCode, Message: "quote \" backslash \\ tab \t <&> é"}
	other := *findings[0]
	other.Remediation = "a remediation of its own"
	// An ID that is the prefix of another, and a check's finding at
	// another severity: the encoder's shared parts must tell them apart.
	prefix := odd.CheckID + "-longer"
	short, long := *odd, *odd
	short.CheckID, long.CheckID = prefix[:len(odd.CheckID)], prefix
	raised := *findings[0]
	raised.Severity = check.Critical
	findings = append(findings, odd, &other, &short, &long, &raised)
	findings = append(findings, findings...) // the second round hits the caches
	checks := checkIndex(r.Checks)
	conv := findingConverter{checks: checks, refs: map[string]*JSONReferences{}}
	enc := newFindingEncoder(checks)
	for i := range findings {
		var want bytes.Buffer
		je := json.NewEncoder(&want)
		je.SetEscapeHTML(false)
		doc := conv.finding(findings[i])
		if err := je.Encode(&doc); err != nil {
			t.Fatal(err)
		}
		got, err := enc.appendFinding(nil, findings[i])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("finding %d:\ngot  %s\nwant %s", i, got, want.Bytes())
		}
	}
}

// BenchmarkFindingEncoder encodes a large report's findings on one
// goroutine.
func BenchmarkFindingEncoder(b *testing.B) {
	r := largeReport(100000)
	enc := newFindingEncoder(checkIndex(r.Checks))
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, f := range r.Findings {
			var err error
			if buf, err = enc.appendFinding(buf, f); err != nil {
				b.Fatal(err)
			}
		}
	}
}
