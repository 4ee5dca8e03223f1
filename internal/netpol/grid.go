package netpol

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Grid is the reach matrix of some sources and destinations, ready to be
// written in one of the Formats.
type Grid struct {
	// From are the rows, To the columns.
	From, To []Endpoint
	// Cells[i][j] is the reach from From[i] to To[j]; see Cell.
	Cells [][]Reach
	// Policies is the number of NetworkPolicies evaluated.
	Policies int
	// Notes are the engine's notes.
	Notes []string
}

// Grid evaluates every pair of from and to. The metadata service is left
// out of the rows: it opens no connections.
func (e *Engine) Grid(from, to []Endpoint) *Grid {
	g := &Grid{To: to, Policies: len(e.policies), Notes: e.Notes()}
	for _, f := range from {
		if f.Kind != MetadataEndpoint {
			g.From = append(g.From, f)
		}
	}
	g.Cells = make([][]Reach, len(g.From))
	for i, f := range g.From {
		g.Cells[i] = make([]Reach, len(to))
		for j, t := range to {
			if f.Pod != nil || t.Pod != nil {
				g.Cells[i][j] = e.Reach(f, t)
			}
		}
	}
	return g
}

// Cell returns the reach from From[i] to To[j], and false for a pair of
// two pseudo-endpoints, which is not evaluated.
func (g *Grid) Cell(i, j int) (Reach, bool) {
	return g.Cells[i][j], g.From[i].Pod != nil || g.To[j].Pod != nil
}

// Formats are the formats Write knows.
func Formats() []string { return []string{"table", "json", "dot", "mermaid"} }

// Write writes the grid in a format.
func (g *Grid) Write(format string, w io.Writer) error {
	switch format {
	case "table":
		return g.WriteTable(w)
	case "json":
		return g.WriteJSON(w)
	case "dot":
		return g.WriteDOT(w)
	case "mermaid":
		return g.WriteMermaid(w)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats(), ", "))
}

// cellText is the short form of a reach used in tables and edge labels:
// "-" denied, the open ports, "?" before ports that may be open, and "*"
// when only part of the internet is admitted.
func cellText(r Reach) string {
	var s string
	switch r.Verdict {
	case Denied:
		return "-"
	case Unknown:
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

// WriteTable writes the grid as a text matrix: one row per source, one
// numbered column per destination workload, then the pseudo-endpoints.
func (g *Grid) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Connections that %d sources may open to %d destinations under %s (row -> column).\n\n",
		len(g.From), len(g.To), policies(g.Policies))
	number := map[string]int{}
	for _, ep := range endpointsOf(g) {
		if ep.Pod != nil && number[ep.String()] == 0 {
			number[ep.String()] = len(number) + 1
		}
	}
	header := []string{"#", "FROM \\ TO"}
	for _, t := range g.To {
		header = append(header, columnName(t, number))
	}
	rows := [][]string{header}
	for i, f := range g.From {
		row := []string{columnName(f, number), f.String()}
		if f.Pod == nil {
			row[0] = ""
		}
		for j := range g.To {
			r, ok := g.Cell(i, j)
			text := ""
			if ok {
				text = cellText(r)
			}
			row = append(row, text)
		}
		rows = append(rows, row)
	}
	writeColumns(&b, rows)
	var key []string
	for _, t := range g.To {
		if t.Pod != nil && !slices.ContainsFunc(g.From, func(f Endpoint) bool { return f.Pod == t.Pod }) {
			key = append(key, columnName(t, number)+" "+t.String())
		}
	}
	if len(key) > 0 {
		b.WriteString("\nColumns: " + strings.Join(key, ", ") + "\n")
	}
	b.WriteString("\n\"all\": every port; \"-\": denied; TCP:80: only these ports; \"?\": ports that may be open (see the notes);\n" +
		"\"*\": only part of the internet's addresses. Explain a cell with --explain FROM TO.\n")
	if len(g.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range g.Notes {
			b.WriteString("  - " + n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// columnName is a workload's number, or a pseudo-endpoint's name.
func columnName(ep Endpoint, number map[string]int) string {
	if ep.Pod == nil {
		return ep.String()
	}
	return fmt.Sprint(number[ep.String()])
}

// writeColumns writes rows as left-aligned columns two spaces apart.
func writeColumns(b *strings.Builder, rows [][]string) {
	var width []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len(cell))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			if i > 0 {
				line.WriteString("  ")
			}
			line.WriteString(cell + strings.Repeat(" ", width[i]-len(cell)))
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}
