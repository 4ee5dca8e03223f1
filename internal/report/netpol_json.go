package report

import (
	"encoding/json"
	"io"

	"github.com/kube4c/kube4c/internal/netpol"
)

// The JSON shape of netpol reach.
type (
	reachJSON struct {
		Endpoints   []reachEndpointJSON   `json:"endpoints"`
		Connections []reachConnectionJSON `json:"connections"`
		Policies    int                   `json:"policies"`
		Notes       []string              `json:"notes,omitempty"`
	}
	reachEndpointJSON struct {
		ID        string `json:"id"`
		Kind      string `json:"kind"`
		Namespace string `json:"namespace,omitempty"`
		Name      string `json:"name"`
		// Isolated lists the directions policies isolate the workload in.
		Isolated []string `json:"isolated,omitempty"`
	}
	reachConnectionJSON struct {
		From    string             `json:"from"`
		To      string             `json:"to"`
		Verdict netpol.Decision    `json:"verdict"`
		Ports   []netpol.PortRange `json:"ports,omitempty"`
		Unknown []netpol.PortRange `json:"unknownPorts,omitempty"`
		Partial bool               `json:"partialInternet,omitempty"`
	}
)

// writeReachJSON writes the endpoints and every connection that is not
// denied (pairs that are not listed are denied).
func writeReachJSON(w io.Writer, g *netpol.Grid) error {
	out := reachJSON{Endpoints: []reachEndpointJSON{}, Connections: []reachConnectionJSON{}, Policies: g.Policies, Notes: g.Notes}
	for _, ep := range endpointsOf(g) {
		je := reachEndpointJSON{ID: ep.String(), Kind: "pseudo", Name: ep.String()}
		if p := ep.Pod; p != nil {
			je.Kind, je.Namespace, je.Name = p.Kind, p.Namespace.Name, p.Name
			for _, d := range []netpol.Direction{netpol.Ingress, netpol.Egress} {
				if p.Isolated(d) {
					je.Isolated = append(je.Isolated, d.String())
				}
			}
		}
		out.Endpoints = append(out.Endpoints, je)
	}
	for i := range g.From {
		for j := range g.To {
			r, ok := g.Cell(i, j)
			if !ok || r.Verdict == netpol.Denied {
				continue
			}
			out.Connections = append(out.Connections, reachConnectionJSON{From: r.From.String(), To: r.To.String(), Verdict: r.Verdict,
				Ports: r.Ports.Ranges(), Unknown: r.Unknown.Ranges(), Partial: r.Partial})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
