package netpol

import (
	"fmt"
	"slices"
	"sync"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Policy is a networking.k8s.io/v1 NetworkPolicy, compiled.
type Policy struct {
	// Object is the inventory object.
	Object *inventory.Object
	// Spec is the policy's spec as written.
	Spec *networkingv1.NetworkPolicySpec
	// Namespace is the namespace it applies in.
	Namespace *Namespace
	// Name is its name.
	Name string
	// TypesDefaulted reports that policyTypes was not written, so the
	// directions follow from the rules: Ingress always, Egress when egress
	// rules are present.
	TypesDefaulted bool

	types       [2]bool
	podSelector selector
	rules       [2][]*Rule
	selected    []*Workload
	// selectedMaybe are the workloads some of whose pods the policy may
	// select (see Workload.controller); they are not counted as isolated.
	selectedMaybe []*Workload
	// order is the policy's position in the engine's policy list.
	order int
}

// ID returns "namespace/name".
func (p *Policy) ID() string { return p.Namespace.Name + "/" + p.Name }

// Affects reports whether the policy isolates its pods in a direction
// (after the defaulting of policyTypes).
func (p *Policy) Affects(d Direction) bool { return p.types[d] }

// Rules returns the policy's rules of a direction; none when the policy
// does not affect that direction (rules of other directions are ignored).
func (p *Policy) Rules(d Direction) []*Rule { return p.rules[d] }

// Selected returns the workloads the policy selects, ordered by ID.
func (p *Policy) Selected() []*Workload { return p.selected }

// SelectsSome reports whether the policy selects pods, all of a workload's
// or only some (a StatefulSet replica by its pod name).
func (p *Policy) SelectsSome() bool { return len(p.selected) > 0 || len(p.selectedMaybe) > 0 }

// SelectsAll reports whether the pod selector is empty: the policy selects
// every pod of its namespace, present and future.
func (p *Policy) SelectsAll() bool { return p.podSelector.everything() }

// SelectorError is the error of an invalid spec.podSelector; such a policy
// selects nothing (the API server would refuse it).
func (p *Policy) SelectorError() error { return p.podSelector.err }

// PodSelector formats spec.podSelector, "{}" when empty.
func (p *Policy) PodSelector() string { return p.podSelector.text }

// DenyAll reports whether the policy selects every pod of its namespace
// for a direction and allows nothing in it: a default deny.
func (p *Policy) DenyAll(d Direction) bool {
	return p.SelectsAll() && p.types[d] && len(p.rules[d]) == 0
}

// IsolatesAll reports whether the policy selects every pod of its
// namespace for a direction without admitting every peer on every port:
// every pod is then isolated, and passes only what the rules of this and
// other policies allow. A default deny does; so does a policy that admits
// only traffic from the namespace.
func (p *Policy) IsolatesAll(d Direction) bool {
	if !p.SelectsAll() || !p.types[d] {
		return false
	}
	return !slices.ContainsFunc(p.rules[d], func(r *Rule) bool { return r.AllPeers() && r.AllPorts() })
}

// Rule is one ingress or egress rule of a policy.
type Rule struct {
	// Policy is the policy the rule belongs to.
	Policy *Policy
	// Direction is the rule's direction.
	Direction Direction
	// Index is the rule's position in spec.ingress or spec.egress.
	Index int
	// Path is the rule's field path, e.g. "spec.ingress[0]".
	Path string

	peers []*Peer
	ports rulePorts

	// Precomputed by the engine: the pods the peers match for sure and
	// those they may match, and the verdicts for the pseudo-endpoints.
	yes, maybe      bitset
	internet        Decision
	internetPartial bool
	metadata        Decision

	// keys are the members of yes and maybe as strings (PeerSet.Key),
	// made on first use.
	keys     [2]string
	keysOnce sync.Once
}

// Peers returns the rule's from or to entries.
func (r *Rule) Peers() []*Peer { return r.peers }

// AllPeers reports whether the rule's from or to list is empty or missing:
// it then admits every source or destination, inside and outside the
// cluster.
func (r *Rule) AllPeers() bool { return len(r.peers) == 0 }

// AllPorts reports whether the rule's ports list is empty or missing.
func (r *Rule) AllPorts() bool { return r.ports.all }

// Ports formats the rule's ports as written (named ports by name).
func (r *Rule) Ports() string { return r.ports.String() }

// Peer is one entry of a rule's from or to list.
type Peer struct {
	// Rule is the rule the peer belongs to.
	Rule *Rule
	// Index is its position in the list.
	Index int
	// Path is its field path, e.g. "spec.ingress[0].from[1]".
	Path string
	// Spec is the peer as written.
	Spec *networkingv1.NetworkPolicyPeer

	pods, namespaces selector
	block            addrSet
	blockErr         error
	// For an ipBlock: whether it holds pod addresses, internet addresses
	// (and only some of them) and a metadata address.
	podVerdict, internet, metadata Decision
	internetPartial                bool
}

// IsIPBlock reports whether the peer is an ipBlock.
func (p *Peer) IsIPBlock() bool { return p.Spec.IPBlock != nil }

// OpenIPBlock reports whether the peer is the ipBlock 0.0.0.0/0 or ::/0
// without exceptions: every address of a family.
func (p *Peer) OpenIPBlock() bool {
	b := p.Spec.IPBlock
	return b != nil && len(b.Except) == 0 && (b.CIDR == "0.0.0.0/0" || b.CIDR == "::/0")
}

// compilePolicy builds a Policy from a NetworkPolicy; problems are added
// to e.
func (e *Engine) compilePolicy(obj *inventory.Object, np *networkingv1.NetworkPolicy, ns *Namespace) *Policy {
	p := &Policy{Object: obj, Spec: &np.Spec, Namespace: ns, Name: np.Name, podSelector: newSelector(&np.Spec.PodSelector)}
	if p.podSelector.err != nil {
		e.problem(obj, "spec.podSelector", "invalid podSelector, the policy selects nothing: %v", p.podSelector.err)
	}
	if len(np.Spec.PolicyTypes) == 0 {
		p.TypesDefaulted = true
		p.types[Ingress] = true
		p.types[Egress] = len(np.Spec.Egress) > 0
	}
	for i, t := range np.Spec.PolicyTypes {
		switch t {
		case networkingv1.PolicyTypeIngress:
			p.types[Ingress] = true
		case networkingv1.PolicyTypeEgress:
			p.types[Egress] = true
		default:
			e.problem(obj, fmt.Sprintf("spec.policyTypes[%d]", i), "unknown policy type %q (want Ingress or Egress)", t)
		}
	}
	for _, d := range []Direction{Ingress, Egress} {
		if !p.types[d] {
			continue
		}
		peers, ports := specRules(&np.Spec, d)
		for i := range peers {
			p.rules[d] = append(p.rules[d], e.compileRule(p, d, i, peers[i], ports[i]))
		}
	}
	return p
}

// specRules returns the peers and the ports of each rule of a direction.
func specRules(spec *networkingv1.NetworkPolicySpec, d Direction) (peers [][]networkingv1.NetworkPolicyPeer, ports [][]networkingv1.NetworkPolicyPort) {
	if d == Ingress {
		for _, r := range spec.Ingress {
			peers, ports = append(peers, r.From), append(ports, r.Ports)
		}
		return peers, ports
	}
	for _, r := range spec.Egress {
		peers, ports = append(peers, r.To), append(ports, r.Ports)
	}
	return peers, ports
}

func (e *Engine) compileRule(p *Policy, d Direction, i int, peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) *Rule {
	r := &Rule{Policy: p, Direction: d, Index: i, Path: fmt.Sprintf("spec.%s[%d]", d, i)}
	r.ports = e.compilePorts(p.Object, r.Path, ports)
	for j := range peers {
		r.peers = append(r.peers, e.compilePeer(r, j, &peers[j]))
	}
	return r
}

func (e *Engine) compilePeer(r *Rule, j int, spec *networkingv1.NetworkPolicyPeer) *Peer {
	obj := r.Policy.Object
	p := &Peer{Rule: r, Index: j, Path: fmt.Sprintf("%s.%s[%d]", r.Path, r.Direction.peerField(), j), Spec: spec,
		pods: newSelector(spec.PodSelector), namespaces: newSelector(spec.NamespaceSelector)}
	for _, s := range []struct {
		sel   selector
		field string
	}{{p.pods, "podSelector"}, {p.namespaces, "namespaceSelector"}} {
		if s.sel.err != nil {
			e.problem(obj, p.Path+"."+s.field, "invalid %s, the peer matches nothing: %v", s.field, s.sel.err)
		}
	}
	switch b := spec.IPBlock; {
	case b != nil && (p.pods.given || p.namespaces.given):
		e.problem(obj, p.Path, "a peer may give an ipBlock or selectors, not both (the API server refuses it); the peer matches nothing")
		p.blockErr = fmt.Errorf("ipBlock beside selectors")
	case b != nil:
		p.block, p.blockErr = parseIPBlock(b)
		if p.blockErr != nil {
			e.problem(obj, p.Path+".ipBlock", "%v; the peer matches nothing", p.blockErr)
		}
		p.podVerdict = e.podsIn(p.block)
		p.internet, p.internetPartial = e.internetIn(p.block)
		p.metadata = metadataIn(p.block)
	case !p.pods.given && !p.namespaces.given:
		e.problem(obj, p.Path, "the peer gives neither podSelector, namespaceSelector nor ipBlock (the API server refuses it); it matches nothing")
	}
	return p
}

// podsIn says whether pod addresses, which lie somewhere in the cluster
// CIDRs, are in set: Allowed when set covers every cluster CIDR of an
// address family, Unknown when it covers part of them.
func (e *Engine) podsIn(set addrSet) Decision {
	v := Denied
	for _, bits := range []int{32, 128} {
		fam := e.cluster.family(bits)
		switch {
		case len(fam) == 0:
		case set.covers(fam):
			return Allowed
		case set.intersects(fam):
			v = Unknown
		}
	}
	return v
}

// internetIn says whether set holds internet addresses, and whether only
// some of them: holding every internet address of one family (as
// 0.0.0.0/0 does) counts as the whole internet.
func (e *Engine) internetIn(set addrSet) (Decision, bool) {
	if !set.intersects(e.internet) {
		return Denied, false
	}
	whole := set.covers(e.internet.family(32)) || set.covers(e.internet.family(128))
	return Allowed, !whole
}

// metadataIn says whether set holds a cloud metadata address.
func metadataIn(set addrSet) Decision {
	return decisionOf(slices.ContainsFunc(MetadataAddrs, set.contains))
}
