package netpol

import (
	"fmt"
	"strings"
)

// Explanation records how a Reach verdict came about: every policy that
// selects each end, and every rule with what it admitted and why.
type Explanation struct {
	// Reach is the verdict.
	Reach Reach
	// Egress is the evaluation at the source, Ingress at the destination.
	Egress, Ingress SideTrace
}

// SideTrace is the evaluation of one direction at one endpoint.
type SideTrace struct {
	Endpoint  Endpoint
	Direction Direction
	// Isolated is set when policies select the endpoint in this direction.
	Isolated bool
	// Policies select the endpoint in this direction, in order.
	Policies []*Policy
	// Rules are the rules of those policies, in order.
	Rules []RuleTrace
	// Yes and Maybe are the ports surely and possibly admitted.
	Yes, Maybe PortSet

	reasons bool // fill RuleTrace.Reason
}

// RuleTrace is the evaluation of one rule.
type RuleTrace struct {
	Rule    *Rule
	Verdict Decision
	// Ports are the ports the rule admits on the destination when its
	// peers match.
	Ports PortSet
	// Reason says which peers matched and why.
	Reason string
}

// Explain evaluates a pair like Reach and records every step.
func (e *Engine) Explain(from, to Endpoint) *Explanation {
	x := &Explanation{Egress: SideTrace{reasons: true}, Ingress: SideTrace{reasons: true}}
	x.Reach = e.reach(from, to, x)
	return x
}

// explain says why the rule admits ep or not, peer by peer.
func (r *Rule) explain(ep, dst Endpoint) string {
	field := r.Direction.peerField()
	var parts []string
	if r.AllPeers() {
		parts = append(parts, fmt.Sprintf("%s is empty or missing: every %s", field, map[Direction]string{Ingress: "source", Egress: "destination"}[r.Direction]))
	}
	for _, p := range r.peers {
		parts = append(parts, fmt.Sprintf("%s[%d] %s: %s", field, p.Index, p.describe(), p.explain(ep)))
	}
	if len(r.ports.named) > 0 {
		if dst.Pod == nil {
			parts = append(parts, "named ports only exist on pods, so they admit nothing here")
		} else if r.ports.resolve(dst.Pod).Empty() {
			parts = append(parts, "no container of "+dst.Pod.ID+" declares the named ports")
		}
	}
	return strings.Join(parts, "; ")
}

// describe formats the peer as written.
func (p *Peer) describe() string {
	switch {
	case p.Spec.IPBlock != nil:
		return describeIPBlock(p.Spec.IPBlock)
	case p.pods.given && p.namespaces.given:
		return "podSelector " + p.pods.text + " in namespaces " + p.namespaces.text
	case p.namespaces.given:
		return "every pod in namespaces " + p.namespaces.text
	case p.pods.given:
		return "podSelector " + p.pods.text + " in namespace " + p.Rule.Policy.Namespace.Name
	}
	return "empty peer"
}

// explain says whether the peer matches ep, and why.
func (p *Peer) explain(ep Endpoint) string {
	switch {
	case p.pods.err != nil || p.namespaces.err != nil || p.blockErr != nil:
		return "invalid, matches nothing"
	case p.Spec.IPBlock != nil:
		return p.explainBlock(ep)
	case !p.pods.given && !p.namespaces.given:
		return "matches nothing"
	case ep.Pod == nil:
		return "selects pods, not " + ep.String()
	}
	pod := ep.Pod
	nv, unknown := p.namespaceVerdict(pod.Namespace)
	switch {
	case nv == Denied:
		return "namespace " + pod.Namespace.Name + " is not selected"
	case p.pods.given && p.pods.matchPod(pod) == Denied:
		return "the labels of " + pod.ID + " do not match"
	case p.pods.given && p.pods.matchPod(pod) == Unknown:
		return "may match some pods of " + pod.ID + ": the labels its controller gives each pod decide"
	case nv == Unknown:
		return "unknown: namespace " + pod.Namespace.Name + " has no Namespace object, so its labels " + strings.Join(unknown, ", ") + " are unknown"
	}
	return "matches " + pod.ID
}

func (p *Peer) explainBlock(ep Endpoint) string {
	switch ep.Kind {
	case InternetEndpoint:
		switch {
		case p.internet == Denied:
			return "holds no internet address"
		case p.internetPartial:
			return "holds part of the internet"
		}
		return "holds every internet address"
	case MetadataEndpoint:
		if p.metadata == Allowed {
			return "holds the metadata address"
		}
		return "does not hold the metadata address (or excepts it)"
	}
	switch p.podVerdict {
	case Allowed:
		return "holds every cluster CIDR of an address family, so the pod addresses of " + ep.Pod.ID
	case Unknown:
		return "unknown: holds part of the cluster CIDRs; it depends on the address " + ep.Pod.ID + " gets"
	}
	return "holds no cluster address"
}
