package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"
)

// chunk is the text of one document of a stream (a YAML document, or one
// value of a JSON stream), or of one item of a List read item by item.
type chunk struct {
	data []byte
	// line and col are the 1-based line and column (in characters) of the
	// chunk's first byte in the file. col is 1 but for a JSON value that
	// follows another on its line, or an item of a JSON List.
	line, col int
	// doc is the 0-based index of the document in the file.
	doc int
	// tooLarge is set when the document exceeded the size limit; data is
	// then empty and the document must be refused.
	tooLarge bool
	limit    int // that limit
	// item is set on an item of a List read item by item; end on the chunk
	// that closes that List, after its last item.
	item *listItem
	end  *streamedList
}

// limits bound what one stream may hold.
type limits struct {
	// document is the largest document, and the largest item of a List
	// read item by item.
	document int
	// list is the largest List read item by item, and items the most items
	// it may have.
	list  int64
	items int
}

var defaultLimits = limits{document: MaxDocumentBytes, list: MaxListBytes, items: MaxListItems}

// splitDocuments reads a stream of YAML documents and JSON values and calls
// emit with each document's text, as splitStream does with the default
// limits of a List and documents of at most maxBytes.
func splitDocuments(r io.Reader, maxBytes int, emit func(chunk) bool) error {
	lim := defaultLimits
	lim.document = maxBytes
	return splitStream(r, lim, emit)
}

// splitStream reads a stream and calls emit with each document's text.
//
// A YAML document ends at a line that starts with "---" (which belongs to
// the next document) or that is "..." (which belongs to neither). A
// document whose first character is "{" or "[" is JSON text, as kubectl
// reads it: each of its values is a document of its own (newline-delimited
// or concatenated JSON).
//
// A document larger than lim.document is not kept in memory: it is
// emitted with tooLarge set. When it is a List (a mapping with an items
// sequence) or a top-level sequence, it is read item by item instead (see
// streamedList). Reading stops at the first error of r, or when emit
// returns false.
func splitStream(r io.Reader, lim limits, emit func(chunk) bool) error {
	s := &splitter{lim: lim, emit: emit, lineStart: true}
	s.beginDocument(1)
	br := bufio.NewReaderSize(r, 64*1024)
	for !s.stopped {
		frag, err := br.ReadSlice('\n')
		if len(frag) > 0 {
			s.consume(frag)
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			s.endDocument()
			return nil
		default:
			return err
		}
	}
	return nil
}

// docMode is how the current document is read.
type docMode int

const (
	// undecided: only white space and a "---" marker so far.
	undecided docMode = iota
	// yamlText: a YAML document, read line by line.
	yamlText
	// jsonText: JSON values, read byte by byte.
	jsonText
)

type splitter struct {
	lim     limits
	emit    func(chunk) bool
	stopped bool // emit asked to stop

	lineNo    int
	lineStart bool // the next fragment starts a new line
	// lineChars is the number of characters of the current line in the
	// fragments before the current one (lines longer than the read buffer
	// come in several).
	lineChars int
	// colOff and colChars cache the column computation of the current
	// fragment: offset colOff is at character colChars of the line.
	colOff, colChars int

	docs int // documents emitted or begun as Lists
	mode docMode
	cur  chunk // the current document, as far as it is kept

	shape yamlShape   // the top-level structure of a YAML document
	js    jsonScanner // the structure of the current JSON value
	// inValue is set while a JSON value is read; marks are the items of
	// its List (or top-level array) while it is small enough to keep.
	inValue bool
	marks   []itemMark
	headEnd int // the offset just after the "[" of those items

	list *streamedList // the List being read item by item
}

// consume takes the next fragment of input: a whole line, or a piece of a
// line longer than the read buffer.
func (s *splitter) consume(frag []byte) {
	startsLine := s.lineStart
	if startsLine {
		s.lineNo++
		s.lineChars = 0
		if s.lineNo == 1 {
			frag = bytes.TrimPrefix(frag, []byte("\xef\xbb\xbf"))
		}
		switch {
		case isDocumentStart(frag):
			s.endDocument()
			s.beginDocument(s.lineNo)
		case isDocumentEnd(frag):
			s.endDocument()
			s.lineStart = endsLine(frag)
			s.beginDocument(s.lineNo + 1)
			return
		}
	}
	s.lineStart = endsLine(frag)
	s.colOff, s.colChars = 0, s.lineChars
	switch s.mode {
	case undecided:
		s.undecided(frag, startsLine)
	case yamlText:
		s.yamlFragment(frag, startsLine)
	case jsonText:
		s.jsonFragment(frag, 0)
	}
	if !s.lineStart {
		s.lineChars += utf8.RuneCount(frag)
	}
}

func endsLine(frag []byte) bool { return len(frag) > 0 && frag[len(frag)-1] == '\n' }

// column returns the 1-based column of offset i of the current fragment.
func (s *splitter) column(frag []byte, i int) int {
	if i < s.colOff {
		s.colOff, s.colChars = 0, s.lineChars
	}
	s.colChars += utf8.RuneCount(frag[s.colOff:i])
	s.colOff = i
	return s.colChars + 1
}

// beginDocument starts a document at line.
func (s *splitter) beginDocument(line int) {
	s.mode = undecided
	s.cur = chunk{line: line, col: 1}
	s.shape = yamlShape{}
	s.inValue = false
}

// endDocument emits what is left of the current document.
func (s *splitter) endDocument() {
	switch {
	case s.list != nil:
		s.endList()
	case s.mode == jsonText && !s.inValue:
		// Between JSON values: every value was emitted when it closed.
	case len(s.cur.data) > 0 || s.cur.tooLarge:
		s.emitDocument()
	}
	s.cur = chunk{}
	s.inValue = false
	s.marks = s.marks[:0]
}

// emitDocument emits the current document as a whole.
func (s *splitter) emitDocument() {
	s.cur.doc = s.docs
	s.docs++
	s.send(s.cur)
}

func (s *splitter) send(c chunk) {
	if !s.stopped && !s.emit(c) {
		s.stopped = true
	}
}

// undecided reads a fragment of a document that has had nothing but white
// space so far: its first other character decides whether it is YAML or
// JSON.
func (s *splitter) undecided(frag []byte, startsLine bool) {
	i := 0
	if startsLine && isDocumentStart(frag) {
		i = 3
	}
	for i < len(frag) && isJSONSpace(frag[i]) {
		i++
	}
	switch {
	case i == len(frag):
		s.cur.data = append(s.cur.data, frag...)
	case frag[i] == '{' || frag[i] == '[':
		s.mode = jsonText
		s.cur.data = s.cur.data[:0]
		s.jsonFragment(frag, i)
	default:
		s.mode = yamlText
		s.yamlFragment(frag, startsLine)
	}
}

// yamlFragment reads a fragment of a YAML document.
func (s *splitter) yamlFragment(frag []byte, startsLine bool) {
	if s.list != nil {
		s.listYAML(frag, startsLine)
		return
	}
	if startsLine {
		s.shape.line(frag, len(s.cur.data), s.lineNo)
	}
	if s.cur.tooLarge {
		return
	}
	s.cur.data = append(s.cur.data, frag...)
	if len(s.cur.data) > s.lim.document && !s.startYAMLList() {
		s.cur.tooLarge, s.cur.limit = true, s.lim.document
		s.cur.data = nil
	}
}

// isDocumentStart reports whether a line is a "---" marker, alone or
// followed by white space and more content.
func isDocumentStart(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := line[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'
}

// isDocumentEnd reports whether a line is a "..." marker.
func isDocumentEnd(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("...")) {
		return false
	}
	rest := bytes.TrimRight(line[3:], " \t\r\n")
	return len(rest) == 0 || rest[0] == '#'
}
