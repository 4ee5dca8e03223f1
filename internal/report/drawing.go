package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kube4c/kube4c/internal/netpol"
)

// drawing is a graph as the DOT and Mermaid formats draw it: boxes grouped
// under a label (a namespace), loose nodes drawn as ellipses (the internet,
// an entry point, a target), and edges that are sure or only possible.
type drawing struct {
	// name is the DOT graph's name.
	name   string
	groups []drawGroup
	loose  []drawNode
	edges  []drawEdge
}

type drawGroup struct {
	label string
	nodes []drawNode
}

// drawNode is a node: its ID in the output and its label's lines (Mermaid
// shows the first).
type drawNode struct {
	id    string
	lines []string
}

type drawEdge struct {
	from, to string // node IDs
	label    string
	sure     bool // false: the step may be possible
}

// reachDrawing draws a reach grid: workloads grouped by namespace, the
// pseudo-endpoints loose, an edge per connection that is not denied,
// labelled with its ports.
func reachDrawing(g *netpol.Grid) *drawing {
	d := &drawing{name: "reach"}
	ids := map[string]string{}
	group := map[string]int{}
	for _, ep := range endpointsOf(g) {
		if ep.Pod == nil {
			ids[ep.String()] = strings.ReplaceAll(ep.String(), "-", "_")
			d.loose = append(d.loose, drawNode{id: ids[ep.String()], lines: []string{ep.String()}})
			continue
		}
		ids[ep.String()] = fmt.Sprintf("n%d", len(ids))
		ns := ep.Pod.Namespace.Name
		i, ok := group[ns]
		if !ok {
			i = len(d.groups)
			group[ns] = i
			d.groups = append(d.groups, drawGroup{label: "namespace " + ns})
		}
		d.groups[i].nodes = append(d.groups[i].nodes, drawNode{id: ids[ep.String()], lines: []string{ep.Pod.Name, ep.Pod.Kind}})
	}
	for i := range g.From {
		for j := range g.To {
			r, ok := g.Cell(i, j)
			if !ok || r.Verdict == netpol.Denied {
				continue
			}
			d.edges = append(d.edges, drawEdge{from: ids[r.From.String()], to: ids[r.To.String()], label: cellText(r), sure: r.Verdict == netpol.Allowed})
		}
	}
	return d
}

// writeDOT writes a drawing as a Graphviz digraph: groups as clusters,
// loose nodes as dashed ellipses, possible edges dashed.
func writeDOT(w io.Writer, d *drawing) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n", d.name)
	for i, grp := range d.groups {
		fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s;\n", i, dotQuote(grp.label))
		for _, n := range grp.nodes {
			fmt.Fprintf(&b, "    %s [label=%s];\n", n.id, dotQuote(n.lines...))
		}
		b.WriteString("  }\n")
	}
	for _, n := range d.loose {
		fmt.Fprintf(&b, "  %s [label=%s, shape=ellipse, style=dashed];\n", n.id, dotQuote(n.lines...))
	}
	for _, e := range d.edges {
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

// writeMermaid writes a drawing as a Mermaid flowchart, laid out like the
// DOT output.
func writeMermaid(w io.Writer, d *drawing) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i, grp := range d.groups {
		fmt.Fprintf(&b, "  subgraph ns%d[%s]\n", i, mermaidQuote(grp.label))
		for _, n := range grp.nodes {
			fmt.Fprintf(&b, "    %s[%s]\n", n.id, mermaidQuote(n.lines[0]))
		}
		b.WriteString("  end\n")
	}
	for _, n := range d.loose {
		fmt.Fprintf(&b, "  %s([%s])\n", n.id, mermaidQuote(n.lines[0]))
	}
	for _, e := range d.edges {
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
