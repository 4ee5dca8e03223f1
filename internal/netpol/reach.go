package netpol

import corev1 "k8s.io/api/core/v1"

// Reach is the answer for one ordered pair of endpoints: may From open a
// connection to To, and on which ports of To.
type Reach struct {
	From, To Endpoint
	// Verdict is Allowed when some port is surely open, Unknown when ports
	// may be open depending on what the manifests do not say, Denied
	// otherwise.
	Verdict Decision
	// Ports are surely open.
	Ports PortSet
	// Unknown are ports that may be open.
	Unknown PortSet
	// Partial is set when an end is the internet and only part of its
	// addresses is admitted.
	Partial bool
}

// Reach evaluates whether from may open a connection to to. Traffic must
// leave from (its egress policies) and enter to (its ingress policies);
// the pseudo-endpoints have no policies of their own.
func (e *Engine) Reach(from, to Endpoint) Reach { return e.reach(from, to, nil) }

// Matrix evaluates every pair of from and to and hands each result to
// visit, rows first. Pairs of two pseudo-endpoints, and the metadata
// service as a source, are left out.
func (e *Engine) Matrix(from, to []Endpoint, visit func(Reach)) {
	for _, f := range from {
		if f.Kind == MetadataEndpoint {
			continue
		}
		for _, t := range to {
			if f.Pod != nil || t.Pod != nil {
				visit(e.reach(f, t, nil))
			}
		}
	}
}

// Allows reports whether the pair admits a port of a protocol: Allowed,
// Unknown when it may, Denied otherwise.
func (r Reach) Allows(protocol corev1.Protocol, port int32) Decision {
	switch {
	case r.Ports.Contains(protocol, port):
		return Allowed
	case r.Unknown.Contains(protocol, port):
		return Unknown
	}
	return Denied
}

func (e *Engine) reach(from, to Endpoint, x *Explanation) Reach {
	var eg, in *SideTrace
	if x != nil {
		eg, in = &x.Egress, &x.Ingress
	}
	egYes, egMaybe, egFull := e.side(from, Egress, to, to, eg)
	r := Reach{From: from, To: to}
	if x == nil && egYes.Empty() && egMaybe.Empty() {
		return r // nothing leaves: no need to look at the destination
	}
	inYes, inMaybe, inFull := e.side(to, Ingress, from, to, in)
	r.Ports = egYes.Intersect(inYes)
	if !egMaybe.Empty() || !inMaybe.Empty() {
		r.Unknown = egYes.Union(egMaybe).Intersect(inYes.Union(inMaybe)).Minus(r.Ports)
	}
	switch {
	case !r.Ports.Empty():
		r.Verdict = Allowed
	case !r.Unknown.Empty():
		r.Verdict = Unknown
	}
	r.Partial = r.Verdict != Denied && (to.Kind == InternetEndpoint && !egFull || from.Kind == InternetEndpoint && !inFull)
	return r
}

// side evaluates one direction: the policies of self (when it is a pod)
// for traffic with other, whose destination is dst (named ports resolve on
// dst). It returns the ports surely and possibly admitted, and whether a
// surely admitting rule covers all of other's addresses (for the
// internet). t, when not nil, records the evaluation.
func (e *Engine) side(self Endpoint, d Direction, other, dst Endpoint, t *SideTrace) (yes, maybe PortSet, full bool) {
	if t != nil {
		t.Endpoint, t.Direction = self, d
	}
	// NetworkPolicies do not police pods on the host network: their
	// traffic is the node's, which most plugins never filter.
	if self.Pod == nil || !self.Pod.Isolated(d) || self.Pod.HostNetwork {
		if t != nil {
			t.Yes = allPorts
		}
		return allPorts, PortSet{}, true
	}
	if t != nil {
		t.Isolated = true
	}
	for _, pol := range self.Pod.policies[d] {
		if t != nil {
			t.Policies = append(t.Policies, pol)
		}
		for _, r := range pol.rules[d] {
			v, partial := r.match(other)
			var ports PortSet
			if v != Denied {
				ports = r.ports.resolve(dst.Pod)
			}
			if t != nil {
				rt := RuleTrace{Rule: r, Verdict: v, Ports: ports}
				if t.reasons {
					rt.Reason = r.explain(other, dst)
				}
				t.Rules = append(t.Rules, rt)
			}
			switch v {
			case Allowed:
				yes = yes.Union(ports)
				full = full || !partial && !ports.Empty()
			case Unknown:
				maybe = maybe.Union(ports)
			}
		}
	}
	maybe = maybe.Minus(yes)
	if t != nil {
		t.Yes, t.Maybe = yes, maybe
	}
	return yes, maybe, full
}

// match says whether the rule's peers admit an endpoint, and whether only
// part of the internet.
func (r *Rule) match(ep Endpoint) (Decision, bool) {
	switch {
	case r.AllPeers():
		return Allowed, false
	case ep.Kind == InternetEndpoint:
		return r.internet, r.internetPartial
	case ep.Kind == MetadataEndpoint:
		return r.metadata, false
	case r.yes.has(ep.Pod.index):
		return Allowed, false
	case r.maybe.has(ep.Pod.index):
		return Unknown, false
	}
	return Denied, false
}

// Admitting returns the rules that admit the connection from -> to, surely
// or maybe, in one direction: egress rules of from's policies, or ingress
// rules of to's. Their Reason is left empty (see Explain).
func (e *Engine) Admitting(from, to Endpoint, d Direction) []RuleTrace {
	t := &SideTrace{}
	if d == Egress {
		e.side(from, Egress, to, to, t)
	} else {
		e.side(to, Ingress, from, to, t)
	}
	var out []RuleTrace
	for _, rt := range t.Rules {
		if rt.Verdict != Denied {
			out = append(out, rt)
		}
	}
	return out
}

// Summary formats the verdict with its ports, e.g. "allowed on TCP:80",
// "unknown (maybe TCP:80)" or "denied".
func (r Reach) Summary() string {
	var s string
	switch r.Verdict {
	case Allowed:
		s = "allowed on " + r.Ports.String()
		if !r.Unknown.Empty() {
			s += ", maybe " + r.Unknown.String()
		}
	case Unknown:
		s = "unknown (maybe " + r.Unknown.String() + ")"
	default:
		return "denied"
	}
	if r.Partial {
		s += ", for part of the internet's addresses only"
	}
	return s
}
