package manifest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsjson "sigs.k8s.io/json"
)

// A document larger than the per-document limit is refused, unless it is a
// List (a mapping with an items sequence, as kubectl get -o yaml and -o
// json write) or a top-level sequence. Those are read item by item: each
// item is a chunk of its own, decoded like the items of a smaller List,
// with the document's line numbers; the rest of the document (the List's
// apiVersion, kind and metadata) is kept aside as its head and tail. Each
// item is bounded like a document, the List as a whole by limits.list and
// limits.items.
//
// Items are cut where the text shows them: in YAML, the lines that start
// with "-" at the items' indentation (the dash is blanked, so that the item
// reads as a mapping at its own columns); in JSON, the top-level commas of
// the items array. Anchors and aliases between items cannot be resolved
// once they are apart, and are reported as errors of the item concerned.

// streamedList is a List, or top-level sequence, read item by item.
type streamedList struct {
	doc       int // the document's index in the file
	line, col int // where the document starts
	// name is "items" for a List, "" for a top-level sequence: item i is
	// named name[i].
	name string
	json bool
	// limit is the largest document, and item.
	limit int

	// head is the text before the items (YAML: the lines up to "items:";
	// JSON: up to its "["), tail the text after them.
	head, tail   []byte
	tailLine     int
	tailTooLarge bool
	// apiVersion and kind are the List's, when its head names them.
	apiVersion, kind string

	itemCol  int    // YAML: the column of the items' dashes, from 0
	cur      *chunk // the item being read; nil between items
	inTail   bool   // the items are over
	items    int    // items begun
	bytes    int64  // bytes read
	overflow string // why the List was cut short
	broken   bool   // the JSON text stopped being JSON

	results []docResult // the decoded items, kept by Load until the end
}

// listItem is the place of an item chunk in its List.
type listItem struct {
	list  *streamedList
	index int
}

// itemName is how messages name item i of l.
func (l *streamedList) itemName(i int) string { return fmt.Sprintf("%s[%d]", l.name, i) }

func (l *streamedList) startItem(s *splitter, line, col int) {
	if l.overflow == "" {
		l.cur = &chunk{line: line, col: col}
	}
}

func (l *streamedList) endItem(s *splitter) {
	if l.cur != nil {
		l.emitItem(s, *l.cur)
		l.cur = nil
	}
}

// emitItem sends item c, unless the List has too many.
func (l *streamedList) emitItem(s *splitter, c chunk) {
	if l.overflow != "" {
		return
	}
	if l.items == s.lim.items {
		l.overflow = fmt.Sprintf("the List has more than %d items; kube4c read the first %d", s.lim.items, s.lim.items)
		return
	}
	if !l.json && !c.tooLarge {
		c.data[l.itemCol] = ' '
	}
	c.doc, c.item = l.doc, &listItem{list: l, index: l.items}
	l.items++
	s.send(c)
}

// takeListBytes keeps bytes of the streamed List where they belong.
func (s *splitter) takeListBytes(b []byte) {
	l := s.list
	l.bytes += int64(len(b))
	if l.overflow == "" && l.bytes > s.lim.list {
		l.overflow = fmt.Sprintf("the List is larger than %s; kube4c read its first %d items", sizeString(s.lim.list), l.items)
		l.cur = nil
	}
	switch {
	case l.cur != nil:
		if !l.cur.tooLarge {
			l.cur.data = append(l.cur.data, b...)
			if len(l.cur.data) > s.lim.document {
				l.cur.tooLarge, l.cur.limit, l.cur.data = true, s.lim.document, nil
			}
		}
	case l.inTail && !l.tailTooLarge:
		l.tail = append(l.tail, b...)
		if len(l.tail) > l.limit {
			l.tailTooLarge, l.tail = true, nil
		}
	}
}

// endList emits the current item of the streamed List and the chunk that
// closes it.
func (s *splitter) endList() {
	l := s.list
	l.endItem(s)
	s.list = nil
	s.send(chunk{doc: l.doc, line: l.line, col: l.col, end: l})
}

// startList begins reading the current document item by item, from the
// marks of the items kept so far. head is the text before the items. It
// returns false when the document is not a List after all.
func (s *splitter) startList(name string, head []byte, marks []itemMark, itemCol int) bool {
	l := &streamedList{doc: s.docs, line: s.cur.line, col: s.cur.col, name: name, json: s.mode == jsonText, limit: s.lim.document, itemCol: itemCol}
	if name != "" {
		l.head = slices.Clone(head)
		if l.json {
			l.apiVersion, l.kind = jsonHeadType(l.head)
		} else {
			l.apiVersion, l.kind = yamlHeadType(l.head)
		}
		if l.kind != "" && !strings.HasSuffix(l.kind, "List") {
			return false
		}
	}
	s.docs++
	s.list = l
	l.bytes = int64(len(s.cur.data))
	data := s.cur.data
	for _, m := range marks {
		c := chunk{data: data[m.start:], line: m.line, col: m.col}
		if m.end < 0 {
			l.cur = &c
			break
		}
		c.data = data[m.start:m.end]
		l.emitItem(s, c)
	}
	s.cur.data = nil
	return true
}

// startJSONList reads the current JSON value item by item, when it is a
// List or an array whose items are being read.
func (s *splitter) startJSONList() bool {
	if s.js.itemsDepth <= 0 || s.headEnd == 0 {
		return false
	}
	name := "items"
	if s.js.root == '[' {
		name = ""
	}
	if !s.startList(name, s.cur.data[:s.headEnd], s.marks, 0) {
		return false
	}
	s.marks = s.marks[:0]
	return true
}

// startYAMLList reads the current YAML document item by item, when it is a
// List or a sequence whose items are being read.
func (s *splitter) startYAMLList() bool {
	y := &s.shape
	if (y.state != shapeItems && y.state != shapeSequence) || len(y.marks) == 0 {
		return false
	}
	name := "items"
	if y.state == shapeSequence {
		name = ""
	}
	return s.startList(name, s.cur.data[:y.marks[0].start], y.marks, y.itemCol)
}

// listYAML reads a fragment of a YAML List read item by item.
func (s *splitter) listYAML(frag []byte, startsLine bool) {
	l := s.list
	if startsLine && !l.inTail && !l.broken {
		indent, rest := splitIndent(frag)
		if isContent(rest) {
			switch {
			case indent == l.itemCol && isDash(rest):
				l.endItem(s)
				l.startItem(s, s.lineNo, 1)
			case indent > l.itemCol:
			default:
				l.endItem(s)
				l.inTail, l.tailLine = true, s.lineNo
			}
		}
	}
	s.takeListBytes(frag)
}

// jsonHeadType reads the apiVersion and kind of a JSON List from the text
// before its items, which ends with the "[" that opens them.
func jsonHeadType(head []byte) (apiVersion, kind string) {
	var tm metav1.TypeMeta
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(append(slices.Clip(head), "]}"...), &tm); err != nil {
		return "", ""
	}
	return tm.APIVersion, tm.Kind
}

// yamlHeadType reads the apiVersion and kind of a YAML List from the lines
// before its items.
func yamlHeadType(head []byte) (apiVersion, kind string) {
	root, err := parseYAML(head)
	if err != nil || len(root.Content) == 0 {
		return "", ""
	}
	if n := resolveAlias(root.Content[0]); n.Kind == yaml.MappingNode {
		return typeOf(n)
	}
	return "", ""
}

// shapeState is what yamlShape has seen of a document.
type shapeState int

const (
	shapeStart    shapeState = iota // nothing yet
	shapeMapping                    // a top-level block mapping
	shapeItemsKey                   // its line "items:"
	shapeItems                      // the items of that key
	shapeSequence                   // a top-level block sequence
	shapeAfter                      // the lines after the items
	shapeOpaque                     // anything else: never cut
)

// yamlShape follows the top-level structure of a YAML document line by
// line, enough to find the items of a List or of a top-level sequence.
// Only lines that start a line are shown to it.
type yamlShape struct {
	state   shapeState
	itemCol int
	marks   []itemMark
}

// line takes the line at offset off of the document, line lineNo of the
// file.
func (y *yamlShape) line(frag []byte, off, lineNo int) {
	if y.state == shapeOpaque || y.state == shapeAfter {
		return
	}
	if isDocumentStart(frag) {
		if rest := bytes.TrimLeft(frag[3:], " \t"); isContent(rest) {
			y.state = shapeOpaque
		}
		return
	}
	indent, rest := splitIndent(frag)
	if !isContent(rest) {
		return
	}
	dash := isDash(rest)
	switch y.state {
	case shapeStart:
		switch {
		case dash:
			y.state, y.itemCol = shapeSequence, indent
			y.mark(off, lineNo)
		case indent == 0 && !strings.ContainsRune("{[&*!|>%@`?,-", rune(rest[0])):
			y.state = shapeMapping
			y.key(rest)
		default:
			y.state = shapeOpaque
		}
	case shapeMapping:
		if indent == 0 {
			y.key(rest)
		}
	case shapeItemsKey:
		if dash {
			y.state, y.itemCol = shapeItems, indent
			y.mark(off, lineNo)
			return
		}
		y.state = shapeMapping
		if indent == 0 {
			y.key(rest)
		}
	case shapeItems, shapeSequence:
		switch {
		case indent == y.itemCol && dash:
			y.mark(off, lineNo)
		case indent > y.itemCol:
		default:
			y.state = shapeAfter
			y.marks[len(y.marks)-1].end = off
		}
	}
}

// key takes a line of the top-level mapping that starts a key.
func (y *yamlShape) key(rest []byte) {
	if k, ok := bytes.CutPrefix(rest, []byte("items:")); ok {
		if k = bytes.TrimLeft(k, " \t"); !isContent(k) {
			y.state = shapeItemsKey
		}
	}
}

// mark records an item that starts at offset off, line lineNo.
func (y *yamlShape) mark(off, lineNo int) {
	if n := len(y.marks); n > 0 {
		y.marks[n-1].end = off
	}
	y.marks = append(y.marks, itemMark{start: off, end: -1, line: lineNo, col: 1})
}

// splitIndent returns the number of spaces a line starts with, and the rest.
func splitIndent(line []byte) (int, []byte) {
	rest := bytes.TrimLeft(line, " ")
	return len(line) - len(rest), rest
}

// isContent reports whether the rest of a line, after its indentation, is
// more than white space or a comment.
func isContent(rest []byte) bool {
	rest = bytes.TrimLeft(rest, " \t\r")
	return len(rest) > 0 && rest[0] != '\n' && rest[0] != '#'
}

// isDash reports whether the rest of a line starts a block sequence entry.
func isDash(rest []byte) bool {
	return len(rest) > 0 && rest[0] == '-' && (len(rest) == 1 || rest[1] == ' ' || rest[1] == '\n' || rest[1] == '\r')
}

// sizeString writes a size in bytes the way limits are stated: "8 MiB".
func sizeString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
