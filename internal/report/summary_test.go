package report

import (
	"maps"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
)

// Summarize counts by severity and layer whatever the findings carry: the
// layer constants, a layer equal to one but built at run time, a layer
// that is none of the four, and a severity out of range.
func TestSummarizeCounts(t *testing.T) {
	built := check.Layer(strings.Repeat("c", 1) + "ode") // "code", not the constant
	tests := []struct {
		name       string
		findings   []*check.Finding
		bySeverity map[string]int
		byLayer    map[string]int
	}{
		{
			name: "layer constants",
			findings: []*check.Finding{
				{Severity: check.High, Layer: check.LayerContainer}, {Severity: check.High, Layer: check.LayerContainer},
				{Severity: check.Low, Layer: check.LayerCode}, {Severity: check.Critical, Layer: check.LayerCloud},
				{Severity: check.Info, Layer: check.LayerCluster},
			},
			bySeverity: map[string]int{"critical": 1, "high": 2, "medium": 0, "low": 1, "info": 1},
			byLayer:    map[string]int{"code": 1, "container": 2, "cluster": 1, "cloud": 1},
		},
		{
			name:       "layer built at run time",
			findings:   []*check.Finding{{Severity: check.Medium, Layer: built}, {Severity: check.Medium, Layer: check.LayerCode}},
			bySeverity: map[string]int{"critical": 0, "high": 0, "medium": 2, "low": 0, "info": 0},
			byLayer:    map[string]int{"code": 2, "container": 0, "cluster": 0, "cloud": 0},
		},
		{
			name:       "unknown layer of a known length",
			findings:   []*check.Finding{{Severity: check.Low, Layer: "nope"}, {Severity: check.Low, Layer: check.LayerCode}},
			bySeverity: map[string]int{"critical": 0, "high": 0, "medium": 0, "low": 2, "info": 0},
			byLayer:    map[string]int{"code": 1, "nope": 1, "container": 0, "cluster": 0, "cloud": 0},
		},
		{
			name:       "severity out of range",
			findings:   []*check.Finding{{Severity: check.Severity(9), Layer: check.LayerCode}, {Severity: check.High, Layer: check.LayerCode}},
			bySeverity: map[string]int{"critical": 0, "high": 1, "medium": 0, "low": 0, "info": 0, "severity(9)": 1},
			byLayer:    map[string]int{"code": 2, "container": 0, "cluster": 0, "cloud": 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := (&Report{Findings: tt.findings}).Summarize()
			if s.Total != len(tt.findings) || !maps.Equal(s.BySeverity, tt.bySeverity) || !maps.Equal(s.ByLayer, tt.byLayer) {
				t.Errorf("Summarize() = %d %v %v, want %d %v %v", s.Total, s.BySeverity, s.ByLayer, len(tt.findings), tt.bySeverity, tt.byLayer)
			}
		})
	}
}

// BenchmarkSummarize425k counts a large report's findings, allocated in
// one order and listed in another, as a sorted report's findings are.
func BenchmarkSummarize425k(b *testing.B) {
	r := largeReport(425000)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(r.Findings), func(i, j int) {
		r.Findings[i], r.Findings[j] = r.Findings[j], r.Findings[i]
	})
	for b.Loop() {
		r.Summarize()
	}
}
