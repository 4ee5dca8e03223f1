package report

import (
	"encoding/json"
	"io"
	"strings"
	"unicode"

	"github.com/kube4c/kube4c/internal/graph"
)

// openGraphSource is the source kind of kube4c's OpenGraph payloads, and
// every node's second kind.
const openGraphSource = "Kube4c"

// openGraph is BloodHound CE's generic ingest (OpenGraph) payload.
type openGraph struct {
	Metadata struct {
		SourceKind string `json:"source_kind"`
	} `json:"metadata"`
	Graph struct {
		Nodes []openGraphNode `json:"nodes"`
		Edges []openGraphEdge `json:"edges"`
	} `json:"graph"`
}

type openGraphNode struct {
	ID         string         `json:"id"`
	Kinds      []string       `json:"kinds"`
	Properties map[string]any `json:"properties"`
}

type openGraphEdge struct {
	Start      openGraphEnd   `json:"start"`
	End        openGraphEnd   `json:"end"`
	Kind       string         `json:"kind"`
	Properties map[string]any `json:"properties"`
}

type openGraphEnd struct {
	MatchBy string `json:"match_by"`
	Value   string `json:"value"`
}

// writePathsOpenGraph writes the nodes and steps of the paths (every
// reason of a step an edge of its own) as an OpenGraph payload that
// BloodHound CE ingests: nodes by their kube4c IDs, kinds prefixed K4C.
func writePathsOpenGraph(w io.Writer, r *PathsReport) error {
	g := r.Graph
	nodes, edges := g.Nodes(), g.Edges()
	var doc openGraph
	doc.Metadata.SourceKind = openGraphSource
	doc.Graph.Nodes, doc.Graph.Edges = []openGraphNode{}, []openGraphEdge{}
	added := map[int]bool{}
	addNode := func(i int) {
		if added[i] {
			return
		}
		added[i] = true
		n := nodes[i]
		props := map[string]any{"name": n.Label, "displayname": n.Label, "objectid": n.ID}
		if n.Namespace != "" {
			props["namespace"] = n.Namespace
		}
		if n.Object != nil {
			props["kube_kind"], props["kube_name"] = n.Object.Kind(), n.Object.Name()
		}
		doc.Graph.Nodes = append(doc.Graph.Nodes, openGraphNode{ID: n.ID, Kinds: []string{openGraphKind(n), openGraphSource}, Properties: props})
	}
	drawn := map[int]bool{}
	for _, p := range r.Paths {
		addNode(p.From)
		for _, i := range p.Edges {
			for _, j := range g.Parallel(i) {
				if drawn[j] {
					continue
				}
				drawn[j] = true
				e := edges[j]
				addNode(e.From)
				addNode(e.To)
				props := map[string]any{"step": e.Step, "possible": e.Possible, "cost": e.Cost}
				if ev := e.Evidence; ev.CheckID != "" {
					props["check_id"] = ev.CheckID
				}
				if ev := e.Evidence; ev.Object != nil {
					props["object"] = ev.Object.Ref().String()
				}
				if ev := e.Evidence; ev.Path != "" {
					props["field"] = ev.Path
				}
				if ev := e.Evidence; ev.Location.File != "" {
					props["location"] = ev.Location.String()
				}
				doc.Graph.Edges = append(doc.Graph.Edges, openGraphEdge{Start: openGraphEnd{MatchBy: "id", Value: nodes[e.From].ID},
					End: openGraphEnd{MatchBy: "id", Value: nodes[e.To].ID}, Kind: "K4C" + pascal(e.Step), Properties: props})
			}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// openGraphKind is a node's primary kind: what it stands for.
func openGraphKind(n graph.Node) string {
	prefix, _, _ := strings.Cut(n.ID, ":")
	switch prefix {
	case "service":
		return "K4CService"
	case "ingress":
		return "K4CIngress"
	case "sa":
		return "K4CServiceAccount"
	case "user":
		return "K4CUser"
	case "group":
		return "K4CGroup"
	case "pod-network":
		return "K4CPodNetwork"
	}
	return "K4C" + pascal(string(n.Kind))
}

// pascal turns words ("escapes to", "cloud-identity") into PascalCase of
// letters and digits only ("EscapesTo", "CloudIdentity").
func pascal(s string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII }) {
		b.WriteString(strings.ToUpper(word[:1]) + word[1:])
	}
	return b.String()
}
