package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kube4c/kube4c/internal/netpol"
)

// writeReachTable writes the grid as a text matrix: one row per source,
// one numbered column per destination workload, then the pseudo-endpoints.
func writeReachTable(w io.Writer, g *netpol.Grid) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Connections that %d sources may open to %d destinations under %s (row -> column).\n\n",
		len(g.From), len(g.To), countPolicies(g.Policies))
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
		if t.Pod != nil && !slices.ContainsFunc(g.From, func(f netpol.Endpoint) bool { return f.Pod == t.Pod }) {
			key = append(key, columnName(t, number)+" "+t.String())
		}
	}
	if len(key) > 0 {
		b.WriteString("\nColumns: " + SafeText(strings.Join(key, ", ")) + "\n")
	}
	b.WriteString("\n\"all\": every port; \"-\": denied; TCP:80: only these ports; \"?\": ports that may be open (see the notes);\n" +
		"\"*\": only part of the internet's addresses. Explain a cell with --explain FROM TO.\n")
	if len(g.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range g.Notes {
			b.WriteString("  - " + SafeText(n) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// columnName is a workload's number, or a pseudo-endpoint's name.
func columnName(ep netpol.Endpoint, number map[string]int) string {
	if ep.Pod == nil {
		return ep.String()
	}
	return fmt.Sprint(number[ep.String()])
}

// writeColumns writes rows as left-aligned columns two spaces apart, their
// cells escaped: they hold names from the manifests.
func writeColumns(b *strings.Builder, rows [][]string) {
	var width []int
	for _, row := range rows {
		for i := range row {
			row[i] = safeCell(row[i])
			cell := row[i]
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
