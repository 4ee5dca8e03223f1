package netpol

import (
	"encoding/json"
	"io"
)

type jsonGrid struct {
	Endpoints   []jsonEndpoint   `json:"endpoints"`
	Connections []jsonConnection `json:"connections"`
	Policies    int              `json:"policies"`
	Notes       []string         `json:"notes,omitempty"`
}

type jsonEndpoint struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// Isolated lists the directions policies isolate the workload in.
	Isolated []string `json:"isolated,omitempty"`
}

type jsonConnection struct {
	From    string      `json:"from"`
	To      string      `json:"to"`
	Verdict Decision    `json:"verdict"`
	Ports   []PortRange `json:"ports,omitempty"`
	Unknown []PortRange `json:"unknownPorts,omitempty"`
	Partial bool        `json:"partialInternet,omitempty"`
}

// WriteJSON writes the endpoints and every connection that is not denied
// (pairs that are not listed are denied).
func (g *Grid) WriteJSON(w io.Writer) error {
	out := jsonGrid{Endpoints: []jsonEndpoint{}, Connections: []jsonConnection{}, Policies: g.Policies, Notes: g.Notes}
	for _, ep := range endpointsOf(g) {
		je := jsonEndpoint{ID: ep.String(), Kind: "pseudo", Name: ep.String()}
		if p := ep.Pod; p != nil {
			je.Kind, je.Namespace, je.Name = p.Kind, p.Namespace.Name, p.Name
			for _, d := range []Direction{Ingress, Egress} {
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
			if !ok || r.Verdict == Denied {
				continue
			}
			out.Connections = append(out.Connections, jsonConnection{From: r.From.String(), To: r.To.String(), Verdict: r.Verdict,
				Ports: r.Ports.Ranges(), Unknown: r.Unknown.Ranges(), Partial: r.Partial})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// endpointsOf returns the endpoints of the rows and columns, each once,
// rows first.
func endpointsOf(g *Grid) []Endpoint {
	seen := map[string]bool{}
	var out []Endpoint
	for _, list := range [][]Endpoint{g.From, g.To} {
		for _, ep := range list {
			if !seen[ep.String()] {
				seen[ep.String()] = true
				out = append(out, ep)
			}
		}
	}
	return out
}
