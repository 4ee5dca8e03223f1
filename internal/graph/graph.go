// Package graph builds the attack graph of an inventory: how an attacker
// gets from an entry point (the internet, anonymous or any authenticated
// user, code running in a namespace's pods) through workloads, service
// accounts, RBAC grants and escapes to the nodes, to the crown jewels:
// cluster-admin, the nodes, kube-system's secrets and the cloud identity.
//
// Every edge stands on evidence kube4c already has: the finding of a
// check (its object, field path and file:line), or an object and field
// that joins two nodes (a Service selecting a workload, a workload's
// service account). Reachability comes from the NetworkPolicy engine (an
// edge the policies may or may not allow is kept as possible) and
// permissions from the RBAC engine's findings. The graph lives in memory;
// Paths finds the shortest paths and ChokePoints the fixes that cut most.
package graph

import (
	"slices"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// NodeKind says what a node stands for.
type NodeKind string

// The kinds of nodes.
const (
	// Entry nodes are where an attacker starts.
	Entry NodeKind = "entry"
	// Exposure nodes are Services and Ingresses.
	Exposure NodeKind = "exposure"
	// WorkloadNode is a workload: the code of its containers.
	WorkloadNode NodeKind = "workload"
	// Identity nodes are RBAC subjects: service accounts, users, groups.
	Identity NodeKind = "identity"
	// HostNode is a node of the cluster, or a class of nodes.
	HostNode NodeKind = "node"
	// SecretsNode is the secrets of a namespace, or of all of them.
	SecretsNode NodeKind = "secrets"
	// Group nodes stand for many others alike: every service account or
	// workload of a namespace, the pod network.
	Group NodeKind = "group"
	// CloudIdentity is the cloud identity workloads can borrow.
	CloudIdentity NodeKind = "cloud-identity"
	// ClusterAdmin is full control of the cluster.
	ClusterAdmin NodeKind = "cluster-admin"
)

// IDs of the nodes every graph has.
const (
	InternetID      = "internet"
	AnonymousID     = "anonymous"
	AuthenticatedID = "authenticated-user"
	ClusterAdminID  = "cluster-admin"
	CloudIdentityID = "cloud-identity"
	// AllSecretsID is every namespace's secrets.
	AllSecretsID = "secrets:*"
)

// Node is a place an attacker can stand.
type Node struct {
	// ID names the node uniquely: "internet", "workload:shop/Deployment/web",
	// "sa:ci/runner", "node:*", "secrets:kube-system", "cluster-admin".
	ID   string
	Kind NodeKind
	// Label names it for people: "Deployment shop/web".
	Label string
	// Namespace is the namespace the node belongs to; "" for the entries
	// other than a namespace's pods, and for what spans the cluster.
	Namespace string
	// Object is the object the node stands for, when there is one.
	Object *inventory.Object
}

// Edge is one step of an attack, with what makes it possible.
type Edge struct {
	From, To int
	// Step says what the attacker does, e.g. "exposes", "mounts the token
	// of", "escapes to", "can read secrets of".
	Step string
	// Possible is set when the step depends on what the inputs do not
	// say (a NetworkPolicy cell that may allow, a node class a pod may be
	// scheduled on).
	Possible bool
	// Cost orders paths of as many steps: an easier step costs less.
	Cost int
	// Evidence is where the step comes from.
	Evidence Evidence
}

// Evidence is the object and field that make an edge, and the check that
// reports it when one does.
type Evidence struct {
	// CheckID is the check whose finding this is; "" for a plain fact
	// (a Service selecting a workload).
	CheckID string
	Object  *inventory.Object
	Path    string
	// Location is the field's place in its file; zero for live objects.
	Location inventory.Location
	// Finding is the finding itself, when the edge comes from one.
	Finding *check.Finding
}

// Costs of steps: paths of as many steps are ordered by the sum.
const (
	stepCost = 2
	// easyCost is a step made easier, such as a foothold in a workload
	// whose image has a critical vulnerability.
	easyCost = 1
	// possibleCost is added to a step that may not be possible.
	possibleCost = 2
	// freeCost is a step into or out of a group node, which only stands
	// for the step before or after it.
	freeCost = -1
)

// Graph is the attack graph.
type Graph struct {
	nodes []Node
	byID  map[string]int
	edges []Edge
	out   [][]int // edge indexes by source node
	in    [][]int // edge indexes by target node
	// seen holds the edges added, so that one step from one piece of
	// evidence is added once.
	seen map[edgeKey]bool
	// secrets are the Secrets of the inventory, as namespace/name: a
	// target Secret is reached by reading its namespace's secrets.
	secrets map[string]bool
}

// edgeKey is what makes an edge distinct.
type edgeKey struct {
	from, to      int
	step, checkID string
	object        inventory.Ref
	path          string
}

func newGraph() *Graph {
	return &Graph{byID: map[string]int{}, seen: map[edgeKey]bool{}, secrets: map[string]bool{}}
}

// Nodes returns every node; an edge's From and To index it.
func (g *Graph) Nodes() []Node { return g.nodes }

// Edges returns every edge.
func (g *Graph) Edges() []Edge { return g.edges }

// Node returns the index of the node id, or -1.
func (g *Graph) Node(id string) int {
	if i, ok := g.byID[id]; ok {
		return i
	}
	return -1
}

// node returns the index of node n, adding it if it is new.
func (g *Graph) node(n Node) int {
	if i, ok := g.byID[n.ID]; ok {
		return i
	}
	g.byID[n.ID] = len(g.nodes)
	g.nodes = append(g.nodes, n)
	g.out = append(g.out, nil)
	g.in = append(g.in, nil)
	return len(g.nodes) - 1
}

// edge adds an edge; an edge already there from the same evidence is not
// added twice.
func (g *Graph) edge(e Edge) {
	if e.From == e.To {
		return
	}
	switch e.Cost {
	case 0:
		e.Cost = stepCost
	case freeCost:
		e.Cost = 0
	}
	if e.Possible {
		e.Cost += possibleCost
	}
	k := edgeKey{from: e.From, to: e.To, step: e.Step, checkID: e.Evidence.CheckID, path: e.Evidence.Path}
	if e.Evidence.Object != nil {
		k.object = e.Evidence.Object.Ref()
	}
	if g.seen[k] {
		return
	}
	g.seen[k] = true
	g.out[e.From] = append(g.out[e.From], len(g.edges))
	g.in[e.To] = append(g.in[e.To], len(g.edges))
	g.edges = append(g.edges, e)
}

// Out returns the indexes of the edges leaving node i.
func (g *Graph) Out(i int) []int { return g.out[i] }

// label names an object for people: "Deployment shop/web".
func label(o *inventory.Object) string {
	if o.Namespace() == "" {
		return o.Kind() + " " + o.Name()
	}
	return o.Kind() + " " + o.Namespace() + "/" + o.Name()
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// workloadID is the node ID of a workload object.
func workloadID(o *inventory.Object) string {
	return "workload:" + o.Namespace() + "/" + o.Kind() + "/" + o.Name()
}

// accountID is the node ID of a service account.
func accountID(namespace, name string) string { return "sa:" + namespace + "/" + name }

// secretsID is the node ID of a namespace's secrets.
func secretsID(namespace string) string { return "secrets:" + namespace }

// hostID is the node ID of a class of nodes; "" is any node.
func hostID(class string) string {
	if class == "" {
		return "node:*"
	}
	return "node:" + class
}

// podsID is the entry of code running in a namespace's pods.
func podsID(namespace string) string { return "pods:" + namespace }
