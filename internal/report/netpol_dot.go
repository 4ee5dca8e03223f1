package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kube4c/kube4c/internal/netpol"
)

// writeReachDOT writes the grid as a Graphviz digraph: workloads grouped
// by namespace, an edge per connection that is not denied (dashed when it
// is only possible), labelled with its ports.
func writeReachDOT(w io.Writer, g *netpol.Grid) error {
	gr := reachGraphOf(g)
	var b strings.Builder
	b.WriteString("digraph reach {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n")
	for i, grp := range gr.groups {
		fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s;\n", i, dotQuote("namespace "+grp.namespace))
		for _, ep := range grp.nodes {
			fmt.Fprintf(&b, "    %s [label=%s];\n", gr.ids[ep.String()], dotQuote(ep.Pod.Name, ep.Pod.Kind))
		}
		b.WriteString("  }\n")
	}
	for _, ep := range gr.pseudo {
		fmt.Fprintf(&b, "  %s [label=%s, shape=ellipse, style=dashed];\n", gr.ids[ep.String()], dotQuote(ep.String()))
	}
	for _, e := range gr.edges {
		style := ""
		if !e.sure {
			style = ", style=dashed"
		}
		fmt.Fprintf(&b, "  %s -> %s [label=%s%s];\n", e.from, e.to, dotQuote(e.label), style)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// dotQuote returns a DOT string of the lines, which may hold anything: a
// control character, tab included, is escaped (safeCell) so that printing the graph
// cannot drive a terminal, then a backslash or quote is escaped for DOT.
func dotQuote(lines ...string) string {
	quoted := make([]string, len(lines))
	for i, l := range lines {
		quoted[i] = dotEscaper.Replace(safeCell(l))
	}
	return `"` + strings.Join(quoted, `\n`) + `"`
}

var dotEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)
