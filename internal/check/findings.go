package check

// findingList collects the findings of one check. It keeps them in chunks
// that never move once filled, growing from small (most checks find
// little) to large: appending to one slice would copy a large check's
// findings again at each growth, which on a large scan allocates several
// times the memory the findings take.
type findingList struct {
	chunks [][]Finding
}

// Chunk sizes of a findingList.
const (
	firstChunk = 1
	maxChunk   = 4096
)

// add appends f.
func (l *findingList) add(f Finding) {
	n := len(l.chunks)
	if n == 0 || len(l.chunks[n-1]) == cap(l.chunks[n-1]) {
		size := firstChunk
		if n > 0 {
			size = min(2*cap(l.chunks[n-1]), maxChunk)
		}
		l.chunks = append(l.chunks, make([]Finding, 0, size))
		n++
	}
	l.chunks[n-1] = append(l.chunks[n-1], f)
}

// len returns the number of findings.
func (l *findingList) len() int {
	n := 0
	for _, c := range l.chunks {
		n += len(c)
	}
	return n
}

// all calls yield with a pointer to each finding, in the order added.
func (l *findingList) all(yield func(*Finding)) {
	for _, c := range l.chunks {
		for i := range c {
			yield(&c[i])
		}
	}
}
