package fix

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/position"
)

// found is where a target's path leads in a document.
type found struct {
	// node is the node at the path, or its deepest existing ancestor.
	node *yaml.Node
	// key is the mapping key node node is the value of, if any.
	key *yaml.Node
	// missing are the keys of the path below node, when the path does
	// not exist to its end.
	missing []string
}

// locate follows path from a document's root node.
func locate(root *yaml.Node, path string) (found, error) {
	cur := found{node: root}
	segs := position.Segments(path)
	for i, seg := range segs {
		n := cur.node
		if n.Kind == yaml.AliasNode || n.Anchor != "" {
			return found{}, fmt.Errorf("%s: the path goes through an anchor or alias, and an edit there would change every place it is used; fix it by hand", where(n))
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next, key *yaml.Node
			for j := 0; j+1 < len(n.Content); j += 2 {
				k := n.Content[j]
				if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag == "!!merge" {
					return found{}, fmt.Errorf("%s: the mapping has a merge key (<<), which may already set the field; fix it by hand", where(n))
				}
				if k.Kind == yaml.ScalarNode && k.Value == seg.Key {
					next, key = n.Content[j+1], k
				}
			}
			if next == nil {
				return cur.withMissing(segs[i:])
			}
			cur = found{node: next, key: key}
		case yaml.SequenceNode:
			if seg.Index < 0 || seg.Index >= len(n.Content) {
				return found{}, fmt.Errorf("%s: the list has no item %s", where(n), seg.Key)
			}
			cur = found{node: n.Content[seg.Index]}
		case yaml.ScalarNode:
			if n.Tag != "!!null" {
				return found{}, fmt.Errorf("%s: %s is a %s where a mapping was expected", where(n), seg.Key, n.Tag)
			}
			return cur.withMissing(segs[i:])
		}
	}
	if n := cur.node; n.Kind == yaml.AliasNode || n.Anchor != "" {
		return found{}, fmt.Errorf("%s: the field is an anchor or alias, and an edit would change every place it is used; fix it by hand", where(n))
	}
	return cur, nil
}

// withMissing records the keys still to create below cur.
func (cur found) withMissing(segs []position.Segment) (found, error) {
	for _, s := range segs {
		if s.Index >= 0 {
			return found{}, fmt.Errorf("%s: the list item %s is missing", where(cur.node), s.Key)
		}
		cur.missing = append(cur.missing, s.Key)
	}
	return cur, nil
}

// describe names a node's kind for a message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias *" + n.Value
	}
	return "value " + n.Value
}

// tree is what to insert under one node: keys in the order first asked,
// each with a value or a subtree.
type tree struct {
	keys []string
	sub  map[string]*tree
	leaf map[string]leaf
}

// leaf is a value to write: a scalar, or a one-item list.
type leaf struct {
	value any
	list  bool
}

func newTree() *tree { return &tree{sub: map[string]*tree{}, leaf: map[string]leaf{}} }

// add records value at the path of keys, or says why it conflicts with
// what is recorded.
func (t *tree) add(keys []string, v leaf) error {
	k := keys[0]
	if len(keys) == 1 {
		if old, ok := t.leaf[k]; ok {
			if old != v {
				return fmt.Errorf("another fix sets %s to %v", k, old.value)
			}
			return nil
		}
		if _, ok := t.sub[k]; ok {
			return fmt.Errorf("another fix sets fields under %s", k)
		}
		t.keys = append(t.keys, k)
		t.leaf[k] = v
		return nil
	}
	if _, ok := t.leaf[k]; ok {
		return fmt.Errorf("another fix sets %s to a value", k)
	}
	sub, ok := t.sub[k]
	if !ok {
		sub = newTree()
		t.sub[k] = sub
		t.keys = append(t.keys, k)
	}
	return sub.add(keys[1:], v)
}

// lines renders t as block YAML, each line indented by indent spaces and
// nested mappings by step more.
func (t *tree) lines(indent, step int) []string {
	var out []string
	pad := strings.Repeat(" ", indent)
	for _, k := range t.keys {
		if v, ok := t.leaf[k]; ok {
			out = append(out, pad+scalarKey(k)+": "+v.text())
			continue
		}
		out = append(out, pad+scalarKey(k)+":")
		out = append(out, t.sub[k].lines(indent+step, step)...)
	}
	return out
}

// text writes a leaf as YAML.
func (v leaf) text() string {
	if v.list {
		return "[" + quoted(v.value) + "]"
	}
	return scalar(v.value)
}

// scalar writes a bool or string as a YAML scalar: plain where that reads
// back as the same string, quoted otherwise.
func scalar(v any) string {
	switch v := v.(type) {
	case bool:
		if v {
			return "true"
		}
		return "false"
	case string:
		if plainSafe(v) {
			return v
		}
		return quoted(v)
	}
	return quoted(fmt.Sprint(v))
}

// quoted writes a value as a double-quoted YAML string (JSON quoting is a
// subset of it).
func quoted(v any) string {
	s := fmt.Sprint(v)
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// scalarKey writes a mapping key.
func scalarKey(k string) string {
	if plainSafe(k) {
		return k
	}
	return quoted(k)
}

// plainSafe reports whether s reads back as the same string when written
// plain: letters, digits, '-', '_', '.', '/', starting with a letter, and
// none of YAML's words for booleans and null.
func plainSafe(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/') {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null":
		return false
	}
	return true
}
