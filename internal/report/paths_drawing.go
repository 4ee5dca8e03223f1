package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// writePathsDOT writes the paths as a Graphviz digraph.
func writePathsDOT(w io.Writer, r *PathsReport) error { return writeDOT(w, pathsDrawing(r)) }

// writePathsMermaid writes the paths as a Mermaid flowchart.
func writePathsMermaid(w io.Writer, r *PathsReport) error { return writeMermaid(w, pathsDrawing(r)) }

// pathsDrawing draws the nodes and steps the paths take: a namespace's
// nodes grouped, the entries and what spans the cluster (cluster-admin,
// the nodes, the cloud identity, users and groups) loose, and an edge per
// step, labelled with what the attacker does and the checks that make it,
// dashed when it is only possible.
func pathsDrawing(r *PathsReport) *drawing {
	g := r.Graph
	nodes, edges := g.Nodes(), g.Edges()
	d := &drawing{name: "paths"}
	ids := map[int]string{}
	groups := map[string]int{}
	add := func(n int) string {
		if id, ok := ids[n]; ok {
			return id
		}
		id := fmt.Sprintf("n%d", len(ids))
		ids[n] = id
		node := drawNode{id: id, lines: []string{nodes[n].Label}}
		ns := nodes[n].Namespace
		if ns == "" || nodes[n].Kind == "entry" {
			d.loose = append(d.loose, node)
			return id
		}
		i, ok := groups[ns]
		if !ok {
			i = len(d.groups)
			groups[ns] = i
			d.groups = append(d.groups, drawGroup{label: "namespace " + ns})
		}
		d.groups[i].nodes = append(d.groups[i].nodes, node)
		return id
	}
	drawn := map[int]bool{}
	for _, p := range r.Paths {
		add(p.From)
		for _, i := range p.Edges {
			if drawn[i] {
				continue
			}
			drawn[i] = true
			e := edges[i]
			var checks []string
			for _, j := range g.Parallel(i) {
				if id := edges[j].Evidence.CheckID; id != "" && !slices.Contains(checks, id) {
					checks = append(checks, id)
				}
			}
			label := e.Step
			if len(checks) > 0 {
				label += " [" + strings.Join(checks, ", ") + "]"
			}
			d.edges = append(d.edges, drawEdge{from: add(e.From), to: add(e.To), label: label, sure: !e.Possible})
		}
	}
	return d
}
