package fix

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/kube4c/kube4c/internal/position"
)

// verify proves a plan: fixed must decode to the documents of src with the
// applied targets' patches made, and nothing else changed. It returns the
// root lines of the documents that do not, or an error when fixed does not
// parse or lost or gained a document.
func verify(src, fixed []byte, applied []Target) (map[int]bool, error) {
	before, err := parseDocuments(src)
	if err != nil {
		return nil, err
	}
	after, err := parseDocuments(fixed)
	if err != nil {
		return nil, err
	}
	if len(after) != len(before) {
		return nil, fmt.Errorf("%d documents became %d", len(before), len(after))
	}
	byLine := map[int]int{}
	want := make([]any, len(before))
	for i, d := range before {
		byLine[d.Line] = i
		if err := d.Decode(&want[i]); err != nil {
			return nil, err
		}
	}
	bad := map[int]bool{}
	for _, t := range applied {
		i := byLine[t.RootLine]
		v, err := patched(want[i], position.Segments(joinPath(t.Prefix, t.Patch.Path)), t.Patch.Value, t.Patch.Append)
		if err != nil {
			bad[t.RootLine] = true
			continue
		}
		want[i] = v
	}
	for i, d := range after {
		var got any
		if err := d.Decode(&got); err != nil {
			return nil, err
		}
		if !reflect.DeepEqual(got, want[i]) {
			bad[before[i].Line] = true
		}
	}
	return bad, nil
}

// patched returns v with value set (or, with add, added to the list) at
// the path of segs, creating the mappings on the way.
func patched(v any, segs []position.Segment, value any, add bool) (any, error) {
	if len(segs) == 0 {
		if !add {
			return value, nil
		}
		list, _ := v.([]any)
		if v != nil && list == nil {
			return nil, errors.New("not a list")
		}
		for _, item := range list {
			if item == value {
				return list, nil
			}
		}
		return append(list, value), nil
	}
	seg := segs[0]
	switch x := v.(type) {
	case nil:
		m := map[string]any{}
		sub, err := patched(nil, segs[1:], value, add)
		m[seg.Key] = sub
		return m, err
	case map[string]any:
		sub, err := patched(x[seg.Key], segs[1:], value, add)
		x[seg.Key] = sub
		return x, err
	case []any:
		if seg.Index < 0 || seg.Index >= len(x) {
			return nil, errors.New("no such item")
		}
		sub, err := patched(x[seg.Index], segs[1:], value, add)
		x[seg.Index] = sub
		return x, err
	}
	return nil, errors.New("not a mapping")
}
