package fix

import (
	"bytes"
	"slices"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// file is a manifest file: its bytes, where its lines start, and its
// documents by the line of their root.
type file struct {
	src        []byte
	lineStarts []int // lineStarts[i] is the offset of line i+1
	eol        string
	step       int // the indentation step of nested block mappings
	docs       map[int]*yaml.Node
}

func newFile(src []byte, docs []*yaml.Node) *file {
	f := &file{src: src, eol: "\n", step: 2, docs: make(map[int]*yaml.Node, len(docs))}
	f.lineStarts = append(f.lineStarts, 0)
	for i, c := range src {
		if c == '\n' {
			f.lineStarts = append(f.lineStarts, i+1)
		}
	}
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		f.eol = "\r\n"
	}
	for _, d := range docs {
		f.docs[d.Line] = d
	}
	for _, d := range docs {
		if s := indentStep(d); s > 0 {
			f.step = s
			break
		}
	}
	return f
}

// indentStep finds how far the file indents a block mapping under its key.
func indentStep(n *yaml.Node) int {
	if n.Kind != yaml.MappingNode || n.Style&yaml.FlowStyle != 0 {
		return 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 && v.Line > k.Line {
			return v.Content[0].Column - k.Column
		}
		if s := indentStep(v); s > 0 {
			return s
		}
	}
	return 0
}

// offset converts a 1-based line and column (in characters, as yaml.v3
// counts them) to a byte offset; -1 when out of range.
func (f *file) offset(line, col int) int {
	if line < 1 || line > len(f.lineStarts) {
		return -1
	}
	off := f.lineStarts[line-1]
	for c := 1; c < col; c++ {
		if off >= len(f.src) || f.src[off] == '\n' {
			return -1
		}
		_, size := utf8.DecodeRune(f.src[off:])
		off += size
	}
	return off
}

// lineEnd returns the offset of the end of line's content: before its
// "\n" or "\r\n", or the end of the file.
func (f *file) lineEnd(line int) int {
	if line >= len(f.lineStarts) {
		end := len(f.src)
		if end > 0 && f.src[end-1] == '\r' {
			end--
		}
		return end
	}
	end := f.lineStarts[line] - 1 // the '\n'
	if end > 0 && f.src[end-1] == '\r' {
		end--
	}
	return end
}

// lineText returns the content of line, without its line end.
func (f *file) lineText(line int) []byte {
	return f.src[f.lineStarts[line-1]:f.lineEnd(line)]
}

// indentOf counts the leading spaces of a line; blank reports a line of
// spaces only.
func indentOf(text []byte) (n int, blank bool) {
	for n < len(text) && text[n] == ' ' {
		n++
	}
	rest := bytes.TrimSpace(text[n:])
	return n, len(rest) == 0
}

// lastLine is the last line a node's subtree starts a node on.
func lastLine(n *yaml.Node) int {
	l := n.Line
	for _, c := range n.Content {
		l = max(l, lastLine(c))
	}
	return l
}

// blockEnd returns the offset just after the last line of a block
// collection whose entries are indented by indent spaces: past the last
// line its nodes start on, then past the lines that continue them (more
// indented, such as a block scalar's), not counting trailing blank lines.
// It also reports whether that line had a line end.
func (f *file) blockEnd(n *yaml.Node, indent int) (int, bool) {
	last := lastLine(n)
	for l := last + 1; l <= len(f.lineStarts); l++ {
		if l == len(f.lineStarts) && f.lineStarts[l-1] == len(f.src) {
			break // the empty "line" after a final line end
		}
		ind, blank := indentOf(f.lineText(l))
		if blank {
			continue
		}
		if ind <= indent {
			break
		}
		last = l
	}
	if last < len(f.lineStarts) {
		return f.lineStarts[last], true
	}
	return len(f.src), false
}

// position converts a byte offset to a 1-based line and column (in
// characters).
func (f *file) position(off int) (line, col int) {
	line, _ = slices.BinarySearch(f.lineStarts, off+1)
	start := f.lineStarts[line-1]
	return line, utf8.RuneCount(f.src[start:off]) + 1
}
