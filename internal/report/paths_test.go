package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kube4c/kube4c/internal/graph"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/report"
)

// examplesPaths is the paths report of examples/.
func examplesPaths(t *testing.T) *report.PathsReport {
	t.Helper()
	plan, err := pipeline.NewPlan(pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := plan.Analyze(context.Background(), pipeline.Request{Source: pipeline.Files{Paths: []string{"../../examples"}}})
	if err != nil {
		t.Fatal(err)
	}
	g := graph.Build(a.Inventory, a.Engines, append(a.Kept, a.Suppressed...))
	paths, err := g.Paths(graph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &report.PathsReport{Tool: report.Tool{Name: "kube4c"}, Graph: g, Paths: paths, ChokePoints: g.ChokePoints(paths, 0), Checks: plan.Checks()}
}

// The OpenGraph payload of examples/ validates against the schemas
// BloodHound CE checks uploads with: every node, every edge, the
// metadata; and its edges join nodes it holds.
func TestPathsOpenGraphValidates(t *testing.T) {
	var out bytes.Buffer
	if err := report.RenderPaths("opengraph", &out, examplesPaths(t)); err != nil {
		t.Fatal(err)
	}
	schemas := map[string]*jsonschema.Schema{}
	for _, name := range []string{"node", "edge", "metadata"} {
		s, err := jsonschema.NewCompiler().Compile("testdata/opengraph/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		schemas[name] = s
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	top := doc.(map[string]any)
	if err := schemas["metadata"].Validate(top["metadata"]); err != nil {
		t.Errorf("metadata: %v", err)
	}
	g := top["graph"].(map[string]any)
	ids := map[string]bool{}
	for _, n := range g["nodes"].([]any) {
		if err := schemas["node"].Validate(n); err != nil {
			t.Errorf("node %v: %v", n, err)
		}
		ids[n.(map[string]any)["id"].(string)] = true
	}
	edges := g["edges"].([]any)
	if len(edges) == 0 || len(ids) == 0 {
		t.Fatalf("an empty graph: %s", out.String())
	}
	kinds := map[string]bool{}
	for _, e := range edges {
		if err := schemas["edge"].Validate(e); err != nil {
			t.Errorf("edge %v: %v", e, err)
		}
		m := e.(map[string]any)
		kinds[m["kind"].(string)] = true
		for _, end := range []string{"start", "end"} {
			if id := m[end].(map[string]any)["value"].(string); !ids[id] {
				t.Errorf("edge %s %s %q is not a node of the payload", m["kind"], end, id)
			}
		}
	}
	for _, want := range []string{"K4CEscapesTo", "K4CHoldsTheTokenOf", "K4CIsLetInBy"} {
		if !kinds[want] {
			t.Errorf("no %s edge among %v", want, kinds)
		}
	}
	var raw struct {
		Metadata struct {
			SourceKind string `json:"source_kind"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil || raw.Metadata.SourceKind != "Kube4c" {
		t.Errorf("source kind %q, %v", raw.Metadata.SourceKind, err)
	}
}

// The DOT drawing of examples/ renders with Graphviz (CI installs it: a
// missing dot is a failure), and Mermaid draws the same steps.
func TestPathsDrawingsRender(t *testing.T) {
	r := examplesPaths(t)
	var dot, mermaid bytes.Buffer
	if err := report.RenderPaths("dot", &dot, r); err != nil {
		t.Fatal(err)
	}
	if err := report.RenderPaths("mermaid", &mermaid, r); err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("dot")
	if err != nil {
		t.Fatalf("Graphviz's dot is not installed (apt-get install -y graphviz): %v", err)
	}
	cmd := exec.Command(bin, "-Tsvg")
	cmd.Stdin = &dot
	var svg, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &svg, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("dot -Tsvg: %v %s\n%s", err, stderr.String(), dot.String())
	}
	for _, want := range []string{"<svg", "namespace ci", "cluster&#45;admin", "escapes to [privileged&#45;container]"} {
		if !strings.Contains(svg.String(), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	for _, want := range []string{"flowchart LR", `subgraph ns`, `"namespace ci"`, `-->|"holds the token of [service-account-token-automount]"|`, `-.->|"borrows through the metadata API`} {
		if !strings.Contains(mermaid.String(), want) {
			t.Errorf("Mermaid lacks %q:\n%s", want, mermaid.String())
		}
	}
}

// The JSON of examples/ matches docs/paths.schema.json.
func TestPathsJSONMatchesSchema(t *testing.T) {
	var out bytes.Buffer
	if err := report.RenderPaths("json", &out, examplesPaths(t)); err != nil {
		t.Fatal(err)
	}
	schema, err := jsonschema.NewCompiler().Compile("../../docs/paths.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Errorf("paths JSON does not match its schema: %v", err)
	}
	if !strings.Contains(out.String(), `"chokePoints": [`) || strings.Contains(out.String(), `"paths": []`) {
		t.Errorf("examples/ have paths and fixes: %s", out.String()[:min(400, out.Len())])
	}
}

// The paths page of examples/: the graph drawn by kube4c, every path
// listed, the fixes, and no script.
func TestPathsHTML(t *testing.T) {
	r := examplesPaths(t)
	var out bytes.Buffer
	if err := report.RenderPaths("html", &out, r); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	if n := strings.Count(page, `<details class="path"`); n != len(r.Paths) || n == 0 {
		t.Errorf("%d paths listed, want %d", n, len(r.Paths))
	}
	for _, want := range []string{`<svg id="graph"`, `class="node kind-entry"`, `class="node kind-cluster-admin target"`, "Fix these first",
		"script-src &#39;none&#39;"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("the paths page has a script")
	}
}

// The steps' labels on the paths page's graph cover neither the boxes
// nor each other: a label with no free place along its step is left out,
// and most are drawn.
func TestPathsGraphLabelsDoNotOverlap(t *testing.T) {
	var out bytes.Buffer
	if err := report.RenderPaths("html", &out, examplesPaths(t)); err != nil {
		t.Fatal(err)
	}
	page := html.UnescapeString(out.String())
	type box struct{ left, top, right, bottom int }
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	var boxes []box
	for _, m := range regexp.MustCompile(`<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"`).FindAllStringSubmatch(page, -1) {
		x, y := num(m[1]), num(m[2])
		boxes = append(boxes, box{x, y, x + num(m[3]), y + num(m[4])})
	}
	nodes := len(boxes)
	// 11px text centred on its anchor: about 6px a character, 10px above
	// the baseline and 3px below.
	labels := regexp.MustCompile(`<text x="(\d+)" y="(\d+)" text-anchor="middle">([^<]*)</text>`).FindAllStringSubmatch(page, -1)
	steps := strings.Count(page, `marker-end="url(#arrow)"`)
	if nodes == 0 || steps == 0 || 2*len(labels) < steps {
		t.Fatalf("%d boxes, %d steps, %d labels: the graph is missing or most labels are", nodes, steps, len(labels))
	}
	for _, m := range labels {
		x, y, half := num(m[1]), num(m[2]), (6*len([]rune(m[3]))+4)/2
		b := box{x - half, y - 10, x + half, y + 3}
		for i, o := range boxes {
			if b.left < o.right && o.left < b.right && b.top < o.bottom && o.top < b.bottom {
				what := "box"
				if i >= nodes {
					what = "label"
				}
				t.Errorf("the label %q at %d,%d covers a %s at %v", m[3], x, y, what, o)
			}
		}
		boxes = append(boxes, b)
	}
}
