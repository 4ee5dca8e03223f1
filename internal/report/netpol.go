package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kube4c/kube4c/internal/netpol"
)

// ReachFormats are the formats of kube4c netpol reach's matrix.
func ReachFormats() []string { return []string{"table", "json", "dot", "mermaid"} }

// MaxDrawnCells is how many cells of the reach matrix the table, DOT and
// Mermaid formats draw at most: a larger matrix is no picture a person
// reads, and its table would be held in memory. JSON streams any size.
const MaxDrawnCells = 250_000

// WriteReach writes the reach matrix of netpol reach in one of the
// ReachFormats.
func WriteReach(w io.Writer, format string, g *netpol.Grid) error {
	if format != "json" && g.Cells() > MaxDrawnCells {
		return &TooLargeError{Cells: g.Cells(), Rows: len(g.From), Columns: len(g.To)}
	}
	switch format {
	case "table":
		return writeReachTable(w, g)
	case "json":
		return writeReachJSON(w, g)
	case "dot":
		return writeDOT(w, reachDrawing(g))
	case "mermaid":
		return writeMermaid(w, reachDrawing(g))
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(ReachFormats(), ", "))
}

// TooLargeError is the refusal to draw a matrix of more than
// MaxDrawnCells cells.
type TooLargeError struct{ Cells, Rows, Columns int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the matrix has %d rows and %d columns (%d cells), more than %d to draw: narrow it with --from and --to (globs such as 'shop/*'), or write it with -o json, which streams any size",
		e.Rows, e.Columns, e.Cells, MaxDrawnCells)
}

// cellText is the short form of a reach used in tables and edge labels:
// "-" denied, the open ports, "?" before ports that may be open, and "*"
// when only part of the internet is admitted.
func cellText(r netpol.Reach) string {
	var s string
	switch r.Verdict {
	case netpol.Denied:
		return "-"
	case netpol.Unknown:
		s = "?" + r.Unknown.String()
	default:
		s = r.Ports.String()
		if !r.Unknown.Empty() {
			s += " ?" + r.Unknown.String()
		}
	}
	if r.Partial {
		s += "*"
	}
	return s
}

// endpointsOf returns the endpoints of the rows and columns, each once,
// rows first.
func endpointsOf(g *netpol.Grid) []netpol.Endpoint {
	seen := map[string]bool{}
	var out []netpol.Endpoint
	for _, list := range [][]netpol.Endpoint{g.From, g.To} {
		for _, ep := range list {
			if !seen[ep.String()] {
				seen[ep.String()] = true
				out = append(out, ep)
			}
		}
	}
	return out
}

// countPolicies formats a number of NetworkPolicies.
func countPolicies(n int) string {
	if n == 1 {
		return "1 NetworkPolicy"
	}
	return fmt.Sprintf("%d NetworkPolicies", n)
}
