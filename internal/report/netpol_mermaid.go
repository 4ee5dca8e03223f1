package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kube4c/kube4c/internal/netpol"
)

// writeReachMermaid writes the grid as a Mermaid flowchart, laid out like
// the DOT output.
func writeReachMermaid(w io.Writer, g *netpol.Grid) error {
	gr := reachGraphOf(g)
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i, grp := range gr.groups {
		fmt.Fprintf(&b, "  subgraph ns%d[%s]\n", i, mermaidQuote("namespace "+grp.namespace))
		for _, ep := range grp.nodes {
			fmt.Fprintf(&b, "    %s[%s]\n", gr.ids[ep.String()], mermaidQuote(ep.Pod.Name))
		}
		b.WriteString("  end\n")
	}
	for _, ep := range gr.pseudo {
		fmt.Fprintf(&b, "  %s([%s])\n", gr.ids[ep.String()], mermaidQuote(ep.String()))
	}
	for _, e := range gr.edges {
		arrow := "-->"
		if !e.sure {
			arrow = "-.->"
		}
		fmt.Fprintf(&b, "  %s %s|%s| %s\n", e.from, arrow, mermaidQuote(e.label), e.to)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidQuote returns a Mermaid string of s, which may hold anything: a
// control character (a line break would end the statement) is escaped
// (safeCell), then a quote is written as an entity.
func mermaidQuote(s string) string {
	return `"` + strings.ReplaceAll(safeCell(s), `"`, "#quot;") + `"`
}
