package netpol

// precompute fills the pods a rule's peers match, and its verdicts for the
// internet and the metadata service.
func (e *Engine) precompute(r *Rule) {
	if r.AllPeers() {
		r.internet, r.metadata = Allowed, Allowed
		return
	}
	for _, p := range r.peers {
		if p.Spec.IPBlock != nil {
			continue
		}
		if m := e.peerMatches(p); m != nil {
			r.yes.or(&m.yes)
			r.maybe.or(&m.maybe)
		}
	}
	e.precomputeBlocks(r)
	r.maybe.andNot(&r.yes)
}

// peerKey is what decides the pods a selector peer matches: its policy's
// namespace (where a peer without namespaceSelector selects) and its
// selectors.
type peerKey struct {
	namespace, pods, namespaces string
}

// peerPods are the pods a selector peer matches for sure and those it
// may match.
type peerPods struct {
	yes, maybe bitset
}

// peerMatches returns the pods selector peer p matches, or nil when it
// matches none. Peers alike are matched once: policies often repeat the
// same peers, and matching reads every pod of the namespaces concerned.
func (e *Engine) peerMatches(p *Peer) *peerPods {
	namespaces := e.candidateNamespaces(p)
	if len(namespaces) == 0 {
		return nil
	}
	key := peerKey{p.Rule.Policy.Namespace.Name, p.pods.key(), p.namespaces.key()}
	if m, ok := e.peers[key]; ok {
		return m
	}
	m := &peerPods{}
	for _, ns := range namespaces {
		nv, unknown := p.namespaceVerdict(ns)
		if nv == Denied {
			continue
		}
		for _, pod := range ns.candidates(p.pods.keys) {
			v := nv
			if p.pods.given {
				v = min(v, p.pods.matchPod(pod))
			}
			switch v {
			case Denied:
				continue
			case Allowed:
				m.yes.set(pod.index)
			default:
				m.maybe.set(pod.index)
				e.noteUnknownLabels(ns, unknown)
			}
		}
	}
	e.peers[key] = m
	return m
}

// precomputeBlocks fills what the rule's ipBlocks admit: the union of
// their addresses decides for the internet and the metadata service, each
// block's own verdict for pods.
func (e *Engine) precomputeBlocks(r *Rule) {
	var all addrSet
	for _, p := range r.peers {
		if p.Spec.IPBlock == nil || p.blockErr != nil {
			continue
		}
		all = all.union(p.block)
		switch p.podVerdict {
		case Allowed:
			r.yes.setRange(len(e.pods))
		case Unknown:
			r.maybe.setRange(len(e.pods))
		}
	}
	r.internet, r.internetPartial = e.internetIn(all)
	r.metadata = metadataIn(all)
}

// candidateNamespaces are the namespaces whose pods a selector peer may
// match: the policy's own without a namespaceSelector, else all.
func (e *Engine) candidateNamespaces(p *Peer) []*Namespace {
	switch {
	case p.pods.err != nil || p.namespaces.err != nil || !p.pods.given && !p.namespaces.given:
		return nil
	case !p.namespaces.given:
		return []*Namespace{p.Rule.Policy.Namespace}
	default:
		return e.namespaces
	}
}

// namespaceVerdict says whether the peer's namespace part admits ns, and
// which unknown labels of ns made the answer Unknown.
func (p *Peer) namespaceVerdict(ns *Namespace) (Decision, []string) {
	if !p.namespaces.given {
		return decisionOf(ns == p.Rule.Policy.Namespace), nil
	}
	return p.namespaces.matchNamespace(ns)
}

func (e *Engine) noteUnknownLabels(ns *Namespace, keys []string) {
	if len(keys) == 0 {
		return
	}
	if e.unknownLabels[ns.Name] == nil {
		e.unknownLabels[ns.Name] = map[string]bool{}
	}
	for _, k := range keys {
		e.unknownLabels[ns.Name][k] = true
	}
}
