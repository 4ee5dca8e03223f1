package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/inventory"
)

// nodes reads typed values out of YAML nodes of one file, collecting errors
// located at the offending node instead of stopping at the first.
type nodes struct {
	file string
	errs []error
}

func (ns *nodes) loc(n *yaml.Node) inventory.Location {
	return inventory.Location{File: ns.file, Line: n.Line, Column: n.Column}
}

func (ns *nodes) errorf(n *yaml.Node, format string, args ...any) {
	ns.errs = append(ns.errs, &Error{Location: ns.loc(n), Message: fmt.Sprintf(format, args...)})
}

// mapping calls fn for each key and value of the mapping n, in order. It
// reports keys that are not strings, repeated keys and, when allowed is not
// nil, keys it does not list. A null n is an empty mapping. It returns
// false when n is not a mapping.
func (ns *nodes) mapping(n *yaml.Node, what string, allowed []string, fn func(k, v *yaml.Node)) bool {
	r := resolve(n)
	if isNull(r) {
		return true
	}
	if r.Kind != yaml.MappingNode {
		ns.errorf(n, "%s: want a mapping, got %s", what, describe(r))
		return false
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(r.Content); i += 2 {
		k, v := r.Content[i], r.Content[i+1]
		switch first := seen[k.Value]; {
		case k.Kind != yaml.ScalarNode:
			ns.errorf(k, "%s: keys must be strings, got %s", what, describe(k))
		case first != nil:
			ns.errorf(k, "%s: key %q is repeated (first at line %d)", what, k.Value, first.Line)
		case allowed != nil && !slices.Contains(allowed, k.Value):
			ns.errorf(k, "%s: unknown key %q (want %s)", what, k.Value, strings.Join(allowed, ", "))
		default:
			seen[k.Value] = k
			fn(k, v)
		}
	}
	return true
}

// sequence returns the items of the sequence n; a null n is empty.
func (ns *nodes) sequence(n *yaml.Node, what string) []*yaml.Node {
	r := resolve(n)
	switch {
	case isNull(r):
		return nil
	case r.Kind != yaml.SequenceNode:
		ns.errorf(n, "%s: want a list, got %s", what, describe(r))
		return nil
	}
	return r.Content
}

// stringList reads a list of strings, calling each (if not nil) with every
// item and its node.
func (ns *nodes) stringList(n *yaml.Node, what string, each func(string, *yaml.Node)) []string {
	items := ns.sequence(n, what)
	out := make([]string, 0, len(items))
	for _, item := range items {
		if r := resolve(item); r.Kind != yaml.ScalarNode || isNull(r) {
			ns.errorf(item, "%s: want a list of strings, got %s in it", what, describe(r))
			continue
		}
		s := resolve(item).Value
		out = append(out, s)
		if each != nil {
			each(s, item)
		}
	}
	return out
}

// str reads a scalar as a string; a null n is "".
func (ns *nodes) str(n *yaml.Node, what string) string {
	r := resolve(n)
	switch {
	case isNull(r):
		return ""
	case r.Kind != yaml.ScalarNode:
		ns.errorf(n, "%s: want a string, got %s", what, describe(r))
		return ""
	}
	return r.Value
}

// boolean reads true or false; a null n is nil.
func (ns *nodes) boolean(n *yaml.Node, what string) *bool {
	r := resolve(n)
	if isNull(r) {
		return nil
	}
	var b bool
	if r.Kind != yaml.ScalarNode || r.ShortTag() != "!!bool" || r.Decode(&b) != nil {
		ns.errorf(n, "%s: want true or false, got %s", what, describe(r))
		return nil
	}
	return &b
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// describe names what n is, for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if isNull(n) {
		return "null"
	}
	return strconv.Quote(n.Value)
}

// parseDocument parses the single YAML document of a configuration file and
// returns its root node, or nil when the file holds no content.
func parseDocument(data []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: parser failed: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, extra yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	switch err := dec.Decode(&extra); {
	case err == nil && len(extra.Content) > 0 && !isNull(extra.Content[0]):
		return nil, fmt.Errorf("yaml: line %d: a configuration file holds one YAML document, found another", extra.Content[0].Line)
	case err != nil && !errors.Is(err, io.EOF):
		return nil, err
	}
	if len(doc.Content) == 0 || isNull(resolve(doc.Content[0])) {
		return nil, nil
	}
	return doc.Content[0], nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError turns a go-yaml parse error into an *Error with its line.
func syntaxError(file string, err error) error {
	msg := err.Error()
	e := &Error{Location: inventory.Location{File: file}, Message: strings.TrimPrefix(msg, "yaml: ")}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Message = msg[len(m[0]):]
	}
	return e
}
