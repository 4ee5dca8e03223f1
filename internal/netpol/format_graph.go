package netpol

import (
	"fmt"
	"io"
	"strings"
)

// graph is the grid as nodes grouped by namespace and edges for the
// connections that are not denied.
type graph struct {
	groups []nodeGroup
	pseudo []Endpoint
	edges  []edge
	ids    map[string]string // endpoint → node ID
}

type nodeGroup struct {
	namespace string
	nodes     []Endpoint
}

type edge struct {
	from, to string // node IDs
	label    string
	sure     bool // false: the connection may be possible
}

func graphOf(g *Grid) *graph {
	gr := &graph{ids: map[string]string{}}
	group := map[string]int{}
	for _, ep := range endpointsOf(g) {
		if ep.Pod == nil {
			gr.ids[ep.String()] = strings.ReplaceAll(ep.String(), "-", "_")
			gr.pseudo = append(gr.pseudo, ep)
			continue
		}
		gr.ids[ep.String()] = fmt.Sprintf("n%d", len(gr.ids))
		ns := ep.Pod.Namespace.Name
		i, ok := group[ns]
		if !ok {
			i = len(gr.groups)
			group[ns] = i
			gr.groups = append(gr.groups, nodeGroup{namespace: ns})
		}
		gr.groups[i].nodes = append(gr.groups[i].nodes, ep)
	}
	for i := range g.From {
		for j := range g.To {
			r, ok := g.Cell(i, j)
			if !ok || r.Verdict == Denied {
				continue
			}
			gr.edges = append(gr.edges, edge{from: gr.ids[r.From.String()], to: gr.ids[r.To.String()], label: cellText(r), sure: r.Verdict == Allowed})
		}
	}
	return gr
}

// WriteDOT writes the grid as a Graphviz digraph: workloads grouped by
// namespace, an edge per connection that is not denied (dashed when it
// is only possible), labelled with its ports.
func (g *Grid) WriteDOT(w io.Writer) error {
	gr := graphOf(g)
	var b strings.Builder
	b.WriteString("digraph reach {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n")
	for i, grp := range gr.groups {
		fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s;\n", i, dotQuote("namespace "+grp.namespace))
		for _, ep := range grp.nodes {
			fmt.Fprintf(&b, "    %s [label=%s];\n", gr.ids[ep.String()], dotQuote(ep.Pod.Name+"\n"+ep.Pod.Kind))
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

func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// WriteMermaid writes the grid as a Mermaid flowchart, laid out like the
// DOT output.
func (g *Grid) WriteMermaid(w io.Writer) error {
	gr := graphOf(g)
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

func mermaidQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"` }
