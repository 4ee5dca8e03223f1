package report

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The hand-written encoding of findings is byte for byte what encoding/json
// writes (without HTML escaping), for every shape a finding takes.
func TestFindingAppendJSONMatchesEncodingJSON(t *testing.T) {
	r := sampleReport()
	doc := NewJSONReport(r, Options{ShowSuppressed: true})
	findings := append(append([]JSONFinding{}, doc.Findings...), doc.Suppressed...)
	findings = append(findings, JSONFinding{CheckID: "x", Severity: "low", Layer: "code", Message: "quote \" backslash \\ tab \t <&> é"})
	refs := map[*JSONReferences][]byte{}
	for i := range findings {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&findings[i]); err != nil {
			t.Fatal(err)
		}
		got, err := findings[i].appendJSON(nil, refs)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("finding %d:\ngot  %s\nwant %s", i, got, want.Bytes())
		}
	}
}
