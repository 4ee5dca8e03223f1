package report

import (
	"fmt"
	"strings"

	"github.com/kube4c/kube4c/internal/netpol"
)

// reachGraph is the grid as nodes grouped by namespace and edges for the
// connections that are not denied: what the DOT and Mermaid formats draw.
type reachGraph struct {
	groups []reachNodeGroup
	pseudo []netpol.Endpoint
	edges  []reachEdge
	ids    map[string]string // endpoint → node ID
}

type reachNodeGroup struct {
	namespace string
	nodes     []netpol.Endpoint
}

type reachEdge struct {
	from, to string // node IDs
	label    string
	sure     bool // false: the connection may be possible
}

func reachGraphOf(g *netpol.Grid) *reachGraph {
	gr := &reachGraph{ids: map[string]string{}}
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
			gr.groups = append(gr.groups, reachNodeGroup{namespace: ns})
		}
		gr.groups[i].nodes = append(gr.groups[i].nodes, ep)
	}
	for i := range g.From {
		for j := range g.To {
			r, ok := g.Cell(i, j)
			if !ok || r.Verdict == netpol.Denied {
				continue
			}
			gr.edges = append(gr.edges, reachEdge{from: gr.ids[r.From.String()], to: gr.ids[r.To.String()], label: cellText(r), sure: r.Verdict == netpol.Allowed})
		}
	}
	return gr
}
