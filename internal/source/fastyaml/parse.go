package fastyaml

import (
	"github.com/kube4c/kube4c/internal/jsonescape"

	"bytes"
	"unicode/utf8"

	"github.com/kube4c/kube4c/internal/position"
)

// The parser follows the scanner of go.yaml.in/yaml/v3 (a port of libyaml)
// for the constructs it accepts, and declines, by calling bail, on anything
// else. Columns are 0-based inside the parser; nodes store 1-based ones.
//
// Block structure is read line by line: after each node the parser stands
// on the first non-blank character of the next line holding content
// (comment and empty lines skipped), and ind is that character's column,
// or -1 at the end of the document. Collections compare ind with their own
// column to decide whether they go on.
type parser struct {
	src       []byte
	pos       int
	line      int // 0-based line of pos
	lineStart int // offset of the first byte of that line
	ind       int
	ascii     bool
	maxDepth  int

	// The column of offset colOff of the line starting at colLine is
	// colVal, for non-ASCII text.
	colLine, colOff, colVal int

	nodes   []node
	vals    []byte // JSON text of the scalars
	scratch []byte // the value of the scalar being read
	// keyBytes is the total length of the keys, to size the JSON buffer.
	keyBytes int

	capture          bool   // record the text of the next string scalar
	captured         string // that text
	apiVersion, kind string
}

// bailout is the panic value with which the parser declines a document.
type bailout struct{}

func (p *parser) bail() { panic(bailout{}) }

// parse reads the document src and reports whether it is in the subset.
func (p *parser) parse(src []byte, ascii bool, maxDepth int) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(bailout); !is {
				panic(r)
			}
			ok = false
		}
	}()
	p.src, p.ascii, p.maxDepth = src, ascii, maxDepth
	p.document()
	return true
}

// at returns the byte at i, or 0 past the end.
func (p *parser) at(i int) byte {
	if i < len(p.src) {
		return p.src[i]
	}
	return 0
}

// blankz reports whether i is a space, tab, line break or the end.
func (p *parser) blankz(i int) bool {
	c := p.at(i)
	return c == ' ' || c == '\t' || c == '\n' || c == 0
}

// newline moves to the start of the line after the line break at i.
func (p *parser) newline(i int) {
	p.pos = i + 1
	p.line++
	p.lineStart = p.pos
}

// col returns the column of offset i of the current line.
func (p *parser) col(i int) int {
	if p.ascii {
		return i - p.lineStart
	}
	// Count on from the last column asked for on the line, so that long
	// lines are not counted over and over.
	if p.colLine != p.lineStart || i < p.colOff {
		p.colLine, p.colOff, p.colVal = p.lineStart, p.lineStart, 0
	}
	p.colVal += utf8.RuneCount(p.src[p.colOff:i])
	p.colOff = i
	return p.colVal
}

// keySet finds duplicate keys of a mapping: by comparing with the earlier
// keys while they are few, with a set after.
type keySet struct {
	set map[string]struct{}
}

// add checks the key of node child, an entry of mapping idx, against the
// earlier ones, declining the document when it is a duplicate.
func (k *keySet) add(p *parser, idx, child int32, key string) {
	if k.set == nil {
		n := 0
		for s := idx + 1; s < child; s = p.nodes[s].end {
			if p.nodes[s].key == key {
				p.bail()
			}
			n++
		}
		if n < 16 {
			return
		}
		k.set = make(map[string]struct{}, 2*n)
		for s := idx + 1; s < child; s = p.nodes[s].end {
			k.set[p.nodes[s].key] = struct{}{}
		}
	}
	if _, dup := k.set[key]; dup {
		p.bail()
	}
	k.set[key] = struct{}{}
}

// mark returns the 1-based line and column of offset i of the current line.
func (p *parser) mark(i int) (int32, int32) {
	return int32(p.line + 1), int32(p.col(i) + 1)
}

func (p *parser) push(kind position.Kind, line, col int32) int32 {
	p.nodes = append(p.nodes, node{kind: kind, line: line, col: col})
	return int32(len(p.nodes) - 1)
}

// finish records the children count and subtree end of collection i.
func (p *parser) finish(i, count int32) {
	p.nodes[i].count = count
	p.nodes[i].end = int32(len(p.nodes))
}

func (p *parser) depth(d int) {
	if d > p.maxDepth {
		p.bail()
	}
}

// document reads an optional "---" line and a root block mapping.
func (p *parser) document() {
	src := p.src
	if bytes.HasPrefix(src, []byte("---")) && p.blankz(3) {
		p.pos = 3
		p.restOfLine()
	} else {
		p.next()
	}
	if p.ind < 0 || !p.isKey() {
		p.bail()
	}
	p.mapping(p.ind, 0)
	if p.ind >= 0 {
		p.bail()
	}
}

// next moves from the start of a line to the first content character at or
// after it, skipping empty and comment lines, and sets ind.
func (p *parser) next() {
	src := p.src
	for p.pos < len(src) {
		i := p.pos
		for i < len(src) && src[i] == ' ' {
			i++
		}
		if i == len(src) {
			p.pos = i
			break
		}
		switch src[i] {
		case '\n':
			p.newline(i)
			continue
		case '#':
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				p.pos = len(src)
				p.ind = -1
				return
			}
			p.newline(i + j)
			continue
		case '\t':
			p.bail()
		}
		if i == p.lineStart && (src[i] == '%' || p.documentMarker(i)) {
			p.bail()
		}
		p.pos = i
		p.ind = i - p.lineStart
		return
	}
	p.ind = -1
}

// documentMarker reports whether a "---" or "..." marker starts at i.
func (p *parser) documentMarker(i int) bool {
	c := p.at(i)
	return (c == '-' || c == '.') && p.at(i+1) == c && p.at(i+2) == c && p.blankz(i+3)
}

// restOfLine reads what may follow a node on its line: spaces and a
// comment. It then moves to the next content.
func (p *parser) restOfLine() {
	src := p.src
	i := p.pos
	for i < len(src) && src[i] == ' ' {
		i++
	}
	if i < len(src) && src[i] == '#' {
		if i == p.pos {
			p.bail()
		}
		i = p.lineEnd(i)
	}
	if i < len(src) {
		if src[i] != '\n' {
			p.bail()
		}
		p.newline(i)
	} else {
		p.pos = i
	}
	p.next()
}

// lineEnd returns the offset of the line break ending the line of i, or
// the end of the text.
func (p *parser) lineEnd(i int) int {
	if j := bytes.IndexByte(p.src[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(p.src)
}

// skipSpaces moves past spaces; a tab there is declined.
func (p *parser) skipSpaces() {
	for p.at(p.pos) == ' ' {
		p.pos++
	}
	if p.at(p.pos) == '\t' {
		p.bail()
	}
}

// emptyRest reports whether the rest of the line is empty or a comment
// (p.pos follows a space when it is at '#').
func (p *parser) emptyRest() bool {
	c := p.at(p.pos)
	return c == 0 || c == '\n' || c == '#'
}

// skipEmptyRest moves past the rest of a line that emptyRest accepted, to
// the next content.
func (p *parser) skipEmptyRest() {
	i := p.lineEnd(p.pos)
	if i < len(p.src) {
		p.newline(i)
	} else {
		p.pos = i
	}
	p.next()
}

// isDash reports whether a block sequence entry indicator is at i.
func (p *parser) isDash(i int) bool {
	if p.at(i) != '-' {
		return false
	}
	switch p.at(i + 1) {
	case ' ', '\n', 0:
		return true
	case '\t':
		p.bail()
	}
	return false
}

// plainStart reports whether a plain scalar may start at i.
func (p *parser) plainStart(i int) bool {
	switch p.at(i) {
	case '-', '?', ':':
		return !p.blankz(i + 1)
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
		' ', '\t', '\n', 0:
		return false
	}
	return true
}

// isKey reports whether the line at p.pos starts with an implicit key:
// a one-line scalar followed by ": ".
func (p *parser) isKey() bool {
	src := p.src
	i := p.pos
	q := p.at(i)
	if q == '\'' || q == '"' {
		for i++; i < len(src) && src[i] != '\n'; i++ {
			if q == '\'' && src[i] == '\'' {
				if p.at(i+1) != '\'' {
					break
				}
				i++
			} else if q == '"' && src[i] == '\\' {
				if p.at(i+1) == '\n' {
					return false
				}
				i++
			} else if q == '"' && src[i] == '"' {
				break
			}
		}
		if p.at(i) != q {
			return false
		}
		for i++; p.at(i) == ' '; i++ {
		}
		return p.at(i) == ':' && p.blankz(i+1)
	}
	if !p.plainStart(i) {
		return false
	}
	for ; i < len(src); i++ {
		switch src[i] {
		case '\n':
			return false
		case '#':
			if c := src[i-1]; c == ' ' || c == '\t' {
				return false
			}
		case ':':
			if p.blankz(i + 1) {
				return true
			}
		}
	}
	return false
}

// mapping reads a block mapping whose keys stand at column n; p.pos is at
// its first key.
func (p *parser) mapping(n, depth int) int32 {
	p.depth(depth)
	line, col := p.mark(p.pos)
	idx := p.push(position.Mapping, line, col)
	var count int32
	var keys keySet
	for {
		kline, kcol := p.mark(p.pos)
		key := p.key()
		capture := depth == 0 && (key == "apiVersion" || key == "kind")
		p.capture, p.captured = capture, ""
		child := p.value(n, depth+1)
		c := &p.nodes[child]
		c.key, c.kline, c.kcol = key, kline, kcol
		p.keyBytes += len(key) + 4
		if capture && c.kind == position.Scalar && c.str {
			if key == "kind" {
				p.kind = p.captured
			} else {
				p.apiVersion = p.captured
			}
		}
		p.capture = false
		keys.add(p, idx, child, key)
		count++
		if p.ind < n {
			break
		}
		if p.ind > n {
			p.bail()
		}
	}
	p.finish(idx, count)
	return idx
}

// key reads an implicit key and its ':' indicator.
func (p *parser) key() string {
	start := p.pos
	var k []byte
	if c := p.at(start); c == '\'' || c == '"' {
		k = p.quoted(-1, true)
		for p.at(p.pos) == ' ' {
			p.pos++
		}
		if p.at(p.pos) != ':' {
			p.bail()
		}
	} else {
		if !p.plainStart(start) {
			p.bail()
		}
		src := p.src
		i, end := start, start
	scan:
		for ; i < len(src); i++ {
			switch src[i] {
			case '\n':
				p.bail()
			case ' ', '\t':
				continue
			case '#':
				if c := src[i-1]; c == ' ' || c == '\t' {
					p.bail()
				}
			case ':':
				if p.blankz(i + 1) {
					break scan
				}
			}
			end = i + 1
		}
		if i == len(src) {
			p.bail()
		}
		k = src[start:end]
		if string(k) == "<<" {
			p.bail() // a merge key
		}
		p.pos = i
	}
	// go-yaml looks at most 1024 characters ahead for the ':' of a key.
	if p.pos-start > 1000 || !p.blankz(p.pos+1) {
		p.bail()
	}
	p.pos++
	return intern(k)
}

// value reads the value of a mapping entry whose keys stand at column n;
// p.pos follows the ':'.
func (p *parser) value(n, depth int) int32 {
	line, col := p.mark(p.pos)
	p.skipSpaces()
	if !p.emptyRest() {
		return p.inline(n, depth)
	}
	p.skipEmptyRest()
	switch {
	case p.ind > n:
		return p.blockNode(n, depth)
	case p.ind == n && p.isDash(p.pos):
		return p.sequence(n, depth)
	}
	return p.null(line, col, depth)
}

// null adds an empty scalar.
func (p *parser) null(line, col int32, depth int) int32 {
	p.depth(depth)
	i := p.push(position.Scalar, line, col)
	v0 := len(p.vals)
	p.vals = append(p.vals, "null"...)
	p.nodes[i].v0, p.nodes[i].v1, p.nodes[i].end = int32(v0), int32(len(p.vals)), i+1
	return i
}

// blockNode reads a node that starts a line, at column p.ind, inside a
// collection at column parent.
func (p *parser) blockNode(parent, depth int) int32 {
	switch {
	case p.isDash(p.pos):
		return p.sequence(p.ind, depth)
	case p.isKey():
		return p.mapping(p.ind, depth)
	}
	return p.inline(parent, depth)
}

// sequence reads a block sequence whose '-' indicators stand at column m;
// p.pos is at the first.
func (p *parser) sequence(m, depth int) int32 {
	p.depth(depth)
	line, col := p.mark(p.pos)
	idx := p.push(position.Sequence, line, col)
	var count int32
	for {
		dline, dcol := p.mark(p.pos)
		p.pos++
		p.skipSpaces()
		switch {
		case p.emptyRest():
			p.skipEmptyRest()
			if p.ind > m {
				p.blockNode(m, depth+1)
			} else {
				p.null(dline, dcol+1, depth+1)
			}
		case p.isDash(p.pos):
			p.sequence(p.pos-p.lineStart, depth+1)
		case p.isKey():
			p.mapping(p.pos-p.lineStart, depth+1)
		default:
			p.inline(m, depth+1)
		}
		count++
		if p.ind != m || !p.isDash(p.pos) {
			break
		}
	}
	if p.ind > m {
		p.bail()
	}
	p.finish(idx, count)
	return idx
}

// inline reads a scalar or a flow collection at p.pos, inside a block
// collection at column parent.
func (p *parser) inline(parent, depth int) int32 {
	p.depth(depth)
	line, col := p.mark(p.pos)
	switch p.at(p.pos) {
	case '\'', '"':
		v := p.quoted(parent, false)
		i := p.scalar(line, col, v, false)
		p.restOfLine()
		return i
	case '|', '>':
		return p.scalar(line, col, p.blockScalar(parent), false)
	case '[', '{':
		i := p.flow(depth)
		p.restOfLine()
		return i
	}
	if !p.plainStart(p.pos) {
		p.bail()
	}
	return p.scalar(line, col, p.plain(parent), true)
}

// scalar adds a scalar node with value v, resolving its type when plain.
func (p *parser) scalar(line, col int32, v []byte, plain bool) int32 {
	i := p.push(position.Scalar, line, col)
	v0 := len(p.vals)
	str := true
	if plain {
		switch tag := resolvePlain(v); tag {
		case StrTag, MergeTag, TimestampTag:
			p.vals = jsonescape.AppendString(p.vals, v)
			str = tag == StrTag
		case NullTag:
			p.vals = append(p.vals, "null"...)
			str = false
		case IntTag:
			str = false
			if isDecimal(v) {
				p.vals = append(p.vals, v...)
				break
			}
			fallthrough
		default:
			var err error
			if p.vals, err = AppendScalar(p.vals, tag, string(v)); err != nil {
				p.bail()
			}
			str = false
		}
	} else {
		p.vals = jsonescape.AppendString(p.vals, v)
	}
	if str && p.capture {
		p.captured = intern(v)
	}
	n := &p.nodes[i]
	n.v0, n.v1, n.end, n.str = int32(v0), int32(len(p.vals)), i+1, str
	return i
}

// plain reads a plain scalar inside a block collection at column parent,
// folding the lines it goes on over, and moves to the next content.
func (p *parser) plain(parent int) []byte {
	src := p.src
	var out []byte // the folded value, once the scalar goes on over lines
	seg := p.pos
	for {
		i, end, comment := p.plainLine(seg)
		v := src[seg:end]
		if out != nil {
			out = append(out, v...)
			p.scratch, v = out[:0], out
		}
		switch {
		case comment:
			p.pos = i
			p.skipEmptyRest()
			return v
		case i == len(src):
			p.pos, p.ind = i, -1
			return v
		}
		// The scalar goes on over the next non-empty line when that line is
		// indented deeper than the parent and is no comment.
		breaks := 0
		j, k := i+1, i+1
		for {
			for k < len(src) && src[k] == ' ' {
				k++
			}
			if k < len(src) && src[k] == '\t' {
				p.bail()
			}
			if k == len(src) || src[k] != '\n' {
				break
			}
			breaks++
			k++
			j = k
		}
		if k == len(src) || k-j <= parent || src[k] == '#' {
			p.newline(i)
			p.next()
			return v
		}
		if out == nil {
			out = append(p.scratch[:0], v...)
		}
		if breaks == 0 {
			out = append(out, ' ')
		}
		for b := 0; b < breaks; b++ {
			out = append(out, '\n')
		}
		p.line += 1 + breaks
		p.lineStart = j
		seg = k
	}
}

// plainLine reads the line of a plain scalar from seg to a line break, the
// end, or a comment, which it reports. end is the end of the text read.
func (p *parser) plainLine(seg int) (i, end int, comment bool) {
	src := p.src
	for i, end = seg, seg; i < len(src); i++ {
		switch src[i] {
		case '\n':
			return i, end, false
		case ' ', '\t':
			continue
		case '#':
			if i > seg && (src[i-1] == ' ' || src[i-1] == '\t') {
				return i, end, true
			}
		case ':':
			if p.blankz(i + 1) {
				p.bail() // a mapping value where none may be
			}
		}
		end = i + 1
	}
	return i, end, false
}

// quoted reads a single- or double-quoted scalar, as
// yaml_parser_scan_flow_scalar does. A key must be on one line; other
// scalars may go on over lines whose content is indented deeper than parent.
func (p *parser) quoted(parent int, oneLine bool) []byte {
	src := p.src
	q := src[p.pos]
	single := q == '\''
	p.pos++
	s := p.scratch[:0]
	crossed := false // a line break was passed since the last content
	for {
		if p.pos >= len(src) {
			p.bail()
		}
		if crossed {
			if oneLine || p.pos-p.lineStart <= parent || bytes.IndexByte(src[p.lineStart:p.pos], '\t') >= 0 {
				p.bail()
			}
			crossed = false
		}
		if src[p.pos] == q && !(single && p.at(p.pos+1) == '\'') {
			break
		}
		leadingBlanks := false
	chars:
		for p.pos < len(src) {
			c := src[p.pos]
			switch {
			case c == ' ' || c == '\t' || c == '\n':
				break chars
			case single && c == '\'':
				if p.at(p.pos+1) != '\'' {
					break chars
				}
				s = append(s, '\'')
				p.pos += 2
			case !single && c == '"':
				break chars
			case !single && c == '\\' && p.at(p.pos+1) == '\n':
				p.newline(p.pos + 1)
				leadingBlanks, crossed = true, true
				break chars
			case !single && c == '\\':
				s = p.escape(s)
			default:
				s = append(s, c)
				p.pos++
			}
		}
		if !crossed && p.at(p.pos) == q {
			break
		}
		// Fold white space and line breaks.
		ws, wsEnd := p.pos, p.pos
		leadingBreak := false
		trailing := 0
		for p.pos < len(src) {
			c := src[p.pos]
			if c == ' ' || c == '\t' {
				p.pos++
				if !leadingBlanks {
					wsEnd = p.pos
				}
				continue
			}
			if c != '\n' {
				break
			}
			if !leadingBlanks {
				leadingBreak, leadingBlanks = true, true
			} else {
				trailing++
			}
			crossed = true
			p.newline(p.pos)
		}
		if leadingBlanks {
			if leadingBreak && trailing == 0 {
				s = append(s, ' ')
			}
			for ; trailing > 0; trailing-- {
				s = append(s, '\n')
			}
		} else {
			s = append(s, src[ws:wsEnd]...)
		}
	}
	p.pos++
	p.scratch = s[:0]
	return s
}

// escape appends the character of the escape sequence at p.pos to s.
func (p *parser) escape(s []byte) []byte {
	c := p.at(p.pos + 1)
	p.pos += 2
	var r byte
	switch c {
	case '0':
		r = 0
	case 'a':
		r = '\a'
	case 'b':
		r = '\b'
	case 't', '\t':
		r = '\t'
	case 'n':
		r = '\n'
	case 'v':
		r = '\v'
	case 'f':
		r = '\f'
	case 'r':
		r = '\r'
	case 'e':
		r = 0x1b
	case ' ', '"', '\'', '\\':
		r = c
	case 'N':
		return append(s, "\u0085"...)
	case '_':
		return append(s, "\u00a0"...)
	case 'L':
		return append(s, "\u2028"...)
	case 'P':
		return append(s, "\u2029"...)
	case 'x', 'u', 'U':
		n := 2
		if c == 'u' {
			n = 4
		} else if c == 'U' {
			n = 8
		}
		v := 0
		for k := 0; k < n; k++ {
			h := p.at(p.pos + k)
			switch {
			case h >= '0' && h <= '9':
				v = v<<4 | int(h-'0')
			case h >= 'a' && h <= 'f':
				v = v<<4 | int(h-'a'+10)
			case h >= 'A' && h <= 'F':
				v = v<<4 | int(h-'A'+10)
			default:
				p.bail()
			}
		}
		p.pos += n
		if v >= 0xD800 && v <= 0xDFFF || v > 0x10FFFF {
			p.bail()
		}
		return utf8.AppendRune(s, rune(v))
	default:
		p.bail()
	}
	return append(s, r)
}

// blockScalar reads a literal or folded scalar inside a block collection
// at column parent, and moves to the next content.
func (p *parser) blockScalar(parent int) []byte {
	src := p.src
	literal := src[p.pos] == '|'
	p.pos++
	chomp, increment := 0, 0
	for k := 0; k < 2; k++ {
		switch c := p.at(p.pos); {
		case (c == '+' || c == '-') && chomp == 0:
			chomp = 1
			if c == '-' {
				chomp = -1
			}
			p.pos++
		case c >= '1' && c <= '9' && increment == 0:
			increment = int(c - '0')
			p.pos++
		case c == '0':
			p.bail()
		}
	}
	i := p.pos
	for p.at(i) == ' ' {
		i++
	}
	if p.at(i) == '#' {
		if i == p.pos {
			p.bail()
		}
		i = p.lineEnd(i)
	}
	switch p.at(i) {
	case '\n':
		p.newline(i)
	case 0:
		p.pos = i
	default:
		p.bail()
	}

	indent := 0
	if increment > 0 {
		indent = parent + increment
	}
	s := p.scratch[:0]
	trailing := 0
	// breaks eats the indentation and empty lines before content, as
	// yaml_parser_scan_block_scalar_breaks does.
	breaks := func() {
		maxIndent := 0
		for {
			for (indent == 0 || p.pos-p.lineStart < indent) && p.at(p.pos) == ' ' {
				p.pos++
			}
			maxIndent = max(maxIndent, p.pos-p.lineStart)
			if (indent == 0 || p.pos-p.lineStart < indent) && p.at(p.pos) == '\t' {
				p.bail()
			}
			if p.at(p.pos) != '\n' {
				break
			}
			trailing++
			p.newline(p.pos)
		}
		if indent == 0 {
			indent = max(maxIndent, parent+1, 1)
		}
	}
	breaks()
	leadingBreak, leadingBlank := false, false
	for p.pos-p.lineStart == indent && p.pos < len(src) {
		trailingBlank := src[p.pos] == ' ' || src[p.pos] == '\t'
		if !literal && leadingBreak && !leadingBlank && !trailingBlank {
			if trailing == 0 {
				s = append(s, ' ')
			}
		} else if leadingBreak {
			s = append(s, '\n')
		}
		for ; trailing > 0; trailing-- {
			s = append(s, '\n')
		}
		leadingBlank = trailingBlank
		e := p.lineEnd(p.pos)
		s = append(s, src[p.pos:e]...)
		leadingBreak = false
		if e < len(src) {
			leadingBreak = true
			p.newline(e)
		} else {
			p.pos = e
		}
		breaks()
	}
	if chomp != -1 && leadingBreak {
		s = append(s, '\n')
	}
	if chomp == 1 {
		for ; trailing > 0; trailing-- {
			s = append(s, '\n')
		}
	}
	p.scratch = s[:0]
	if p.pos >= len(src) {
		p.ind = -1
	} else {
		p.pos = p.lineStart
		p.next()
	}
	return s
}

// flow reads a flow sequence or mapping that ends on its first line.
func (p *parser) flow(depth int) int32 {
	p.depth(depth)
	line, col := p.mark(p.pos)
	kind, closer := position.Sequence, byte(']')
	if p.at(p.pos) == '{' {
		kind, closer = position.Mapping, '}'
	}
	idx := p.push(kind, line, col)
	p.pos++
	p.flowSpaces()
	var count int32
	var keys keySet
	for p.at(p.pos) != closer {
		if kind == position.Sequence {
			p.flowNode(depth + 1)
		} else {
			kline, kcol := p.mark(p.pos)
			var k []byte
			quoted := p.at(p.pos) == '\'' || p.at(p.pos) == '"'
			if quoted {
				k = p.quoted(-1, true)
			} else {
				k = p.flowPlain()
				if string(k) == "<<" {
					p.bail()
				}
			}
			p.flowSpaces()
			if p.at(p.pos) != ':' || !quoted && p.at(p.pos+1) != ' ' {
				p.bail()
			}
			p.pos++
			p.flowSpaces()
			key := intern(k)
			child := p.flowNode(depth + 1)
			c := &p.nodes[child]
			c.key, c.kline, c.kcol = key, kline, kcol
			p.keyBytes += len(key) + 4
			keys.add(p, idx, child, key)
		}
		count++
		p.flowSpaces()
		if p.at(p.pos) == ',' {
			p.pos++
			p.flowSpaces()
			if p.at(p.pos) == closer {
				p.bail()
			}
		} else if p.at(p.pos) != closer {
			p.bail()
		}
	}
	p.pos++
	p.finish(idx, count)
	return idx
}

// flowSpaces moves past spaces inside a flow collection, which must not
// end its line there.
func (p *parser) flowSpaces() {
	for p.at(p.pos) == ' ' {
		p.pos++
	}
	if c := p.at(p.pos); c == '\t' || c == '\n' || c == 0 || c == '#' {
		p.bail()
	}
}

// flowNode reads an entry of a flow collection.
func (p *parser) flowNode(depth int) int32 {
	p.depth(depth)
	line, col := p.mark(p.pos)
	switch p.at(p.pos) {
	case '\'', '"':
		return p.scalar(line, col, p.quoted(-1, true), false)
	case '[', '{':
		return p.flow(depth)
	}
	return p.scalar(line, col, p.flowPlain(), true)
}

// flowPlain reads a plain scalar inside a flow collection. Only simple
// words are accepted: letters, digits and "._/-", not starting with "-".
func (p *parser) flowPlain() []byte {
	start := p.pos
	i := start
	for {
		c := p.at(i)
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == '/' || i > start && c == '-') {
			break
		}
		i++
	}
	if i == start {
		p.bail()
	}
	p.pos = i
	return p.src[start:i]
}
