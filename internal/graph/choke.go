package graph

import (
	"slices"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
)

// ChokePoint is a fix that cuts attack paths: the finding behind edges
// that many of the paths take.
type ChokePoint struct {
	// Evidence is the finding to fix (its check, object, field and place).
	Evidence Evidence
	// Edges are the graph's edges the fix removes.
	Edges []int
	// Cuts is how many of the paths that were left it cuts.
	Cuts int
}

// ChokePoints picks, greedily, the fixes that cut the most paths: the
// finding whose fix removes a hop of the most remaining paths (every edge
// of the hop: a step that can be taken for two reasons needs both fixed),
// then the next among the paths left, until no path can be cut or max
// fixes are named (0: 10). Only edges that come from a finding can be
// fixed.
func (g *Graph) ChokePoints(paths []Path, max int) []ChokePoint {
	if max <= 0 {
		max = 10
	}
	// cutters[p] are the fixes that cut path p, each with its evidence.
	evidence := map[string]Evidence{}
	edgesOf := map[string][]int{}
	cutters := make([][]string, len(paths))
	for pi, p := range paths {
		for _, i := range p.Edges {
			k, ok := g.hopFix(i)
			if !ok || slices.Contains(cutters[pi], k) {
				continue
			}
			cutters[pi] = append(cutters[pi], k)
			for _, j := range g.Parallel(i) {
				if !slices.Contains(edgesOf[k], j) {
					edgesOf[k] = append(edgesOf[k], j)
				}
				if ev, seen := evidence[k]; !seen || primary(g.edges[j].Evidence.Finding, ev.Finding) {
					evidence[k] = g.edges[j].Evidence
				}
			}
		}
	}
	left := make([]int, len(paths))
	for i := range left {
		left[i] = i
	}
	var out []ChokePoint
	for len(out) < max && len(left) > 0 {
		counts := map[string]int{}
		for _, p := range left {
			for _, k := range cutters[p] {
				counts[k]++
			}
		}
		if len(counts) == 0 {
			break
		}
		// The fix that cuts most; of as many, the most severe finding.
		best := ""
		for _, k := range sortedKeys(counts) {
			if best == "" || counts[k] > counts[best] ||
				counts[k] == counts[best] && evidence[k].Finding.Severity > evidence[best].Finding.Severity {
				best = k
			}
		}
		out = append(out, ChokePoint{Evidence: evidence[best], Edges: edgesOf[best], Cuts: counts[best]})
		left = slices.DeleteFunc(left, func(p int) bool { return slices.Contains(cutters[p], best) })
	}
	return out
}

// hopFix returns the fix that removes the hop of edge i: the one finding
// (object, container and field) all of the hop's edges come from.
func (g *Graph) hopFix(i int) (string, bool) {
	key := ""
	for _, j := range g.Parallel(i) {
		f := g.edges[j].Evidence.Finding
		if f == nil {
			return "", false
		}
		k := fixKey(f)
		if key != "" && k != key {
			return "", false
		}
		key = k
	}
	return key, key != ""
}

// PathCounts counts, for each fix (FixKey), the paths that take a step
// one of its findings makes (for any of the step's reasons).
func (g *Graph) PathCounts(paths []Path) map[string]int {
	counts := map[string]int{}
	for _, p := range paths {
		seen := map[string]bool{}
		for _, i := range p.Edges {
			for _, j := range g.Parallel(i) {
				if f := g.edges[j].Evidence.Finding; f != nil && !seen[fixKey(f)] {
					seen[fixKey(f)] = true
					counts[fixKey(f)]++
				}
			}
		}
	}
	return counts
}

// FixKey names what fixing a finding changes: its object, container and
// field. Findings of several checks at one field are one fix.
func FixKey(f *check.Finding) string { return fixKey(f) }

// fixKey is FixKey.
func fixKey(f *check.Finding) string {
	ref := ""
	if f.Object != nil {
		r := f.Object.Ref()
		ref = r.Kind + "/" + r.Namespace + "/" + r.Name
	}
	return strings.Join([]string{ref, f.Container, f.Path}, "\x00")
}

// primaryChecks name a fix best when several checks report the same
// field: the grant of everything before what it implies.
var primaryChecks = []string{"rbac-cluster-admin", "rbac-wildcard", "container-runtime-socket", "privileged-container"}

// primary reports whether finding a names a fix better than b: more
// severe, then a primary check, then by check ID.
func primary(a, b *check.Finding) bool {
	if a.Severity != b.Severity {
		return a.Severity > b.Severity
	}
	ra, rb := slices.Index(primaryChecks, a.CheckID), slices.Index(primaryChecks, b.CheckID)
	if ra < 0 {
		ra = len(primaryChecks)
	}
	if rb < 0 {
		rb = len(primaryChecks)
	}
	if ra != rb {
		return ra < rb
	}
	return a.CheckID < b.CheckID
}
