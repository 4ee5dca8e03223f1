package fix

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// insertion gathers what goes under one existing node: new keys under a
// block mapping, or a mapping (or value) that replaces an empty one.
type insertion struct {
	at      found
	tree    *tree
	targets []Target
	// value is set when the node itself (an empty value) gets a value.
	value *leaf
}

// plan works out the edits of targets. Targets that need no edit are
// applied; those that cannot be made are refused.
func (f *file) plan(targets []Target) (edits []Edit, applied []Target, refused []Refusal) {
	refuse := func(t Target, reason string) { refused = append(refused, Refusal{t, reason}) }
	var order []*yaml.Node
	inserts := map[*yaml.Node]*insertion{}
	appended := map[*yaml.Node]map[string]bool{}
	for _, t := range targets {
		doc := f.docs[t.RootLine]
		if doc == nil {
			refuse(t, fmt.Sprintf("no document starts at line %d", t.RootLine))
			continue
		}
		fnd, err := locate(doc, joinPath(t.Prefix, t.Patch.Path))
		if err != nil {
			refuse(t, err.Error())
			continue
		}
		n, v := fnd.node, leaf{value: t.Patch.Value, list: t.Patch.Append}
		if len(fnd.missing) == 0 && !isNull(n) {
			// The field is there: change it in place.
			e, done, err := f.change(fnd, t, appended)
			switch {
			case err != nil:
				refuse(t, err.Error())
			case done:
				applied = append(applied, t)
			default:
				edits = append(edits, e)
				applied = append(applied, t)
			}
			continue
		}
		ins := inserts[n]
		if ins == nil {
			if err := f.insertable(fnd); err != nil {
				refuse(t, err.Error())
				continue
			}
			ins = &insertion{at: fnd, tree: newTree()}
			inserts[n] = ins
			order = append(order, n)
		}
		if len(fnd.missing) == 0 {
			if ins.value != nil && *ins.value != v || len(ins.tree.keys) > 0 {
				refuse(t, at(n, "another fix sets this field differently"))
				continue
			}
			ins.value = &v
		} else if ins.value != nil {
			refuse(t, at(n, "another fix sets this field to a value"))
			continue
		} else if err := ins.tree.add(fnd.missing, v); err != nil {
			refuse(t, at(n, "%v", err))
			continue
		}
		ins.targets = append(ins.targets, t)
	}
	for _, n := range order {
		ins := inserts[n]
		e, err := f.insert(ins)
		if err != nil {
			for _, t := range ins.targets {
				refuse(t, err.Error())
			}
			continue
		}
		edits = append(edits, e)
		applied = append(applied, ins.targets...)
	}
	// Inner collections end where their parents do: at one offset, the
	// deeper insertion goes first.
	slices.SortStableFunc(edits, func(a, b Edit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return b.depth - a.depth
	})
	return edits, applied, refused
}

// joinPath joins an object's prefix in its document and a field path, the
// way inventory.Object.Locate does.
func joinPath(prefix, path string) string {
	if prefix == "" {
		return path
	}
	if path == "" || path[0] == '[' {
		return prefix + path
	}
	return prefix + "." + path
}

// isNull reports whether n is an empty or null value.
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// change edits a field that is set: replaces its scalar, or adds an item
// to its list. done reports that nothing needs to change.
func (f *file) change(fnd found, t Target, appended map[*yaml.Node]map[string]bool) (e Edit, done bool, err error) {
	n, p := fnd.node, t.Patch
	if p.Append {
		if n.Kind != yaml.SequenceNode {
			return Edit{}, false, fmt.Errorf("%s: %s is not a list", where(n), p.Path)
		}
		want := fmt.Sprint(p.Value)
		for _, item := range n.Content {
			if item.Kind == yaml.ScalarNode && item.Value == want {
				return Edit{}, true, nil
			}
		}
		if appended[n][want] {
			return Edit{}, true, nil
		}
		if appended[n] == nil {
			appended[n] = map[string]bool{}
		}
		appended[n][want] = true
		return f.appendItem(n, p.Value)
	}
	if n.Kind != yaml.ScalarNode {
		return Edit{}, false, fmt.Errorf("%s: %s is a %s, not a value", where(n), p.Path, describe(n))
	}
	if sameScalar(n, p.Value) {
		return Edit{}, true, nil
	}
	if p.IfAbsent {
		return Edit{}, false, fmt.Errorf("%s: %s is set to %s on purpose; review it by hand", where(n), p.Path, n.Value)
	}
	return f.replaceScalar(n, p.Value)
}

// sameScalar reports whether a scalar node already holds v.
func sameScalar(n *yaml.Node, v any) bool {
	switch v := v.(type) {
	case bool:
		b, err := strconv.ParseBool(n.Value)
		return n.Tag == "!!bool" && err == nil && b == v
	case string:
		return n.Tag == "!!str" && n.Value == v
	}
	return false
}

// replaceScalar replaces a one-line plain or quoted scalar, keeping its
// quoting.
func (f *file) replaceScalar(n *yaml.Node, v any) (Edit, bool, error) {
	start := f.offset(n.Line, n.Column)
	end, err := f.scalarEnd(n)
	if err != nil {
		return Edit{}, false, err
	}
	var text string
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		text = quoted(v)
	case n.Style&yaml.SingleQuotedStyle != 0 && !strings.Contains(fmt.Sprint(v), "'"):
		text = "'" + fmt.Sprint(v) + "'"
	case n.Style&yaml.SingleQuotedStyle != 0:
		text = quoted(v)
	default:
		text = scalar(v)
	}
	return Edit{Start: start, End: end, Text: text}, false, nil
}

// scalarEnd returns the offset just after a one-line plain or quoted
// scalar written the way it reads (no escapes).
func (f *file) scalarEnd(n *yaml.Node) (int, error) {
	start := f.offset(n.Line, n.Column)
	raw := n.Value
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		raw = `"` + n.Value + `"`
	case n.Style&yaml.SingleQuotedStyle != 0:
		raw = "'" + n.Value + "'"
	}
	if start < 0 || n.Kind != yaml.ScalarNode || n.Style&(yaml.TaggedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 ||
		strings.Contains(raw, "\n") || !strings.HasPrefix(string(f.src[start:]), raw) {
		return 0, fmt.Errorf("%s: the value is not a one-line value written the way it reads (tags, escapes or line breaks); fix it by hand", where(n))
	}
	return start + len(raw), nil
}

// appendItem adds an item to a list: a new "- item" line after a block
// list's last item, or a first item in a flow list.
func (f *file) appendItem(n *yaml.Node, v any) (Edit, bool, error) {
	start := f.offset(n.Line, n.Column)
	if start < 0 {
		return Edit{}, false, fmt.Errorf("%s: cannot find the list", at(n, "list"))
	}
	if n.Style&yaml.FlowStyle != 0 {
		if f.src[start] != '[' {
			return Edit{}, false, fmt.Errorf("%s: cannot find the list's [", at(n, "list"))
		}
		if len(n.Content) == 0 {
			return Edit{Start: start + 1, End: start + 1, Text: quoted(v)}, false, nil
		}
		// After the last item, so that the list reads as before plus one.
		end, err := f.scalarEnd(n.Content[len(n.Content)-1])
		if err != nil {
			return Edit{}, false, err
		}
		return Edit{Start: end, End: end, Text: ", " + quoted(v)}, false, nil
	}
	if f.src[start] != '-' || len(n.Content) == 0 {
		return Edit{}, false, fmt.Errorf("%s: cannot find the list's first item", at(n, "list"))
	}
	gap := max(n.Content[0].Column-n.Column, 2)
	dash := n.Column - 1
	end, hasEOL := f.blockEnd(n, dash)
	line := strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", gap-1) + scalar(v)
	return Edit{Start: end, End: end, Text: lineText(line, hasEOL, f.eol), depth: dash + 1}, false, nil
}

// insertable says why keys cannot be added under a found node, or nil.
func (f *file) insertable(fnd found) error {
	n := fnd.node
	switch {
	case n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0 && len(n.Content) > 0:
		return fmt.Errorf("%s: the mapping is written in flow style ({...}), which kube4c does not extend; add %s by hand", at(n, "mapping"), strings.Join(fnd.missing, "."))
	case n.Kind == yaml.MappingNode && len(n.Content) > 0:
		return nil
	case (n.Kind == yaml.MappingNode || isNull(n)) && fnd.key != nil:
		return nil // an empty value, replaced
	}
	return fmt.Errorf("%s: cannot add %s here", where(n), strings.Join(fnd.missing, "."))
}

// insert makes the edit of one insertion.
func (f *file) insert(ins *insertion) (Edit, error) {
	n := ins.at.node
	if n.Kind == yaml.MappingNode && len(n.Content) > 0 {
		indent := n.Content[0].Column - 1
		end, hasEOL := f.blockEnd(n, indent)
		lines := ins.tree.lines(indent, f.step)
		return Edit{Start: end, End: end, Text: lineText(strings.Join(lines, f.eol), hasEOL, f.eol), depth: indent + 1}, nil
	}
	// An empty value ("key:", "key: null", "key: ~", "key: {}"): replace
	// what follows the colon.
	key := ins.at.key
	from, err := f.afterColon(key)
	if err != nil {
		return Edit{}, err
	}
	to := from
	if n.Value != "" || n.Kind == yaml.MappingNode {
		start := f.offset(n.Line, n.Column)
		raw := n.Value
		if n.Kind == yaml.MappingNode {
			raw = "{}"
		}
		if start < 0 || !strings.HasPrefix(string(f.src[start:]), raw) || strings.TrimSpace(string(f.src[from:start])) != "" {
			return Edit{}, fmt.Errorf("%s: cannot find the empty value", at(key, "key %s", key.Value))
		}
		to = start + len(raw)
	}
	// Its text belongs to the key: before any insertion that ends the
	// key's parents at the same offset.
	depth := key.Column + f.step
	if ins.value != nil {
		return Edit{Start: from, End: to, Text: " " + ins.value.text(), depth: depth}, nil
	}
	lines := ins.tree.lines(key.Column-1+f.step, f.step)
	return Edit{Start: from, End: to, Text: f.eol + strings.Join(lines, f.eol), depth: depth}, nil
}

// afterColon returns the offset just after the ':' that follows a plain
// or quoted key.
func (f *file) afterColon(key *yaml.Node) (int, error) {
	off := f.offset(key.Line, key.Column)
	if off < 0 {
		return 0, fmt.Errorf("%s: cannot find the key", at(key, "key %s", key.Value))
	}
	switch {
	case key.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		q := f.src[off]
		end := strings.IndexByte(string(f.src[off+1:]), q)
		if end < 0 {
			return 0, fmt.Errorf("%s: cannot find the key's end", at(key, "key %s", key.Value))
		}
		off += end + 2
	default:
		if !strings.HasPrefix(string(f.src[off:]), key.Value) {
			return 0, fmt.Errorf("%s: cannot find the key's end", at(key, "key %s", key.Value))
		}
		off += len(key.Value)
	}
	for off < len(f.src) && f.src[off] == ' ' {
		off++
	}
	if off >= len(f.src) || f.src[off] != ':' {
		return 0, fmt.Errorf("%s: cannot find the key's colon", at(key, "key %s", key.Value))
	}
	return off + 1, nil
}

// lineText ends inserted lines: with a line end when they go before the
// start of a line, with one before them when the file's last line has
// none.
func lineText(lines string, beforeLine bool, eol string) string {
	if beforeLine {
		return lines + eol
	}
	return eol + lines
}
