// Package position maps field paths of a decoded object back to the line and
// column where they stand in the source document.
//
// An Index is built once, while a document is converted, and is compact: a
// few machine words per YAML node, with map keys sharing the strings of the
// decoded object. Lookups walk a field.Path-style string such as
// "spec.template.spec.containers[1].securityContext.privileged".
package position

import (
	"slices"
	"strconv"
	"strings"
)

// Kind is the shape of an indexed node.
type Kind uint8

// Node kinds.
const (
	Scalar Kind = iota
	Mapping
	Sequence
)

// Pos is a 1-based line and column in a source file.
type Pos struct {
	Line   int
	Column int
}

type node struct {
	line, col int32
	first     int32 // index of the first child in nodes
	count     int32 // number of children
	kind      Kind
	// keyHint is the first byte of the node's mapping key and keyLen its
	// length (capped): lookups compare them before the key itself, whose
	// bytes live elsewhere in memory.
	keyHint byte
	keyLen  uint16
}

// hint returns the first byte and capped length of a key.
func hint(key string) (byte, uint16) {
	if key == "" {
		return 0, 0
	}
	return key[0], uint16(min(len(key), 0xffff))
}

// Index holds the positions of every node of one document.
// The zero Index is empty; its lookups return no position.
type Index struct {
	nodes []node
	keys  []string // keys[i] is the mapping key of nodes[i], if its parent is a mapping
}

// Builder constructs an Index. Children of a node must be added as one block
// with Children before any of them gets children of its own.
type Builder struct {
	ix *Index
}

// NewBuilder starts an index whose root node is at line, col.
func NewBuilder(kind Kind, line, col int) *Builder {
	ix := &Index{nodes: make([]node, 1, 16), keys: make([]string, 1, 16)}
	ix.nodes[0] = node{line: int32(line), col: int32(col), kind: kind}
	return &Builder{ix: ix}
}

// Root is the ID of the root node.
const Root = 0

// Children reserves count children for node parent and returns the ID of the
// first; the others follow consecutively.
func (b *Builder) Children(parent, count int) int {
	first := len(b.ix.nodes)
	b.ix.nodes[parent].first = int32(first)
	b.ix.nodes[parent].count = int32(count)
	b.ix.nodes = append(b.ix.nodes, make([]node, count)...)
	b.ix.keys = append(b.ix.keys, make([]string, count)...)
	return first
}

// Set describes node id: its shape, position and (under a mapping) its key.
func (b *Builder) Set(id int, kind Kind, key string, line, col int) {
	n := &b.ix.nodes[id]
	n.kind, n.line, n.col = kind, int32(line), int32(col)
	n.keyHint, n.keyLen = hint(key)
	b.ix.keys[id] = key
}

// Len is the number of nodes added so far.
func (b *Builder) Len() int { return len(b.ix.nodes) }

// Index returns the finished index, copied to memory of its exact size
// when growing it left much unused: a scan keeps every index until the end.
func (b *Builder) Index() *Index {
	ix := b.ix
	if unused := cap(ix.nodes) - len(ix.nodes); unused > len(ix.nodes)/8 {
		ix.nodes = slices.Clone(ix.nodes)
		ix.keys = slices.Clone(ix.keys)
	}
	return ix
}

// Lookup returns the position of the node at path and true, or, when the path
// does not exist, the position of its deepest existing ancestor and false.
// A nil or empty index returns the zero Pos and false.
func (ix *Index) Lookup(path string) (Pos, bool) {
	if ix == nil || len(ix.nodes) == 0 {
		return Pos{}, false
	}
	cur, exact := ix.descend(Root, path, nil)
	return ix.Pos(cur), exact
}

// descend follows path from node cur as far as it exists. step, when set,
// is told each node reached and the part of path still to follow.
func (ix *Index) descend(cur int, path string, step func(node int, rest string)) (id int, exact bool) {
	for {
		seg, rest, ok := nextSegment(path)
		if !ok {
			return cur, true
		}
		next := ix.child(cur, seg)
		if next < 0 {
			return cur, false
		}
		cur, path = next, rest
		if step != nil {
			step(cur, rest)
		}
	}
}

// Cursor looks paths up in indexes one after the other, starting each walk
// where the previous one shares its beginning: the paths a check reports
// on one object mostly begin alike ("spec.template.spec.containers[0]").
// The zero Cursor is ready; a Cursor is not safe for concurrent use.
type Cursor struct {
	ix   *Index
	path string
	// ends[i] is the length of the prefix of path that the first i+1
	// segments span, and nodes[i] the node those segments lead to.
	ends  []int
	nodes []int
}

// Lookup is ix.Lookup(path).
func (c *Cursor) Lookup(ix *Index, path string) (Pos, bool) {
	if ix == nil || len(ix.nodes) == 0 {
		return Pos{}, false
	}
	if ix != c.ix {
		c.ix, c.path, c.ends, c.nodes = ix, "", c.ends[:0], c.nodes[:0]
	}
	// Keep the steps whose prefix path shares and ends at a segment
	// boundary of path too.
	keep := len(c.ends)
	for keep > 0 {
		end := c.ends[keep-1]
		if end <= len(path) && (end == len(path) || path[end] == '.' || path[end] == '[') && path[:end] == c.path[:end] {
			break
		}
		keep--
	}
	c.ends, c.nodes = c.ends[:keep], c.nodes[:keep]
	cur, rest := Root, path
	if keep > 0 {
		cur, rest = c.nodes[keep-1], path[c.ends[keep-1]:]
	}
	c.path = path
	cur, exact := ix.descend(cur, rest, func(node int, left string) {
		c.ends, c.nodes = append(c.ends, len(path)-len(left)), append(c.nodes, node)
	})
	return ix.Pos(cur), exact
}

// Has reports whether path exists in the document.
func (ix *Index) Has(path string) bool {
	_, ok := ix.Lookup(path)
	return ok
}

func (ix *Index) child(id int, seg segment) int {
	n := ix.nodes[id]
	switch n.kind {
	case Mapping:
		h, l := hint(seg.name)
		for i := n.first; i < n.first+n.count; i++ {
			if c := &ix.nodes[i]; c.keyHint == h && c.keyLen == l && ix.keys[i] == seg.name {
				return int(i)
			}
		}
	case Sequence:
		if seg.index >= 0 && seg.index < int(n.count) {
			return int(n.first) + seg.index
		}
	}
	return -1
}

// Walk calls fn for every node in depth-first order with its path. It stops
// when fn returns false.
func (ix *Index) Walk(fn func(id int, path string) bool) {
	if ix == nil || len(ix.nodes) == 0 {
		return
	}
	ix.walk(Root, "", fn)
}

func (ix *Index) walk(id int, path string, fn func(int, string) bool) bool {
	if !fn(id, path) {
		return false
	}
	n := ix.nodes[id]
	for i := n.first; i < n.first+n.count; i++ {
		var p string
		switch n.kind {
		case Mapping:
			p = JoinKey(path, ix.keys[i])
		case Sequence:
			p = path + "[" + strconv.Itoa(int(i-n.first)) + "]"
		}
		if !ix.walk(int(i), p, fn) {
			return false
		}
	}
	return true
}

// Pos returns the position of node id.
func (ix *Index) Pos(id int) Pos {
	n := ix.nodes[id]
	return Pos{Line: int(n.line), Column: int(n.col)}
}

// JoinKey appends a mapping key to a path the way field.Path prints it:
// as ".key" when it is a plain field name, as "[key]" otherwise.
func JoinKey(path, key string) string {
	if isFieldName(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	return path + "[" + key + "]"
}

func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '-')) {
			return false
		}
	}
	return true
}

type segment struct {
	name  string // mapping key
	index int    // sequence index, or -1
}

// nextSegment returns the first segment of a path like
// "a.b[0].c[key.with.dots]" and the rest. A bracketed segment is both a key
// and, when numeric, an index; the node's kind decides. It does not
// allocate.
func nextSegment(path string) (segment, string, bool) {
	for len(path) > 0 && path[0] == '.' {
		path = path[1:]
	}
	if path == "" {
		return segment{}, "", false
	}
	if path[0] == '[' {
		end := strings.IndexByte(path, ']')
		if end < 0 {
			end = len(path)
		}
		inner := path[1:end]
		return segment{name: inner, index: parseIndex(inner)}, path[min(end+1, len(path)):], true
	}
	end := 0
	for end < len(path) && path[end] != '.' && path[end] != '[' {
		end++
	}
	return segment{name: path[:end], index: -1}, path[end:], true
}

// parseIndex reads a non-negative decimal index, or returns -1.
func parseIndex(s string) int {
	if s == "" || len(s) > 9 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// Node returns the ID of the node at path and true, or -1 and false when
// the path does not exist.
func (ix *Index) Node(path string) (int, bool) {
	if ix == nil || len(ix.nodes) == 0 {
		return -1, false
	}
	if id, exact := ix.descend(Root, path, nil); exact {
		return id, true
	}
	return -1, false
}

// PathOf returns the path of node id, or "" when id is the root or unknown.
func (ix *Index) PathOf(id int) string {
	found := ""
	ix.Walk(func(n int, path string) bool {
		if n == id {
			found = path
			return false
		}
		return true
	})
	return found
}

// Segment is one step of a field path: a mapping key, which is also a
// sequence index (Index >= 0) when it is a number in brackets.
type Segment struct {
	Key   string
	Index int
}

// Segments splits a field path such as "a.b[0].c[key.with.dots]" into its
// steps.
func Segments(path string) []Segment {
	var out []Segment
	for {
		seg, rest, ok := nextSegment(path)
		if !ok {
			return out
		}
		out = append(out, Segment{Key: seg.name, Index: seg.index})
		path = rest
	}
}
