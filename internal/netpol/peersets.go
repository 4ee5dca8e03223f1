package netpol

import (
	"encoding/binary"
	"math/bits"
)

// PeerSet is a set of pods one ingress rule of a workload's policies
// admits alike, on a port the workload declares: the rule's sure peers,
// or its possible ones.
type PeerSet struct {
	// Key identifies the members: two sets of the same pods have the same
	// key, whatever rule they come from.
	Key string
	// Rule is the rule the set comes from.
	Rule *Rule
	// Verdict is Allowed for the rule's sure peers, Unknown for its
	// possible ones.
	Verdict Decision
	members *bitset
}

// Each calls fn with every member, in Pods order.
func (s PeerSet) Each(e *Engine, fn func(*Workload)) {
	s.members.each(func(i int) { fn(e.pods[i]) })
}

// IngressPeerSets returns who dst's ingress policies admit on a port dst
// declares, as the sets of peers of each admitting rule: a caller that
// wants every pod that may connect to dst draws the sets rather than asking
// Reach about every pod. It is exact for sources whose own egress admits
// every peer on every port (Open): Reach from such a pod to dst allows a
// declared port surely when a set with Verdict Allowed holds it, possibly
// when only an Unknown set does, and denies them otherwise. all is true
// when every pod may connect on a declared port: dst is not isolated for
// ingress, uses the host network, or a rule on such a port names no peers.
func (e *Engine) IngressPeerSets(dst *Workload) (sets []PeerSet, all bool) {
	if dst.HostNetwork || !dst.Isolated(Ingress) {
		return nil, true
	}
	for _, p := range dst.policies[Ingress] {
		for _, r := range p.rules[Ingress] {
			if !r.opensDeclared(dst) {
				continue
			}
			if r.AllPeers() {
				return nil, true
			}
			r.keysOnce.Do(func() { r.keys = [2]string{"y" + r.yes.key(), "m" + r.maybe.key()} })
			if len(r.yes.words) > 0 {
				sets = append(sets, PeerSet{Key: r.keys[0], Rule: r, Verdict: Allowed, members: &r.yes})
			}
			if len(r.maybe.words) > 0 {
				sets = append(sets, PeerSet{Key: r.keys[1], Rule: r, Verdict: Unknown, members: &r.maybe})
			}
		}
	}
	return sets, false
}

// opensDeclared reports whether the rule's ports hold a port dst declares.
func (r *Rule) opensDeclared(dst *Workload) bool {
	ports := r.ports.resolve(dst)
	for _, p := range dst.ports {
		if ports.Contains(p.Protocol, p.Port) {
			return true
		}
	}
	return false
}

// Open reports whether the pod lets every connection through in a
// direction: no policy isolates it, it uses the host network (which
// policies do not police), or a rule of one of its policies names no
// peers and no ports (policies add up, so that rule decides).
func (p *Workload) Open(d Direction) bool {
	if p.HostNetwork || !p.Isolated(d) {
		return true
	}
	for _, pol := range p.policies[d] {
		for _, r := range pol.rules[d] {
			if r.AllPeers() && r.AllPorts() {
				return true
			}
		}
	}
	return false
}

// key is the set's members as a string, for map keys: the same members
// give the same key, whatever words the set holds around them.
func (b *bitset) key() string {
	first, words := b.first, b.words
	for len(words) > 0 && words[0] == 0 {
		first, words = first+1, words[1:]
	}
	for len(words) > 0 && words[len(words)-1] == 0 {
		words = words[:len(words)-1]
	}
	buf := binary.AppendUvarint(nil, uint64(first))
	for _, w := range words {
		buf = binary.LittleEndian.AppendUint64(buf, w)
	}
	return string(buf)
}

// each calls fn with every member, in order.
func (b *bitset) each(fn func(i int)) {
	for w, word := range b.words {
		for word != 0 {
			i := bits.TrailingZeros64(word)
			fn((b.first+w)<<6 + i)
			word &= word - 1
		}
	}
}
