package graph

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"strings"
)

// Target is a set of nodes an attacker wants.
type Target struct {
	// Name is how people name it: "cluster-admin", "node",
	// "kube-system-secrets", "cloud-identity", or an object's
	// kind/namespace/name.
	Name  string
	nodes []int
}

// The targets every graph is searched for by default.
var defaultTargets = []string{"cluster-admin", "node", "kube-system-secrets", "cloud-identity"}

// Options choose the paths Paths finds.
type Options struct {
	// From are the entries to start from (node IDs: "internet",
	// "anonymous", "authenticated-user", "pods:NAMESPACE"); none means
	// every entry.
	From []string
	// To are the targets: the names of defaultTargets or an object as
	// Kind/namespace/name (Kind/name when cluster-scoped); none means
	// the default targets.
	To []string
	// Max is how many paths to find per entry and target; 0 means 3.
	Max int
}

// Path is one way from an entry to a target.
type Path struct {
	// From is the entry node, Target the target's name.
	From   int
	Target string
	// Edges are the steps, in order.
	Edges []int
	// Steps counts the steps: the edges less those into group nodes.
	Steps int
	// Cost is the sum of the steps' costs.
	Cost int
	// Possible is set when a step may not be possible.
	Possible bool
}

// Paths finds, for each entry and target, the shortest paths: those with
// the fewest steps, the cheapest first, at most opts.Max of them. An
// unknown entry or target is an error.
func (g *Graph) Paths(opts Options) ([]Path, error) {
	if opts.Max <= 0 {
		opts.Max = 3
	}
	entries, err := g.entries(opts.From)
	if err != nil {
		return nil, err
	}
	names := opts.To
	if len(names) == 0 {
		names = defaultTargets
	}
	var out []Path
	for _, name := range names {
		t, err := g.target(name)
		if err != nil {
			return nil, err
		}
		dist := g.distancesTo(t.nodes)
		// The steps that bring an attacker closer, by node, found once
		// for every entry's search.
		closer := make([][]int, len(g.nodes))
		for _, e := range entries {
			if dist[e] > 0 {
				out = append(out, g.shortest(e, t, dist, closer, opts.Max)...)
			}
		}
	}
	return out, nil
}

// entries resolves the entries to start from.
func (g *Graph) entries(from []string) ([]int, error) {
	var out []int
	if len(from) == 0 {
		for i, n := range g.nodes {
			if n.Kind == Entry {
				out = append(out, i)
			}
		}
		slices.SortFunc(out, func(a, b int) int { return entryOrder(g.nodes[a].ID, g.nodes[b].ID) })
		return out, nil
	}
	for _, id := range from {
		i := g.Node(id)
		if i < 0 || g.nodes[i].Kind != Entry {
			return nil, fmt.Errorf("--from %q: not an entry point (internet, anonymous, authenticated-user, or pods:NAMESPACE for a namespace with workloads)", id)
		}
		out = append(out, i)
	}
	return out, nil
}

// entryOrder puts the internet first, then anonymous and authenticated
// users, then the namespaces' pods by name.
func entryOrder(a, b string) int {
	rank := func(id string) int {
		switch id {
		case InternetID:
			return 0
		case AnonymousID:
			return 1
		case AuthenticatedID:
			return 2
		}
		return 3
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
}

// target resolves a target name.
func (g *Graph) target(name string) (Target, error) {
	t := Target{Name: name}
	switch name {
	case "cluster-admin":
		t.nodes = g.matching(func(n Node) bool { return n.Kind == ClusterAdmin })
	case "node":
		t.nodes = g.matching(func(n Node) bool { return n.Kind == HostNode })
	case "kube-system-secrets":
		t.nodes = g.matching(func(n Node) bool { return n.ID == secretsID("kube-system") || n.ID == AllSecretsID })
	case "cloud-identity":
		t.nodes = g.matching(func(n Node) bool { return n.Kind == CloudIdentity })
	default:
		parts := strings.Split(name, "/")
		if len(parts) < 2 || len(parts) > 3 {
			return t, fmt.Errorf("--to %q: want cluster-admin, node, kube-system-secrets, cloud-identity or KIND/NAMESPACE/NAME", name)
		}
		kind, ns, obj := parts[0], "", parts[len(parts)-1]
		if len(parts) == 3 {
			ns = parts[1]
		}
		t.nodes = g.matching(func(n Node) bool {
			return n.Object != nil && strings.EqualFold(n.Object.Kind(), kind) && n.Object.Namespace() == ns && n.Object.Name() == obj
		})
		if strings.EqualFold(kind, "Secret") && g.secrets[ns+"/"+obj] {
			// A Secret is had by reading the secrets of its namespace.
			t.nodes = g.matching(func(n Node) bool { return n.ID == secretsID(ns) || n.ID == AllSecretsID })
			if len(t.nodes) == 0 {
				return t, nil // known, but no one can read it
			}
		}
		if len(t.nodes) == 0 && strings.EqualFold(kind, "ServiceAccount") {
			t.nodes = g.matching(func(n Node) bool { return n.ID == accountID(ns, obj) })
		}
		if len(t.nodes) == 0 {
			return t, fmt.Errorf("--to %q: no such workload, Service, Ingress, ServiceAccount or Secret in the graph", name)
		}
	}
	return t, nil
}

func (g *Graph) matching(keep func(Node) bool) []int {
	var out []int
	for i, n := range g.nodes {
		if keep(n) {
			out = append(out, i)
		}
	}
	return out
}

// hops is how many steps edge i counts for: none into a group node, which
// only stands for the nodes it includes.
func (g *Graph) hops(i int) int {
	if g.nodes[g.edges[i].To].Kind == Group {
		return 0
	}
	return 1
}

// distancesTo returns, for every node, the fewest steps to one of targets
// (0 for a target, -1 when none is reachable): one walk back from the
// targets, a level of distance at a time (a step into a group node counts
// none, so its source joins the level being walked).
func (g *Graph) distancesTo(targets []int) []int {
	dist := make([]int, len(g.nodes))
	for i := range dist {
		dist[i] = -1
	}
	level := slices.Clone(targets)
	for _, t := range targets {
		dist[t] = 0
	}
	for d := 0; len(level) > 0; d++ {
		var next []int
		for k := 0; k < len(level); k++ { // level grows as free steps join it
			n := level[k]
			if dist[n] != d {
				continue // reached by fewer steps since
			}
			for _, i := range g.in[n] {
				from, h := g.edges[i].From, g.hops(i)
				if dist[from] >= 0 && dist[from] <= d+h {
					continue
				}
				dist[from] = d + h
				if h == 0 {
					level = append(level, from)
				} else {
					next = append(next, from)
				}
			}
		}
		level = next
	}
	return dist
}

// partial is a path being extended by shortest.
type partial struct {
	node  int
	edges []int
	cost  int
	seq   int
}

type partials []*partial

func (q partials) Len() int { return len(q) }
func (q partials) Less(i, j int) bool {
	return cmp.Or(cmp.Compare(q[i].cost, q[j].cost), cmp.Compare(q[i].seq, q[j].seq)) < 0
}
func (q partials) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *partials) Push(x any)   { *q = append(*q, x.(*partial)) }
func (q *partials) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// shortest finds the max cheapest paths of the fewest steps from entry to
// t: each step must bring the attacker one step closer (dist), so the
// search only walks the shortest ways, cheapest first.
func (g *Graph) shortest(entry int, t Target, dist []int, closer [][]int, max int) []Path {
	var out []Path
	q := &partials{{node: entry}}
	seq := 0
	for q.Len() > 0 && len(out) < max {
		p := heap.Pop(q).(*partial)
		if dist[p.node] == 0 && slices.Contains(t.nodes, p.node) {
			path := Path{From: entry, Target: t.Name, Edges: p.edges, Cost: p.cost}
			for _, i := range p.edges {
				path.Possible = path.Possible || g.edges[i].Possible
				path.Steps += g.hops(i)
			}
			out = append(out, path)
			continue
		}
		for _, i := range g.closer(p.node, dist, closer) {
			e := g.edges[i]
			seq++
			heap.Push(q, &partial{node: e.To, edges: append(slices.Clip(p.edges), i), cost: p.cost + e.Cost, seq: seq})
		}
	}
	return out
}

// closer returns the edges leaving n that bring the attacker a step closer
// to the target dist measures, one per next node (its cheapest: the others
// are the same step for other reasons, see Parallel), remembered in memo.
func (g *Graph) closer(n int, dist []int, memo [][]int) []int {
	if memo[n] != nil {
		return memo[n]
	}
	next := []int{}
	out := g.out[n] // by next node, the cheapest edge first (sortOut)
	for k, i := range out {
		e := g.edges[i]
		if dist[e.To] == dist[n]-g.hops(i) && (k == 0 || g.edges[out[k-1]].To != e.To) {
			next = append(next, i)
		}
	}
	memo[n] = next
	return next
}

// Parallel returns the edges that make the same hop as edge i (from its
// node to its next), i first: the reasons the step can be taken.
func (g *Graph) Parallel(i int) []int {
	e := g.edges[i]
	out := g.out[e.From] // by next node (sortOut)
	lo, _ := slices.BinarySearchFunc(out, e.To, func(j, to int) int { return cmp.Compare(g.edges[j].To, to) })
	same := []int{i}
	for _, j := range out[lo:] {
		if g.edges[j].To != e.To {
			break
		}
		if j != i {
			same = append(same, j)
		}
	}
	return same
}

// sortOut orders the edges leaving each node by the node they lead to,
// the cheapest first: the hops of a path and their reasons are then
// neighbours.
func (g *Graph) sortOut() {
	for _, out := range g.out {
		slices.SortFunc(out, func(a, b int) int {
			ea, eb := g.edges[a], g.edges[b]
			return cmp.Or(cmp.Compare(ea.To, eb.To), cmp.Compare(ea.Cost, eb.Cost), cmp.Compare(a, b))
		})
	}
}
