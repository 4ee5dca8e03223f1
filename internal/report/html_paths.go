package report

import (
	"io"
	"time"
)

// htmlPathsMax is how many paths the paths page lists; -o json has all.
const htmlPathsMax = 300

// htmlPathsPage is what the paths page shows.
type htmlPathsPage struct {
	Title     string
	Tool      Tool
	Generated string
	Head      htmlHead
	Nodes     int
	Edges     int
	Total     int
	Possible  int
	Objects   int
	Graph     htmlGraph
	Fixes     []htmlFix
	Paths     []htmlPath
	More      int
	Errors    htmlProblems
	Warnings  htmlProblems
}

// htmlFix is a choke point: the finding to fix and how many paths it cuts.
type htmlFix struct {
	Evidence, Message, Fix string
	Cuts                   int
}

// htmlPath is one attack path with its steps.
type htmlPath struct {
	From, Target string
	Steps        int
	Possible     bool
	Hops         []htmlHop
}

// htmlHop is one step of a path, with the evidence that makes it.
type htmlHop struct {
	From, Step, To string
	Possible       bool
	Evidence       []string
}

// renderPathsHTML writes kube4c paths as one self-contained page, without
// script: the graph of the steps the paths take (SVG), the fixes that cut
// the most paths, each path with the evidence of every step, and the
// input's problems.
func renderPathsHTML(w io.Writer, r *PathsReport) error {
	head, err := newHTMLHead("")
	if err != nil {
		return err
	}
	g := r.Graph
	nodes, edges := g.Nodes(), g.Edges()
	p := &htmlPathsPage{Title: "kube4c attack paths", Tool: r.Tool, Generated: time.Now().UTC().Format("2006-01-02 15:04 MST"), Head: head,
		Nodes: len(nodes), Edges: len(edges), Total: len(r.Paths), Objects: r.Objects, Graph: layoutPaths(r),
		Errors: newHTMLProblems(r.Errors), Warnings: newHTMLProblems(r.Warnings)}
	for _, c := range r.ChokePoints {
		fix := htmlFix{Evidence: evidenceLines(g, c.Edges)[0], Fix: r.remediation(c.Evidence), Cuts: c.Cuts}
		if f := c.Evidence.Finding; f != nil {
			fix.Message = f.Message
		}
		p.Fixes = append(p.Fixes, fix)
	}
	for n, path := range r.Paths {
		if path.Possible {
			p.Possible++
		}
		if n >= htmlPathsMax {
			p.More++
			continue
		}
		hp := htmlPath{From: nodes[path.From].Label, Target: path.Target, Steps: path.Steps, Possible: path.Possible}
		for _, i := range path.Edges {
			e := edges[i]
			hp.Hops = append(hp.Hops, htmlHop{From: nodes[e.From].Label, Step: e.Step, To: nodes[e.To].Label, Possible: e.Possible,
				Evidence: evidenceLines(g, g.Parallel(i))})
		}
		p.Paths = append(p.Paths, hp)
	}
	return htmlTemplate.ExecuteTemplate(w, "paths", p)
}
