// Package fastyaml converts the YAML text of one Kubernetes manifest
// document straight into JSON, with the position index and JSON spans of
// every node, without building a yaml.Node tree.
//
// It reads only the subset of YAML that manifests are written in: block
// mappings and sequences, plain, quoted and block scalars, comments and
// one-line flow collections. For everything else (anchors, aliases, tags,
// merge keys, complex keys, directives, tabs in indentation, duplicate keys,
// multi-line flow collections, syntax errors, ...) it declines, and the
// caller falls back to a full YAML parser. When it accepts a document, its
// output is the one go.yaml.in/yaml/v3 and the manifest converter give.
// The differential tests that hold it to that (on the shared corpus, on
// hand-written and generated documents, and by fuzzing) are in package
// manifest, beside the converter they compare it with.
package fastyaml

import (
	"github.com/kube4c/kube4c/internal/jsonescape"

	"sync"
	"unicode/utf8"

	"github.com/kube4c/kube4c/internal/position"
)

// Limits bound the documents the fast path accepts; it declines the others.
type Limits struct {
	// MaxDepth is the deepest node accepted; the root is at depth 0.
	MaxDepth int
	// MaxJSONBytes is the largest JSON text accepted.
	MaxJSONBytes int
}

// Result is one document converted to JSON.
type Result struct {
	// JSON is the document as JSON text.
	JSON []byte
	// Index holds the position of every node.
	Index *position.Index
	// Spans[i] is the byte range in JSON of the value of index node i.
	Spans [][2]int32
	// APIVersion and Kind are the string values of the root mapping's
	// apiVersion and kind keys, or "" when they are missing or not strings.
	APIVersion, Kind string
}

// Convert converts data, the text of one YAML document whose first line is
// line firstLine of its file. It returns false when the document is not a
// block mapping in the subset of YAML it reads, or exceeds lim.
func Convert(data []byte, firstLine int, lim Limits) (*Result, bool) {
	src, ascii, ok := prepare(data)
	if !ok {
		return nil, false
	}
	p := parsers.Get().(*parser)
	defer p.release()
	if !p.parse(src, ascii, lim.MaxDepth) {
		return nil, false
	}
	res := p.emit(firstLine)
	if len(res.JSON) > lim.MaxJSONBytes {
		return nil, false
	}
	return res, true
}

// prepare checks that data holds only characters YAML allows and no line
// breaks but LF and CR LF. It returns the text with CR LF turned into LF,
// and whether it is all ASCII.
func prepare(data []byte) (src []byte, ascii, ok bool) {
	ascii = true
	crlf := false
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 0x20 && c < 0x7f, c == '\n', c == '\t':
			case c == '\r' && i+1 < len(data) && data[i+1] == '\n':
				crlf = true
			default:
				return nil, false, false
			}
			i++
			continue
		}
		ascii = false
		r, size := utf8.DecodeRune(data[i:])
		// NEL, LS and PS are line breaks to YAML; the BOM is special too.
		if size == 1 || !(r >= 0xA0 && r <= 0xD7FF && r != 0x2028 && r != 0x2029 ||
			r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF || r >= 0x10000 && r <= 0x10FFFF) {
			return nil, false, false
		}
		i += size
	}
	if !crlf {
		return data, ascii, true
	}
	src = make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		if data[i] != '\r' {
			src = append(src, data[i])
		}
	}
	return src, ascii, true
}

// node is a parsed node. Nodes are stored in document order; the children
// of a collection follow it, each child's subtree ending where the next
// child starts.
type node struct {
	key         string // the key, for the value of a mapping entry
	line, col   int32  // 1-based position of the node in the document
	kline, kcol int32  // position of its key, for the value of a mapping entry
	v0, v1      int32  // scalars: the JSON text in parser.vals
	count       int32  // collections: number of children
	end         int32  // index just past the node's subtree
	kind        position.Kind
	str         bool // a scalar that resolved to a string
}

var parsers = sync.Pool{New: func() any { return new(parser) }}

// release returns p to the pool, unless a large document grew its buffers.
func (p *parser) release() {
	if cap(p.vals) > 1<<20 || cap(p.scratch) > 1<<20 || cap(p.nodes) > 1<<14 {
		return
	}
	clear(p.nodes)
	*p = parser{nodes: p.nodes[:0], vals: p.vals[:0], scratch: p.scratch[:0]}
	parsers.Put(p)
}

// emit walks the parsed nodes in the order the manifest converter does, so
// that node IDs, JSON text and spans come out the same.
func (p *parser) emit(firstLine int) *Result {
	root := &p.nodes[0]
	e := emitter{
		p:      p,
		pb:     position.NewBuilder(root.kind, int(root.line)+firstLine-1, int(root.col)),
		buf:    make([]byte, 0, len(p.vals)+p.keyBytes+2*len(p.nodes)+16),
		spans:  make([][2]int32, len(p.nodes)),
		offset: firstLine - 1,
	}
	e.value(0, position.Root)
	return &Result{JSON: e.buf, Index: e.pb.Index(), Spans: e.spans, APIVersion: p.apiVersion, Kind: p.kind}
}

type emitter struct {
	p      *parser
	pb     *position.Builder
	buf    []byte
	spans  [][2]int32
	offset int
}

func (e *emitter) value(i int32, id int) {
	n := &e.p.nodes[i]
	e.spans[id][0] = int32(len(e.buf))
	switch n.kind {
	case position.Scalar:
		e.buf = append(e.buf, e.p.vals[n.v0:n.v1]...)
	case position.Mapping, position.Sequence:
		first := e.pb.Children(id, int(n.count))
		open, closer := byte('['), byte(']')
		if n.kind == position.Mapping {
			open, closer = '{', '}'
		}
		e.buf = append(e.buf, open)
		c := i + 1
		for k := 0; k < int(n.count); k++ {
			child := &e.p.nodes[c]
			if k > 0 {
				e.buf = append(e.buf, ',')
			}
			if n.kind == position.Mapping {
				e.buf = jsonescape.AppendString(e.buf, child.key)
				e.buf = append(e.buf, ':')
				e.pb.Set(first+k, child.kind, child.key, int(child.kline)+e.offset, int(child.kcol))
			} else {
				e.pb.Set(first+k, child.kind, "", int(child.line)+e.offset, int(child.col))
			}
			e.value(c, first+k)
			c = child.end
		}
		e.buf = append(e.buf, closer)
	}
	e.spans[id][1] = int32(len(e.buf))
}
