package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kube4c/kube4c/internal/graph"
)

// The attack graph of the paths page, laid out in layers from left to
// right: each node in the column of the earliest step at which a path
// reaches it (the entries first), nodes ordered within their column to
// keep the steps between columns from crossing, and each step drawn as a
// curve from one node to the next. The layout is computed here, so that
// the page needs no script and the binary no Graphviz.
const (
	graphNodeMinW = 140
	graphNodeMaxW = 300 // a longer label is cut; the whole is in its tooltip
	graphCharW    = 7   // the width of a character of a label, about
	graphNodeH    = 40
	graphGapX     = 110
	graphGapY     = 26
	graphMargin   = 20
	graphSideRoom = 60 // right of the last column, for steps within it
	// graphNodesMax is the most nodes drawn: the paths are drawn in order
	// until the next would add more.
	graphNodesMax = 160
)

// htmlGraph is the drawn graph.
type htmlGraph struct {
	Width, Height int
	Nodes         []htmlGraphNode
	Edges         []htmlGraphEdge
	// Drawn is how many of Total paths the drawing shows.
	Drawn, Total int
}

// htmlGraphNode is a box with its label.
type htmlGraphNode struct {
	X, Y, W, H   int
	TextX, TextY int
	Label, Title string
	// Kind is the graph's node kind; Target is set for the last node of a
	// path.
	Kind   string
	Target bool
}

// htmlGraphEdge is one step: a curve, dashed when only possible, and its
// label ("" when no place along the curve was free for it).
type htmlGraphEdge struct {
	D              string
	Label, Title   string
	LabelX, LabelY int
	Possible       bool
	curve          bezier
}

// bezier is a cubic Bézier curve: its start, two control points and end.
type bezier [4][2]int

// at returns the point of the curve at t (0 its start, 1 its end).
func (c bezier) at(t float64) (x, y int) {
	u := 1 - t
	w := [4]float64{u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t}
	var fx, fy float64
	for i, p := range c {
		fx += w[i] * float64(p[0])
		fy += w[i] * float64(p[1])
	}
	return int(fx + 0.5), int(fy + 0.5)
}

// path is the curve as SVG path data, ending short of its end for the
// arrowhead (by dx, dy).
func (c bezier) path(dx, dy int) string {
	return fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", c[0][0], c[0][1], c[1][0], c[1][1], c[2][0], c[2][1], c[3][0]+dx, c[3][1]+dy)
}

// The labels of the steps: 11px text (html.css) centred on its anchor,
// which sits just above the curve.
const (
	graphLabelCharW  = 6 // the width of a character of a step's label, about
	graphLabelAscent = 10
	graphLabelDepth  = 3
	graphLabelLift   = 4 // the anchor's height above the curve
)

// graphLabelAt is where along its curve a step's label may go, the middle
// first.
var graphLabelAt = []float64{0.5, 0.35, 0.65, 0.25, 0.75, 0.15, 0.85}

// box is a rectangle: its left, top, right and bottom.
type box [4]int

func (a box) overlaps(b box) bool { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3] }

// placeLabels puts each step's label, in the order the steps were drawn
// (the first paths first), at the first place along its curve where it
// covers no box and no label placed before it. A label with no such place
// is left out: it would hide another, and the step's tooltip names it.
func placeLabels(g *htmlGraph) {
	var taken []box
	for _, n := range g.Nodes {
		taken = append(taken, box{n.X, n.Y, n.X + n.W, n.Y + n.H})
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		half := (graphLabelCharW*len([]rune(e.Label)) + 4) / 2
		placed := false
		for _, t := range graphLabelAt {
			x, y := e.curve.at(t)
			y -= graphLabelLift
			b := box{x - half, y - graphLabelAscent, x + half, y + graphLabelDepth}
			if !slices.ContainsFunc(taken, b.overlaps) {
				e.LabelX, e.LabelY, placed = x, y, true
				taken = append(taken, b)
				break
			}
		}
		if !placed {
			e.Label = ""
		}
	}
}

// layoutPaths draws the nodes and steps of r's paths.
func layoutPaths(r *PathsReport) htmlGraph {
	g := r.Graph
	nodes, edges := g.Nodes(), g.Edges()
	out := htmlGraph{Total: len(r.Paths)}
	rank := map[int]int{} // graph node → column
	var order []int       // graph nodes, first seen first
	targets := map[int]bool{}
	var drawn []int // graph edges, once each
	seen := map[int]bool{}
	for _, p := range r.Paths {
		added := 0
		for _, n := range pathNodes(g, p) {
			if _, ok := rank[n]; !ok {
				added++
			}
		}
		if len(order)+added > graphNodesMax {
			break
		}
		out.Drawn++
		visit := func(n, at int) {
			if r, ok := rank[n]; !ok || at < r {
				if !ok {
					order = append(order, n)
				}
				rank[n] = at
			}
		}
		visit(p.From, 0)
		for k, i := range p.Edges {
			visit(edges[i].To, k+1)
			if !seen[i] {
				seen[i] = true
				drawn = append(drawn, i)
			}
		}
		if len(p.Edges) > 0 {
			targets[edges[p.Edges[len(p.Edges)-1]].To] = true
		}
	}
	if len(order) == 0 {
		return out
	}
	columns := orderColumns(order, rank, drawn, edges)
	rows := 0
	for _, col := range columns {
		rows = max(rows, len(col))
	}
	place := map[int]*htmlGraphNode{}
	x := graphMargin
	for _, col := range columns {
		// A column is as wide as its longest label needs.
		width := graphNodeMinW
		for _, n := range col {
			width = max(width, min(graphNodeMaxW, 20+graphCharW*len([]rune(nodes[n].Label))))
		}
		fits := (width - 20) / graphCharW
		offset := (rows - len(col)) * (graphNodeH + graphGapY) / 2
		for i, n := range col {
			y := graphMargin + offset + i*(graphNodeH+graphGapY)
			label := nodes[n].Label
			out.Nodes = append(out.Nodes, htmlGraphNode{X: x, Y: y, W: width, H: graphNodeH, TextX: x + 10, TextY: y + graphNodeH/2 + 5,
				Label: shorten(label, fits), Title: label, Kind: string(nodes[n].Kind), Target: targets[n]})
		}
		x += width + graphGapX
	}
	// The nodes were appended column by column, in the columns' order.
	for i, n := range flatten(columns) {
		place[n] = &out.Nodes[i]
	}
	for _, i := range drawn {
		out.Edges = append(out.Edges, drawGraphEdge(g, i, place[edges[i].From], place[edges[i].To]))
	}
	placeLabels(&out)
	out.Width = x - graphGapX + graphMargin + graphSideRoom
	out.Height = 2*graphMargin + rows*graphNodeH + (rows-1)*graphGapY + 60 // room for the curves of backward steps
	return out
}

// pathNodes lists the nodes of a path, the entry first.
func pathNodes(g *graph.Graph, p graph.Path) []int {
	out := []int{p.From}
	for _, i := range p.Edges {
		out = append(out, g.Edges()[i].To)
	}
	return out
}

func flatten(columns [][]int) []int {
	var out []int
	for _, c := range columns {
		out = append(out, c...)
	}
	return out
}

// orderColumns puts the nodes in their columns and orders each column by
// the mean row of its neighbours in the column before, then after (a few
// sweeps of the barycentre heuristic), which removes most crossings.
func orderColumns(order []int, rank map[int]int, drawn []int, edges []graph.Edge) [][]int {
	var columns [][]int
	for _, n := range order {
		for len(columns) <= rank[n] {
			columns = append(columns, nil)
		}
		columns[rank[n]] = append(columns[rank[n]], n)
	}
	row := map[int]float64{}
	number := func(col []int) {
		for i, n := range col {
			row[n] = float64(i)
		}
	}
	for _, col := range columns {
		number(col)
	}
	neighbours := func(n int, before bool) []int {
		var out []int
		for _, i := range drawn {
			e := edges[i]
			switch {
			case before && e.To == n && rank[e.From] == rank[n]-1:
				out = append(out, e.From)
			case !before && e.From == n && rank[e.To] == rank[n]+1:
				out = append(out, e.To)
			}
		}
		return out
	}
	sweep := func(c int, before bool) {
		key := map[int]float64{}
		for _, n := range columns[c] {
			key[n] = row[n]
			if nb := neighbours(n, before); len(nb) > 0 {
				sum := 0.0
				for _, m := range nb {
					sum += row[m]
				}
				key[n] = sum / float64(len(nb))
			}
		}
		slices.SortStableFunc(columns[c], func(a, b int) int {
			switch {
			case key[a] < key[b]:
				return -1
			case key[a] > key[b]:
				return 1
			}
			return 0
		})
		number(columns[c])
	}
	for range 4 {
		for c := 1; c < len(columns); c++ {
			sweep(c, true)
		}
		for c := len(columns) - 2; c >= 0; c-- {
			sweep(c, false)
		}
	}
	return columns
}

// drawGraphEdge draws step i from one box to the other: forward into the
// next columns as an S-curve, within a column as a bow on its right, back
// to an earlier column as an arc below the boxes.
func drawGraphEdge(g *graph.Graph, i int, from, to *htmlGraphNode) htmlGraphEdge {
	e := g.Edges()[i]
	var checks []string
	for _, j := range g.Parallel(i) {
		if id := g.Edges()[j].Evidence.CheckID; id != "" && !slices.Contains(checks, id) {
			checks = append(checks, id)
		}
	}
	title := e.Step
	if len(checks) > 0 {
		title += " [" + strings.Join(checks, ", ") + "]"
	}
	out := htmlGraphEdge{Label: shorten(e.Step, 24), Title: title, Possible: e.Possible}
	switch {
	case to.X > from.X:
		x1, y1 := from.X+from.W, from.Y+from.H/2
		x2, y2 := to.X, to.Y+to.H/2
		mx := (x1 + x2) / 2
		out.curve = bezier{{x1, y1}, {mx, y1}, {mx, y2}, {x2, y2}}
		out.D = out.curve.path(-4, 0)
	case to.X == from.X:
		// Within a column: a bow on its right.
		x, y1, y2 := from.X+from.W, from.Y+from.H/2, to.Y+to.H/2
		out.curve = bezier{{x, y1}, {x + 45, y1}, {x + 45, y2}, {x, y2}}
		out.D = out.curve.path(4, 0)
	default:
		// Back to an earlier column: an arc below the boxes.
		x1, y1 := from.X+from.W/2, from.Y+from.H
		x2, y2 := to.X+to.W/2, to.Y+to.H
		low := max(y1, y2) + 50
		out.curve = bezier{{x1, y1}, {x1, low}, {x2, low}, {x2, y2}}
		out.D = out.curve.path(0, 4)
	}
	return out
}

// shorten cuts s to n characters, with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
