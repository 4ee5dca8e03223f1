package report

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Snippets: the lines of a manifest around a finding's line, cut from the
// files the caller's Options.Source returns, each read once per report.
const (
	// snippetRadius is how many lines a snippet shows above and below.
	snippetRadius = 4
	// snippetLineMax is the longest line a snippet shows, in bytes; a
	// longer line is cut (a minified JSON file is one line).
	snippetLineMax = 240
	// snippetFileMax is the largest file snippets are cut from.
	snippetFileMax = 32 << 20
)

// snippetBudget is how many bytes of file text a report carries for its
// snippets: the findings worst first get theirs until it is spent, which
// keeps a report of a hundred thousand findings a few megabytes.
var snippetBudget = 4 << 20

// snippets collects the lines the page shows, file by file.
type snippets struct {
	read   func(file string) ([]byte, error)
	files  map[string]*snippetFile
	order  []string // files in the order first read
	used   int
	budget int
}

// snippetFile is one file's lines (redacted) and which of them are kept;
// lines is nil when the file could not be read.
type snippetFile struct {
	lines []string
	keep  []bool
}

func newSnippets(read func(string) ([]byte, error)) *snippets {
	return &snippets{read: read, files: map[string]*snippetFile{}, budget: snippetBudget}
}

// file returns the lines of name, reading it on first use.
func (s *snippets) file(name string) *snippetFile {
	if f, ok := s.files[name]; ok {
		return f
	}
	f := &snippetFile{}
	s.files[name] = f
	s.order = append(s.order, name)
	data, err := s.read(name)
	if err != nil || len(data) > snippetFileMax {
		return f
	}
	f.lines = splitLines(data)
	redactLines(f.lines)
	for i, l := range f.lines {
		f.lines[i] = cutLine(l)
	}
	f.keep = make([]bool, len(f.lines))
	return f
}

// add keeps the lines around line (1-based) of file, within its YAML
// document, and reports whether the budget was spent before they could
// be. A file that cannot be read has no snippet, which is no failure.
func (s *snippets) add(file string, line int) (spent bool) {
	if s.used >= s.budget {
		return true
	}
	f := s.file(file)
	if line < 1 || line > len(f.lines) {
		return false
	}
	lo, hi := f.window(line - 1)
	cost := 0
	for i := lo; i <= hi; i++ {
		if !f.keep[i] {
			cost += len(f.lines[i]) + 3 // the quotes and the comma
		}
	}
	if s.used+cost > s.budget {
		s.used = s.budget // keep the order: no later, smaller snippet jumps in
		return true
	}
	s.used += cost
	for i := lo; i <= hi; i++ {
		f.keep[i] = true
	}
	return false
}

// window returns the lines (0-based, inclusive) a snippet of line i shows:
// snippetRadius on each side, within the document.
func (f *snippetFile) window(i int) (lo, hi int) {
	lo, hi = i, i
	for lo > 0 && i-lo < snippetRadius && !isDocumentSeparator(f.lines[lo-1]) {
		lo--
	}
	for hi+1 < len(f.lines) && hi-i < snippetRadius && !isDocumentSeparator(f.lines[hi+1]) {
		hi++
	}
	return lo, hi
}

// runs returns the kept lines of a file as runs of consecutive lines: the
// 1-based number of the first, and the lines.
func (f *snippetFile) runs() []snippetRun {
	var out []snippetRun
	for i := 0; i < len(f.keep); i++ {
		if !f.keep[i] {
			continue
		}
		j := i
		for j < len(f.keep) && f.keep[j] {
			j++
		}
		out = append(out, snippetRun{start: i + 1, lines: f.lines[i:j]})
		i = j
	}
	return out
}

// snippetRun is consecutive lines of a file, from line start.
type snippetRun struct {
	start int
	lines []string
}

// splitLines splits a file into lines without their line endings.
func splitLines(data []byte) []string {
	data = bytes.TrimSuffix(data, []byte("\n"))
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// cutLine shortens a line longer than snippetLineMax, at a character
// boundary.
func cutLine(l string) string {
	if len(l) <= snippetLineMax {
		return l
	}
	n := snippetLineMax
	for n > 0 && !utf8.RuneStart(l[n]) {
		n--
	}
	return l[:n] + "…"
}
