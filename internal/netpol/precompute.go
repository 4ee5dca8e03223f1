package netpol

// precompute fills the pods a rule's peers match, and its verdicts for the
// internet and the metadata service.
func (e *Engine) precompute(r *Rule) {
	if r.AllPeers() {
		r.internet, r.metadata = Allowed, Allowed
		return
	}
	r.yes, r.maybe = newBitset(len(e.pods)), newBitset(len(e.pods))
	for _, p := range r.peers {
		if p.Spec.IPBlock != nil {
			continue
		}
		for _, ns := range e.candidateNamespaces(p) {
			nv, unknown := p.namespaceVerdict(ns)
			if nv == Denied {
				continue
			}
			for _, pod := range ns.candidates(p.pods.keys) {
				if p.pods.given && !p.pods.matches(pod.Labels) {
					continue
				}
				if nv == Allowed {
					r.yes.set(pod.index)
				} else {
					r.maybe.set(pod.index)
					e.noteUnknownLabels(ns, unknown)
				}
			}
		}
	}
	e.precomputeBlocks(r)
	r.maybe.andNot(r.yes)
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
			for i := range e.pods {
				r.yes.set(i)
			}
		case Unknown:
			for i := range e.pods {
				r.maybe.set(i)
			}
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
