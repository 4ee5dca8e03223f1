package manifest

import "bytes"

// jsonEvent is what jsonScanner.scan stopped at.
type jsonEvent int

const (
	// evMore: the input ran out; the value goes on.
	evMore jsonEvent = iota
	// evEnd: the top-level value closed with the last byte consumed.
	evEnd
	// evItemsStart: the "[" of the items just consumed opened them.
	evItemsStart
	// evItemStart: the next byte starts an item.
	evItemStart
	// evItemEnd: the item ended before the next byte ("," or "]").
	evItemEnd
	// evItemsEnd: the next byte is the "]" that closes the items.
	evItemsEnd
	// evNotJSON: the next byte cannot be in JSON (a YAML flow collection
	// with quotes or comments?).
	evNotJSON
)

// jsonScanner follows the structure of one JSON value, byte by byte: its
// strings, its nesting, and the items of its List (the "items" array of a
// top-level object) or of the value itself when it is an array. It does not
// validate: the text it cuts is parsed afterwards.
type jsonScanner struct {
	depth             int
	inString, escaped bool
	root              byte // '{' or '['

	// Keys of a top-level object, to find "items".
	expectKey  bool   // at depth 1, the next string is a key
	readingKey bool   // the string being read is such a key
	key        []byte // its first bytes
	afterColon bool   // at depth 1, the value of the key comes next

	// itemsDepth is the depth of the items' contents while they are read
	// (1 for a top-level array, 2 for the items of an object), else 0.
	itemsDepth int
	inItem     bool
	closing    bool // evItemsEnd was reported for the next byte
}

func (j *jsonScanner) reset() { *j = jsonScanner{key: j.key[:0]} }

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// scan reads p until an event, returning how many bytes it consumed.
func (j *jsonScanner) scan(p []byte) (int, jsonEvent) {
	for i := 0; i < len(p); i++ {
		if j.inString {
			if j.escaped {
				j.escaped = false
				j.keyBytes(p[i : i+1])
				continue
			}
			k := bytes.IndexAny(p[i:], "\"\\\n")
			if k < 0 {
				j.keyBytes(p[i:])
				return len(p), evMore
			}
			j.keyBytes(p[i : i+k])
			i += k
			switch p[i] {
			case '\\':
				j.escaped = true
			case '"':
				j.inString = false
			default: // a line break in a string
				return i, evNotJSON
			}
			continue
		}
		c := p[i]
		if isJSONSpace(c) {
			continue
		}
		if j.itemsDepth > 0 && j.depth == j.itemsDepth {
			switch {
			case j.inItem && (c == ',' || c == ']'):
				j.inItem = false
				return i, evItemEnd
			case !j.inItem && c == ']' && !j.closing:
				j.closing = true
				return i, evItemsEnd
			case !j.inItem && c != ',' && c != ']':
				j.inItem = true
				return i, evItemStart
			}
		}
		if ev, stop := j.structural(c); stop {
			if ev == evNotJSON {
				return i, ev
			}
			return i + 1, ev
		}
	}
	return len(p), evMore
}

// keyBytes records the bytes of a depth-1 key, as far as "items" needs.
func (j *jsonScanner) keyBytes(b []byte) {
	if j.readingKey && len(j.key) <= len("items") {
		j.key = append(j.key, b[:min(len(b), len("items")+1-len(j.key))]...)
	}
}

// structural takes a byte outside strings. It reports an event that ends
// the scan with the byte consumed (or, for evNotJSON, not).
func (j *jsonScanner) structural(c byte) (jsonEvent, bool) {
	switch c {
	case '"':
		j.inString = true
		if j.depth == 1 && j.root == '{' && j.expectKey {
			j.readingKey, j.expectKey = true, false
			j.key = j.key[:0]
		}
	case '{', '[':
		j.depth++
		if j.depth == 1 {
			j.root = c
			j.expectKey = c == '{'
			if c == '[' {
				j.itemsDepth = 1
				return evItemsStart, true
			}
		} else if j.depth == 2 && c == '[' && j.afterColon && string(j.key) == "items" {
			j.itemsDepth = 2
			j.afterColon = false
			return evItemsStart, true
		}
	case '}', ']':
		if j.closing && j.depth == j.itemsDepth {
			j.itemsDepth, j.closing = -1, false
		}
		j.depth--
		if j.depth == 0 {
			return evEnd, true
		}
	case ':':
		if j.depth == 1 && j.readingKey {
			j.readingKey, j.afterColon = false, true
		}
	case ',':
		if j.depth == 1 && j.root == '{' {
			j.expectKey, j.afterColon = true, false
		}
	case '\'', '#':
		return evNotJSON, true
	}
	if j.depth == 1 && c != ':' {
		// The value after the colon has begun, and it is not the items.
		j.afterColon = false
	}
	return evMore, false
}

// itemMark is an item of a List (or top-level array) that is still kept
// whole: its byte range in the document and where it starts.
type itemMark struct {
	start, end int // end is -1 while the item goes on
	line, col  int
}

// jsonFragment reads a fragment of JSON text from offset i.
func (s *splitter) jsonFragment(frag []byte, i int) {
	for i < len(frag) {
		if !s.inValue {
			for i < len(frag) && isJSONSpace(frag[i]) {
				i++
			}
			if i == len(frag) {
				return
			}
			if c := frag[i]; c != '{' && c != '[' {
				s.jsonToYAML(frag, i)
				return
			}
			s.cur = chunk{line: s.lineNo, col: s.column(frag, i)}
			s.js.reset()
			s.inValue = true
			s.marks, s.headEnd = s.marks[:0], 0
		}
		n, ev := s.js.scan(frag[i:])
		s.takeJSON(frag[i : i+n])
		i += n
		switch ev {
		case evEnd:
			s.endJSONValue()
		case evItemsStart:
			s.headEnd = len(s.cur.data)
		case evItemStart:
			s.jsonItemStart(s.lineNo, s.column(frag, i))
		case evItemEnd:
			s.jsonItemEnd()
		case evItemsEnd:
			if s.list != nil {
				s.list.inTail = true
			}
		case evNotJSON:
			s.jsonToYAML(frag, i)
			return
		}
	}
}

// jsonToYAML reads the rest of the document from offset i of frag as YAML
// text: it is not JSON. A value begun goes with it.
func (s *splitter) jsonToYAML(frag []byte, i int) {
	if s.list != nil {
		// The List stops being JSON: its current item takes the rest.
		s.list.broken = true
		s.mode = yamlText
		s.takeListBytes(frag[i:])
		return
	}
	if !s.inValue {
		s.cur = chunk{line: s.lineNo, col: s.column(frag, i)}
	}
	s.inValue = false
	s.mode = yamlText
	s.shape.state = shapeOpaque
	s.yamlFragment(frag[i:], false)
}

// takeJSON keeps bytes of the current JSON value.
func (s *splitter) takeJSON(b []byte) {
	if s.list != nil {
		s.takeListBytes(b)
		return
	}
	if s.cur.tooLarge {
		return
	}
	s.cur.data = append(s.cur.data, b...)
	if len(s.cur.data) > s.lim.document && !s.startJSONList() {
		s.cur.tooLarge, s.cur.limit = true, s.lim.document
		s.cur.data = nil
		s.marks = s.marks[:0]
	}
}

func (s *splitter) jsonItemStart(line, col int) {
	if s.list != nil {
		s.list.startItem(s, line, col)
		return
	}
	if !s.cur.tooLarge {
		s.marks = append(s.marks, itemMark{start: len(s.cur.data), end: -1, line: line, col: col})
	}
}

func (s *splitter) jsonItemEnd() {
	if s.list != nil {
		s.list.endItem(s)
		return
	}
	if n := len(s.marks); n > 0 && !s.cur.tooLarge {
		s.marks[n-1].end = len(s.cur.data)
	}
}

// endJSONValue emits the value just closed.
func (s *splitter) endJSONValue() {
	s.inValue = false
	if s.list != nil {
		s.endList()
	} else {
		s.emitDocument()
	}
	s.cur = chunk{}
}
