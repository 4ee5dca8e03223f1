package manifest

import (
	"github.com/kube4c/kube4c/internal/jsonescape"

	"fmt"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/position"
	"github.com/kube4c/kube4c/internal/source/fastyaml"
)

// Limits bound the work one document may cause.
const (
	// MaxDocumentBytes is the largest document accepted. The API server
	// refuses requests above 3 MiB; etcd stores at most 1.5 MiB per object.
	MaxDocumentBytes = 8 << 20
	// MaxListBytes and MaxListItems bound a List (or top-level sequence)
	// larger than MaxDocumentBytes, which is read item by item, each item
	// up to MaxDocumentBytes: a kubectl get -A -o yaml dump of a large
	// cluster fits, an endless or absurd one does not.
	MaxListBytes = 1 << 30
	MaxListItems = 500_000
	// MaxDepth is the deepest nesting of mappings and sequences accepted.
	MaxDepth = 256
	// expansionFactor bounds the JSON a document may expand to through
	// aliases, relative to its own size (with a floor of minExpansion).
	expansionFactor = 8
	minExpansion    = 1 << 20
)

// convError is a conversion error at a position of the document.
type convError struct {
	pos position.Pos
	msg string
}

func (e *convError) Error() string { return e.msg }

// converter turns a parsed YAML document into JSON, building the position
// index of every node on the way, in one walk.
type converter struct {
	buf        []byte
	pb         *position.Builder
	lineOffset int
	// colOffset is added to the columns of the document's first line.
	colOffset int
	maxBytes  int
	// spans[i] is the JSON byte range of position node i; used to locate
	// decoding errors.
	spans [][2]int32
}

// convert returns the JSON text and position index of the YAML node n,
// whose lines are counted from firstLine of the file. docBytes is the size
// of the document's text.
func convert(n *yaml.Node, firstLine, docBytes int) (*converted, error) {
	return convertAt(n, firstLine, 1, docBytes)
}

// convertAt is convert for a document whose first character is at column
// firstCol of its line (a JSON value that follows another on its line).
func convertAt(n *yaml.Node, firstLine, firstCol, docBytes int) (*converted, error) {
	c := &converter{
		buf:        make([]byte, 0, docBytes+docBytes/4+16),
		lineOffset: firstLine - 1,
		colOffset:  max(firstCol-1, 0),
		maxBytes:   max(docBytes*expansionFactor, minExpansion),
	}
	n = resolveAlias(n)
	line, col := c.pos(n)
	c.pb = position.NewBuilder(kindOf(n), line, col)
	c.spans = make([][2]int32, 1, 64)
	if err := c.value(n, position.Root, 0); err != nil {
		return nil, err
	}
	return &converted{json: c.buf, index: c.pb.Index(), spans: c.spans}, nil
}

// converted is a document in JSON with its positions.
type converted struct {
	json  []byte
	index *position.Index
	spans [][2]int32
}

func kindOf(n *yaml.Node) position.Kind {
	switch n.Kind {
	case yaml.MappingNode:
		return position.Mapping
	case yaml.SequenceNode:
		return position.Sequence
	}
	return position.Scalar
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 1000; i++ {
		n = n.Alias
	}
	return n
}

// pos returns the line and column of n in the file.
func (c *converter) pos(n *yaml.Node) (line, col int) {
	if n.Line == 1 {
		return n.Line + c.lineOffset, n.Column + c.colOffset
	}
	return n.Line + c.lineOffset, n.Column
}

func (c *converter) fail(n *yaml.Node, format string, args ...any) error {
	line, col := c.pos(n)
	return &convError{pos: position.Pos{Line: line, Column: col}, msg: fmt.Sprintf(format, args...)}
}

func (c *converter) value(n *yaml.Node, id, depth int) error {
	if depth > MaxDepth {
		return c.fail(n, "document is nested deeper than %d levels", MaxDepth)
	}
	if len(c.buf) > c.maxBytes {
		return c.fail(n, "document expands to more than %d bytes through aliases (a YAML bomb?)", c.maxBytes)
	}
	n = resolveAlias(n)
	for len(c.spans) <= id {
		c.spans = append(c.spans, [2]int32{})
	}
	c.spans[id][0] = int32(len(c.buf))
	var err error
	switch n.Kind {
	case yaml.MappingNode:
		err = c.mapping(n, id, depth)
	case yaml.SequenceNode:
		err = c.sequence(n, id, depth)
	case yaml.ScalarNode:
		err = c.scalar(n)
	case yaml.AliasNode:
		err = c.fail(n, "alias *%s refers to no anchor", n.Value)
	default:
		c.buf = append(c.buf, "null"...)
	}
	c.spans[id][1] = int32(len(c.buf))
	return err
}

type pair struct {
	key   string
	kNode *yaml.Node
	value *yaml.Node
}

func (c *converter) mapping(n *yaml.Node, id, depth int) error {
	pairs, err := c.pairs(n, 0)
	if err != nil {
		return err
	}
	first := c.pb.Children(id, len(pairs))
	c.buf = append(c.buf, '{')
	for i, p := range pairs {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.buf = jsonescape.AppendString(c.buf, p.key)
		c.buf = append(c.buf, ':')
		v := resolveAlias(p.value)
		line, col := c.pos(p.kNode)
		c.pb.Set(first+i, kindOf(v), p.key, line, col)
		if err := c.value(v, first+i, depth+1); err != nil {
			return err
		}
	}
	c.buf = append(c.buf, '}')
	return nil
}

// pairs returns the key/value pairs of a mapping, with merge keys ("<<")
// applied: keys of the mapping win over merged ones, and earlier merged
// mappings win over later ones. Duplicate keys are an error, as they are
// for the API server.
func (c *converter) pairs(n *yaml.Node, depth int) ([]pair, error) {
	if depth > MaxDepth {
		return nil, c.fail(n, "merge keys are nested deeper than %d levels", MaxDepth)
	}
	out := make([]pair, 0, len(n.Content)/2)
	seen := pairIndex{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolveAlias(n.Content[i])
		v := n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, c.fail(k, "mapping key is a %s; Kubernetes objects only have string keys", nodeKindName(k))
		}
		if prev := seen.find(out, k.Value); prev != nil {
			return nil, c.fail(k, "duplicate key %q (first at line %d)", k.Value, prev.kNode.Line+c.lineOffset)
		}
		out = seen.add(out, pair{key: k.Value, kNode: k, value: v})
	}
	for _, m := range merges {
		m = resolveAlias(m)
		var sources []*yaml.Node
		switch m.Kind {
		case yaml.MappingNode:
			sources = []*yaml.Node{m}
		case yaml.SequenceNode:
			for _, s := range m.Content {
				sources = append(sources, resolveAlias(s))
			}
		}
		for _, src := range sources {
			if src.Kind != yaml.MappingNode {
				return nil, c.fail(src, "merge key << needs a mapping or a sequence of mappings")
			}
			merged, err := c.pairs(src, depth+1)
			if err != nil {
				return nil, err
			}
			for _, p := range merged {
				if seen.find(out, p.key) == nil {
					out = seen.add(out, p)
				}
			}
		}
	}
	return out, nil
}

// pairIndex finds pairs by key: by a linear search while a mapping is
// small (the common case), through a map once it is large, so that huge
// mappings stay linear.
type pairIndex struct {
	byKey map[string]int
}

const pairIndexThreshold = 16

func (x *pairIndex) find(pairs []pair, key string) *pair {
	if x.byKey != nil {
		if i, ok := x.byKey[key]; ok {
			return &pairs[i]
		}
		return nil
	}
	for i := range pairs {
		if pairs[i].key == key {
			return &pairs[i]
		}
	}
	return nil
}

func (x *pairIndex) add(pairs []pair, p pair) []pair {
	pairs = append(pairs, p)
	switch {
	case x.byKey != nil:
		x.byKey[p.key] = len(pairs) - 1
	case len(pairs) > pairIndexThreshold:
		x.byKey = make(map[string]int, 2*len(pairs))
		for i := range pairs {
			x.byKey[pairs[i].key] = i
		}
	}
	return pairs
}

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	}
	return "scalar"
}

func (c *converter) sequence(n *yaml.Node, id, depth int) error {
	first := c.pb.Children(id, len(n.Content))
	c.buf = append(c.buf, '[')
	for i, item := range n.Content {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		v := resolveAlias(item)
		line, col := c.pos(item)
		c.pb.Set(first+i, kindOf(v), "", line, col)
		if err := c.value(v, first+i, depth+1); err != nil {
			return err
		}
	}
	c.buf = append(c.buf, ']')
	return nil
}

func (c *converter) scalar(n *yaml.Node) error {
	buf, err := fastyaml.AppendScalar(c.buf, n.ShortTag(), n.Value)
	if err != nil {
		return c.fail(n, "%s", err)
	}
	c.buf = buf
	return nil
}
