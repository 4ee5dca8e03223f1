package manifest

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/position"
	"github.com/kube4c/kube4c/internal/source"
)

// decodeStreamedItem decodes an item of a List read item by item. The
// item is the root of its chunk; messages name it as the List's item.
func decodeStreamedItem(file string, ch chunk) (res docResult) {
	l := ch.item.list
	res.item = ch.item
	name := l.itemName(ch.item.index)
	at := inventory.Location{File: file, Line: ch.line, Column: ch.col}
	if ch.tooLarge {
		res.errors = append(res.errors, source.Problem{Location: at, Message: tooLargeMessage(name, ch.limit)})
		return res
	}
	conv, apiVersion, kind, ok := fastConvert(file, ch.doc, ch)
	if !ok {
		n, err := parseRoot(ch)
		switch {
		case err != nil:
			res.errors = append(res.errors, source.Problem{Location: inventory.Location{File: file, Line: err.line}, Message: name + ": invalid YAML: " + err.msg})
			return res
		case n == nil || n.Kind != yaml.MappingNode:
			res.notObject(l, name, at)
			return res
		}
		apiVersion, kind = typeOf(n)
		c, cerr := convertAt(n, ch.line, ch.col, len(ch.data))
		if cerr != nil {
			res.errors = append(res.errors, source.Problem{Location: convErrorLocation(file, cerr, n, ch), Message: name + ": " + convErrorMessage(cerr)})
			return res
		}
		conv = c
	}
	res.mapping = true
	d := decoder{file: file, docIndex: ch.doc, conv: conv, res: &res}
	t := target{id: position.Root, name: name}
	switch {
	case apiVersion != "" && kind != "":
		d.object(t, apiVersion, kind)
	case l.kind != "":
		d.item(t, l.apiVersion, strings.TrimSuffix(l.kind, "List"))
	case l.name == "":
		d.item(t, "", "")
	default:
		// The List names its type after its items: decode at its end.
		res.untyped = conv
	}
	return res
}

// notObject reports an item that is not a mapping: an error in a List, a
// skipped item in a top-level sequence (as a document would be).
func (res *docResult) notObject(l *streamedList, name string, at inventory.Location) {
	if l.name == "" {
		res.skipped = append(res.skipped, source.Problem{Location: at, Message: name + " is not a Kubernetes object: it is not a mapping"})
		return
	}
	res.errors = append(res.errors, source.Problem{Location: at, Message: name + " is not an object"})
}

// finishList returns what a List read item by item yields, once its items
// are decoded: their objects and problems, or, when the document turns out
// not to be a List, the error that refuses it.
func finishList(file string, l *streamedList) docResult {
	var out docResult
	at := inventory.Location{File: file, Line: l.line, Column: l.col}
	apiVersion, kind, problem := l.listType(file)
	if problem != nil {
		out.errors = append(out.errors, *problem)
		return out
	}
	if l.name != "" && !strings.HasSuffix(kind, "List") {
		out.errors = append(out.errors, source.Problem{Location: at, Message: tooLargeMessage("document", l.limit)})
		return out
	}
	if l.name == "" && !anyMapping(l.results) {
		out.skipped = append(out.skipped, source.Problem{Location: at, Message: "not a Kubernetes object: the document is a sequence, not a mapping"})
		return out
	}
	out.read = l.name != ""
	for _, r := range l.results {
		if r.untyped != nil {
			d := decoder{file: file, docIndex: l.doc, conv: r.untyped, res: &r}
			d.item(target{id: position.Root, name: l.itemName(r.item.index)}, apiVersion, strings.TrimSuffix(kind, "List"))
		}
		out.merge(r)
	}
	if l.overflow != "" {
		out.errors = append(out.errors, source.Problem{Location: at, Message: l.overflow})
	}
	return out
}

func anyMapping(results []docResult) bool {
	for _, r := range results {
		if r.mapping {
			return true
		}
	}
	return false
}

// merge appends the objects and problems of r to res.
func (res *docResult) merge(r docResult) {
	res.objects = append(res.objects, r.objects...)
	res.errors = append(res.errors, r.errors...)
	res.warnings = append(res.warnings, r.warnings...)
	res.skipped = append(res.skipped, r.skipped...)
	res.read = res.read || r.read
}

// listType reads the apiVersion and kind of a List read item by item from
// the text around its items, reporting what keeps it from being read.
func (l *streamedList) listType(file string) (apiVersion, kind string, problem *source.Problem) {
	at := inventory.Location{File: file, Line: l.line, Column: l.col}
	fail := func(loc inventory.Location, format string, args ...any) (string, string, *source.Problem) {
		return "", "", &source.Problem{Location: loc, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case l.broken:
		return fail(at, "the List is not valid JSON after its item %d", l.items-1)
	case l.tailTooLarge:
		return fail(at, "the List's fields after its items are larger than %s", sizeString(int64(l.limit)))
	case l.name == "":
		if l.json {
			return "", "", nil
		}
		if n, err := parseRoot(chunk{data: l.tail, line: l.tailLine}); err != nil || n != nil {
			return fail(inventory.Location{File: file, Line: l.tailLine}, "invalid YAML: content after the top-level sequence")
		}
		return "", "", nil
	case l.json:
		shell := append(append([]byte{}, l.head...), l.tail...)
		n, err := parseRoot(chunk{data: shell, line: l.line, col: l.col})
		if err != nil || n == nil || n.Kind != yaml.MappingNode {
			return fail(at, "the List is not valid JSON around its items")
		}
		apiVersion, kind = typeOf(n)
		return apiVersion, kind, nil
	}
	apiVersion, kind = l.apiVersion, l.kind
	if len(l.tail) > 0 {
		n, err := parseRoot(chunk{data: l.tail, line: l.tailLine})
		if err != nil {
			return fail(inventory.Location{File: file, Line: err.line}, "invalid YAML: %s", err.msg)
		}
		if n != nil && n.Kind == yaml.MappingNode {
			if a, k := typeOf(n); k != "" {
				apiVersion, kind = a, k
			} else if a != "" {
				apiVersion = a
			}
		}
	}
	return apiVersion, kind, nil
}
