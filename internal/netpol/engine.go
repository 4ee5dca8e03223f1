// Package netpol evaluates Kubernetes NetworkPolicies over an inventory:
// which policies select a workload's pods in which direction, and which
// workloads (and the internet and the cloud metadata service) may open
// connections to which, on which ports.
//
// Semantics follow the NetworkPolicy API: policyTypes default to Ingress,
// plus Egress when egress rules are written; an empty podSelector selects
// every pod of the namespace; a namespaceSelector and a podSelector in one
// peer must both match while peers of a list are alternatives; an empty or
// missing from/to list admits every peer while an empty list of rules
// admits nothing; named ports resolve on each destination pod. Selectors
// are evaluated by apimachinery.
//
// What manifests do not tell is reported as Unknown rather than guessed:
// the labels of a namespace without a Namespace object (all but
// kubernetes.io/metadata.name), and whether an ipBlock holds a pod's
// address when it covers part of the cluster CIDRs.
package netpol

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Options tune an engine.
type Options struct {
	// ClusterCIDRs hold the pod addresses; everything outside them (and
	// outside loopback, link-local and multicast) is the internet.
	// Empty means DefaultClusterCIDRs.
	ClusterCIDRs []netip.Prefix
}

// Engine answers reachability questions about one inventory. It is
// read-only after Build and safe for concurrent use.
type Engine struct {
	pods       []*Workload
	namespaces []*Namespace
	nsByName   map[string]*Namespace
	policies   []*Policy
	cluster    addrSet
	internet   addrSet
	problems   []Problem
	notes      []string
	// unknownLabels holds, per namespace without a Namespace object, the
	// label keys that selectors asked about.
	unknownLabels map[string]map[string]bool
	// peers holds the pods each distinct selector peer matches while the
	// engine is built (nil after).
	peers map[peerKey]*peerPods
}

// Problem is something wrong in a policy that the API server would refuse
// or that makes part of it match nothing.
type Problem struct {
	Object  *inventory.Object
	Path    string
	Message string
}

func (e *Engine) problem(obj *inventory.Object, path, format string, args ...any) {
	e.problems = append(e.problems, Problem{Object: obj, Path: path, Message: fmt.Sprintf(format, args...)})
}

// Build indexes the workloads, namespaces and NetworkPolicies of inv and
// precomputes which pods each policy selects and each rule matches.
func Build(inv *inventory.Inventory, opts Options) *Engine {
	cidrs := opts.ClusterCIDRs
	if len(cidrs) == 0 {
		cidrs = DefaultClusterCIDRs
	}
	e := &Engine{nsByName: map[string]*Namespace{}, unknownLabels: map[string]map[string]bool{}, peers: map[peerKey]*peerPods{}, cluster: setOf(cidrs...)}
	e.internet = everything.minus(e.cluster).minus(setOf(notInternet...))
	for _, obj := range inv.ByKind("Namespace") {
		if _, ok := obj.Obj.(*corev1.Namespace); ok && e.nsByName[obj.Name()] == nil {
			e.nsByName[obj.Name()] = newNamespace(obj.Name(), obj)
		}
	}
	e.addPods(inv)
	e.addPolicies(inv)
	e.namespaces = make([]*Namespace, 0, len(e.nsByName))
	for _, ns := range e.nsByName {
		e.namespaces = append(e.namespaces, ns)
	}
	sort.Slice(e.namespaces, func(i, j int) bool { return e.namespaces[i].Name < e.namespaces[j].Name })
	e.selectPods()
	for _, p := range e.policies {
		for d := range p.rules {
			for _, r := range p.rules[d] {
				e.precompute(r)
			}
		}
	}
	e.peers = nil
	return e
}

func (e *Engine) namespace(name string) *Namespace {
	ns := e.nsByName[name]
	if ns == nil {
		ns = newNamespace(name, nil)
		e.nsByName[name] = ns
	}
	return ns
}

func (e *Engine) addPods(inv *inventory.Inventory) {
	seen := make(map[inventory.Key]*Workload, len(inv.Workloads()))
	dups := 0
	for _, w := range inv.Workloads() {
		ns := NamespaceOf(w.Object)
		key := inventory.Key{Kind: w.Object.Kind(), Namespace: ns, Name: w.Object.Name()}
		if !runsPods(w) {
			continue
		}
		if first := seen[key]; first != nil {
			first.also = append(first.also, w)
			dups++
			continue
		}
		seen[key] = newPod(w, e.namespace(ns))
		e.pods = append(e.pods, seen[key])
	}
	qualifyIDs(e.pods)
	slices.SortStableFunc(e.pods, func(a, b *Workload) int { return strings.Compare(a.ID, b.ID) })
	for i, p := range e.pods {
		p.index = i
		p.Namespace.index(p)
	}
	if dups > 0 {
		e.notes = append(e.notes, fmt.Sprintf("%d workload definitions repeat a kind, namespace and name already read; the first one counts", dups))
	}
}

func (e *Engine) addPolicies(inv *inventory.Inventory) {
	seen := map[string]int{}
	ignored := map[string]int{}
	for _, obj := range inv.ByKind("NetworkPolicy") {
		np, ok := obj.Obj.(*networkingv1.NetworkPolicy)
		if !ok {
			ignored[obj.APIVersion()]++
			continue
		}
		ns := e.namespace(NamespaceOf(obj))
		if seen[ns.Name+"/"+np.Name]++; seen[ns.Name+"/"+np.Name] == 1 {
			e.policies = append(e.policies, e.compilePolicy(obj, np, ns))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(seen)) {
		if seen[id] > 1 {
			e.notes = append(e.notes, fmt.Sprintf("NetworkPolicy %s is defined %d times; the first one counts", id, seen[id]))
		}
	}
	sort.SliceStable(e.policies, func(i, j int) bool { return e.policies[i].ID() < e.policies[j].ID() })
	for _, p := range e.policies {
		p.Namespace.policies = append(p.Namespace.policies, p)
	}
	versions := make([]string, 0, len(ignored))
	for v := range ignored {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	for _, v := range versions {
		e.notes = append(e.notes, fmt.Sprintf("%d NetworkPolicy objects of %s are not evaluated: only networking.k8s.io/v1 NetworkPolicies are (network plugins' own kinds, such as Calico's, have other semantics)", ignored[v], v))
	}
}

// selectPods records which pods each policy selects, per direction. A
// policy with an empty pod selector selects every pod of its namespace: the
// pods share one list of those policies (and the policy shares the
// namespace's pod list) rather than each pod holding a copy, which keeps
// namespaces with thousands of pods and many default policies cheap.
func (e *Engine) selectPods() {
	selectAll := map[*Namespace]*[2][]*Policy{}
	for i, p := range e.policies {
		p.order = i
		if p.podSelector.everything() {
			p.selected = slices.Clip(p.Namespace.pods)
			all := selectAll[p.Namespace]
			if all == nil {
				all = &[2][]*Policy{}
				selectAll[p.Namespace] = all
			}
			for d, on := range p.types {
				if on {
					all[d] = append(all[d], p)
				}
			}
			continue
		}
		for _, pod := range p.Namespace.candidates(p.podSelector.keys) {
			switch p.podSelector.matchPod(pod) {
			case Denied:
				continue
			case Unknown:
				// Some pods of the workload, or pods the cluster labels:
				// the policy selects something, but not the workload.
				p.selectedMaybe = append(p.selectedMaybe, pod)
				continue
			}
			p.selected = append(p.selected, pod)
			for d, on := range p.types {
				if on {
					pod.policies[d] = append(pod.policies[d], p)
				}
			}
		}
	}
	sets := policySets{byHash: map[uint64][]int{}, lists: [][]*Policy{nil}}
	for _, pod := range e.pods {
		all := selectAll[pod.Namespace]
		for d := range pod.policies {
			if all != nil {
				pod.policies[d] = mergePolicies(slices.Clip(all[d]), pod.policies[d])
			}
			pod.policySet[d] = sets.intern(pod.policies[d])
			pod.policies[d] = sets.lists[pod.policySet[d]]
		}
	}
}

// policySets numbers the distinct lists of policies that select pods, so
// that pods selected by the same policies share one list and one number
// (callers may cache what they derive from the list by that number).
type policySets struct {
	byHash map[uint64][]int // numbers of the lists by hash
	lists  [][]*Policy      // lists by number; 0 is the empty list
}

// intern returns the number of the list equal to list, numbering list
// when there is none.
func (s *policySets) intern(list []*Policy) int {
	if len(list) == 0 {
		return 0
	}
	key := uint64(len(list))
	for _, p := range list {
		key = (key^uint64(p.order))*0x100000001b3 + 0x9e3779b97f4a7c15
	}
	for _, n := range s.byHash[key] {
		if slices.Equal(s.lists[n], list) {
			return n
		}
	}
	s.lists = append(s.lists, slices.Clip(list))
	s.byHash[key] = append(s.byHash[key], len(s.lists)-1)
	return len(s.lists) - 1
}

// mergePolicies merges two lists of policies in engine order. When one is
// empty the other is returned as it is, shared.
func mergePolicies(a, b []*Policy) []*Policy {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]*Policy, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].order < b[0].order {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// Notes returns what a reader of the verdicts should know: duplicate
// definitions, policies of other APIs that were not evaluated, and
// namespaces whose unknown labels made verdicts Unknown.
func (e *Engine) Notes() []string {
	notes := slices.Clone(e.notes)
	for _, ns := range e.namespaces {
		keys := slices.Sorted(maps.Keys(e.unknownLabels[ns.Name]))
		if len(keys) > 0 {
			notes = append(notes, fmt.Sprintf("namespace %s has no Namespace object in the scan: only its label %s=%s is known, so selectors on %s give unknown verdicts",
				ns.Name, NameLabel, ns.Name, strings.Join(keys, ", ")))
		}
	}
	return notes
}

// Pods returns every workload, ordered by ID.
func (e *Engine) Pods() []*Workload { return e.pods }

// Namespaces returns every namespace the inventory names, ordered by name.
func (e *Engine) Namespaces() []*Namespace { return e.namespaces }

// Namespace returns the namespace of that name, or nil.
func (e *Engine) Namespace(name string) *Namespace { return e.nsByName[name] }

// Policies returns every NetworkPolicy, ordered by namespace and name.
func (e *Engine) Policies() []*Policy { return e.policies }

// Problems returns what is wrong in the policies.
func (e *Engine) Problems() []Problem { return e.problems }
