package report

import "testing"

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
