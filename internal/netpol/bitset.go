package netpol

// bitset is a set of pod indexes, held as the words that cover its lowest
// to its highest member. Pods are indexed in ID order, namespace first, so
// the pods a rule selects in one namespace lie close together: a rule's
// set takes memory for its namespace's pods, not for every pod of the
// inventory (which, with a rule per namespace, would grow with the square
// of the cluster).
type bitset struct {
	first int      // the index of the first word held
	words []uint64 // words[i] holds the pods 64*(first+i) to 64*(first+i)+63
}

// set adds pod i.
func (b *bitset) set(i int) {
	w := i >> 6
	b.cover(w, w+1)
	b.words[w-b.first] |= 1 << (uint(i) & 63)
}

// has reports whether pod i is a member.
func (b *bitset) has(i int) bool {
	w := i>>6 - b.first
	return w >= 0 && w < len(b.words) && b.words[w]&(1<<(uint(i)&63)) != 0
}

// setRange adds the pods 0 to n-1.
func (b *bitset) setRange(n int) {
	if n == 0 {
		return
	}
	all := bitset{words: make([]uint64, (n+63)/64)}
	for i := range all.words {
		all.words[i] = ^uint64(0)
	}
	all.words[len(all.words)-1] >>= uint(len(all.words)*64 - n)
	b.or(&all)
}

// or adds the members of o to b.
func (b *bitset) or(o *bitset) {
	if len(o.words) == 0 {
		return
	}
	b.cover(o.first, o.first+len(o.words))
	for i, w := range o.words {
		b.words[o.first-b.first+i] |= w
	}
}

// cover grows b to hold the words from to to (exclusive).
func (b *bitset) cover(from, to int) {
	if len(b.words) == 0 {
		b.first = from
	}
	if from < b.first {
		grown := make([]uint64, b.first-from+len(b.words))
		copy(grown[b.first-from:], b.words)
		b.first, b.words = from, grown
	}
	if n := to - b.first; n > len(b.words) {
		b.words = append(b.words, make([]uint64, n-len(b.words))...)
	}
}

// andNot removes the members of o from b.
func (b *bitset) andNot(o *bitset) {
	for i := range b.words {
		if w := b.first + i - o.first; w >= 0 && w < len(o.words) {
			b.words[i] &^= o.words[w]
		}
	}
}
