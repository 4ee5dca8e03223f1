package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/graph"
	"github.com/kube4c/kube4c/internal/source"
)

// PathsSchemaVersion names the shape of kube4c paths' JSON; within v1
// fields are only ever added (docs/paths.md).
const PathsSchemaVersion = "kube4c.io/paths/v1"

// PathsReport is what kube4c paths found.
type PathsReport struct {
	Tool        Tool
	Graph       *graph.Graph
	Paths       []graph.Path
	ChokePoints []graph.ChokePoint
	// Errors and Warnings are the input's problems.
	Errors, Warnings          []source.Problem
	Files, Documents, Objects int
	// Checks are the checks that ran, for their remediations.
	Checks []*check.Check
}

// remediation is how to fix the finding of a choke point.
func (r *PathsReport) remediation(ev graph.Evidence) string {
	if f := ev.Finding; f != nil && f.Remediation != "" {
		return f.Remediation
	}
	for _, c := range r.Checks {
		if c.ID == ev.CheckID {
			return c.Remediation
		}
	}
	return ""
}

// PathsFormats are the formats kube4c paths writes.
func PathsFormats() []string { return []string{"table", "json", "html", "dot", "mermaid", "opengraph"} }

// RenderPaths writes r in format.
func RenderPaths(format string, w io.Writer, r *PathsReport) error {
	switch format {
	case "table":
		return renderPathsText(w, r)
	case "json":
		return renderPathsJSON(w, r)
	case "html":
		return renderPathsHTML(w, r)
	case "dot":
		return writePathsDOT(w, r)
	case "mermaid":
		return writePathsMermaid(w, r)
	case "opengraph":
		return writePathsOpenGraph(w, r)
	}
	return fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(PathsFormats(), ", "))
}

// renderPathsText writes each path as a chain, a line per step with the
// evidence below, then the fixes that cut the most paths.
func renderPathsText(w io.Writer, r *PathsReport) error {
	bw := bufio.NewWriter(w)
	g := r.Graph
	nodes, edges := g.Nodes(), g.Edges()
	for n, p := range r.Paths {
		possible := ""
		if p.Possible {
			possible = ", possible"
		}
		fmt.Fprintf(bw, "PATH %d  %s => %s  (%d steps%s)\n", n+1, SafeText(nodes[p.From].Label), SafeText(p.Target), p.Steps, possible)
		for s, i := range p.Edges {
			e := edges[i]
			mark := ""
			if e.Possible {
				mark = "  (possible)"
			}
			fmt.Fprintf(bw, "  %d. %s  %s  %s%s\n", s+1, SafeText(nodes[e.From].Label), e.Step, SafeText(nodes[e.To].Label), mark)
			for _, line := range evidenceLines(g, g.Parallel(i)) {
				fmt.Fprintf(bw, "       %s\n", line)
			}
		}
		bw.WriteByte('\n')
	}
	if len(r.ChokePoints) > 0 {
		fmt.Fprintln(bw, "FIX THESE FIRST (each cuts the most of the paths left)")
		for n, c := range r.ChokePoints {
			fmt.Fprintf(bw, "  %d. %s  cuts %d %s\n", n+1, evidenceLines(g, c.Edges)[0], c.Cuts, plural(c.Cuts, "path", "paths"))
			if f := c.Evidence.Finding; f != nil {
				fmt.Fprintf(bw, "     %s\n", SafeText(f.Message))
			}
			if fix := r.remediation(c.Evidence); fix != "" {
				fmt.Fprintf(bw, "     fix: %s\n", SafeText(fix))
			}
		}
		bw.WriteByte('\n')
	}
	for _, e := range r.Errors {
		fmt.Fprintf(bw, "error: %s\n", SafeText(e.Error()))
	}
	possible := 0
	for _, p := range r.Paths {
		if p.Possible {
			possible++
		}
	}
	fmt.Fprintf(bw, "%d attack %s (%d possible: a step depends on what the inputs do not say) over %d nodes and %d edges, from %d objects.\n",
		len(r.Paths), plural(len(r.Paths), "path", "paths"), possible, len(nodes), len(edges), r.Objects)
	return bw.Flush()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// evidenceLines words the evidence of edges, a line per object and field
// with the checks that report it.
func evidenceLines(g *graph.Graph, edges []int) []string {
	var lines []string
	checks := map[string][]string{}
	for _, i := range edges {
		ev := g.Edges()[i].Evidence
		line := evidenceLine(ev)
		if _, ok := checks[line]; !ok {
			lines = append(lines, line)
		}
		if ev.CheckID != "" && !slices.Contains(checks[line], ev.CheckID) {
			checks[line] = append(checks[line], ev.CheckID)
		}
	}
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		if ids := checks[line]; len(ids) > 0 {
			line = "[" + strings.Join(ids, ", ") + "]  " + line
		}
		if line != "" {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		out = append(out, "")
	}
	return out
}

// evidenceLine words where a step comes from: the object, the place and
// the field (evidenceLines adds the checks).
func evidenceLine(ev graph.Evidence) string {
	var parts []string
	if ev.Object != nil {
		parts = append(parts, SafeText(ev.Object.Ref().String()))
	}
	if ev.Location.File != "" {
		parts = append(parts, SafeText(ev.Location.String()))
	}
	if ev.Path != "" {
		parts = append(parts, SafeText(ev.Path))
	}
	return strings.Join(parts, "  ")
}

// JSONPaths is the document kube4c paths -o json writes.
type JSONPaths struct {
	SchemaVersion string           `json:"schemaVersion"`
	Tool          JSONTool         `json:"tool"`
	Summary       JSONPathsSummary `json:"summary"`
	Paths         []JSONPath       `json:"paths"`
	ChokePoints   []JSONChokePoint `json:"chokePoints"`
	InputErrors   []JSONProblem    `json:"inputErrors"`
	Warnings      []JSONProblem    `json:"warnings"`
}

// JSONPathsSummary counts the graph and its paths.
type JSONPathsSummary struct {
	Nodes         int `json:"nodes"`
	Edges         int `json:"edges"`
	Paths         int `json:"paths"`
	PossiblePaths int `json:"possiblePaths"`
	Files         int `json:"files"`
	Documents     int `json:"documents"`
	Objects       int `json:"objects"`
}

// JSONPath is one attack path.
type JSONPath struct {
	// From is the entry's node ID, Target the target's name.
	From     string `json:"from"`
	Target   string `json:"target"`
	Cost     int    `json:"cost"`
	Possible bool   `json:"possible"`
	// Hops are the steps in order, through group nodes too.
	Hops []JSONHop `json:"hops"`
}

// JSONHop is one step of a path: from a node to the next, for the
// reasons its evidence lists.
type JSONHop struct {
	From      string         `json:"from"`
	FromLabel string         `json:"fromLabel"`
	To        string         `json:"to"`
	ToLabel   string         `json:"toLabel"`
	Step      string         `json:"step"`
	Possible  bool           `json:"possible"`
	Evidence  []JSONEvidence `json:"evidence"`
}

// JSONEvidence is what makes a step: a check's finding or a field.
type JSONEvidence struct {
	CheckID  string        `json:"checkId,omitempty"`
	Object   *JSONObject   `json:"object,omitempty"`
	Path     string        `json:"path,omitempty"`
	Location *JSONLocation `json:"location,omitempty"`
	Message  string        `json:"message,omitempty"`
}

// JSONChokePoint is a fix that cuts paths.
type JSONChokePoint struct {
	JSONEvidence
	Remediation string `json:"remediation,omitempty"`
	Cuts        int    `json:"cuts"`
}

func jsonEvidence(ev graph.Evidence) JSONEvidence {
	out := JSONEvidence{CheckID: ev.CheckID, Object: jsonObject(ev.Object), Path: ev.Path, Location: jsonLocation(ev.Location)}
	if ev.Finding != nil {
		out.Message = ev.Finding.Message
	}
	return out
}

// renderPathsJSON writes the JSONPaths document.
func renderPathsJSON(w io.Writer, r *PathsReport) error {
	g := r.Graph
	nodes, edges := g.Nodes(), g.Edges()
	doc := JSONPaths{SchemaVersion: PathsSchemaVersion, Tool: JSONTool{Name: r.Tool.Name, Version: r.Tool.Version, URI: r.Tool.URI},
		Summary: JSONPathsSummary{Nodes: len(nodes), Edges: len(edges), Paths: len(r.Paths), Files: r.Files, Documents: r.Documents, Objects: r.Objects},
		Paths:   []JSONPath{}, ChokePoints: []JSONChokePoint{}, InputErrors: jsonProblems(r.Errors), Warnings: jsonProblems(r.Warnings)}
	for _, p := range r.Paths {
		if p.Possible {
			doc.Summary.PossiblePaths++
		}
		jp := JSONPath{From: nodes[p.From].ID, Target: p.Target, Cost: p.Cost, Possible: p.Possible}
		for _, i := range p.Edges {
			e := edges[i]
			hop := JSONHop{From: nodes[e.From].ID, FromLabel: nodes[e.From].Label, To: nodes[e.To].ID, ToLabel: nodes[e.To].Label,
				Step: e.Step, Possible: e.Possible}
			for _, j := range g.Parallel(i) {
				hop.Evidence = append(hop.Evidence, jsonEvidence(edges[j].Evidence))
			}
			jp.Hops = append(jp.Hops, hop)
		}
		doc.Paths = append(doc.Paths, jp)
	}
	for _, c := range r.ChokePoints {
		jc := JSONChokePoint{JSONEvidence: jsonEvidence(c.Evidence), Cuts: c.Cuts, Remediation: r.remediation(c.Evidence)}
		doc.ChokePoints = append(doc.ChokePoints, jc)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
