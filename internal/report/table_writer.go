package report

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kube4c/kube4c/internal/inventory"
)

// The primitives of tableWriter: styles, padding, numbers, locations and
// text that is safe to send to a terminal.

// begin and end bracket text written in a style when colours are on.
func (t *tableWriter) begin(sgr string) {
	if t.color && sgr != "" {
		t.WriteString(sgr)
	}
}

func (t *tableWriter) end(sgr string) {
	if t.color && sgr != "" {
		t.WriteString(sgrReset)
	}
}

// styled writes s in a style.
func (t *tableWriter) styled(sgr, s string) {
	t.begin(sgr)
	t.WriteString(s)
	t.end(sgr)
}

const spaces = "                                                                "

// pad writes n spaces.
func (t *tableWriter) pad(n int) {
	for n > 0 {
		k := min(n, len(spaces))
		t.WriteString(spaces[:k])
		n -= k
	}
}

func (t *tableWriter) int(n int) { t.Write(strconv.AppendInt(t.num[:0], int64(n), 10)) }

// count writes "n noun", with the plural when n is not one.
func (t *tableWriter) count(n int, singular, plural string) {
	t.int(n)
	t.WriteByte(' ')
	if n == 1 {
		t.WriteString(singular)
	} else {
		t.WriteString(plural)
	}
}

// location writes file:line:column as far as it is known.
func (t *tableWriter) location(l inventory.Location) {
	t.text(l.File)
	if l.File == "" || l.Line == 0 {
		return
	}
	t.WriteByte(':')
	t.int(l.Line)
	if l.Column > 0 {
		t.WriteByte(':')
		t.int(l.Column)
	}
}

// locationWidth is the length of what location writes.
func locationWidth(l inventory.Location) int {
	n := textWidth(l.File)
	if l.File == "" || l.Line == 0 {
		return n
	}
	n += 1 + digits(l.Line)
	if l.Column > 0 {
		n += 1 + digits(l.Column)
	}
	return n
}

func digits(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// indented writes s and a newline, indenting its continuation lines.
func (t *tableWriter) indented(s string) {
	for i, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if i > 0 {
			t.WriteString("    ")
		}
		t.text(line)
		t.WriteByte('\n')
	}
}

// wrapped writes s and a newline, in lines indented by indent that fit
// the terminal's width, breaking between words (a word longer than a line
// stands alone); the first line continues one already indented and used
// columns long, when used is not 0. Without a known width, s is written
// as it is.
func (t *tableWriter) wrapped(s string, indent, used int) {
	if t.width == 0 {
		if used == 0 {
			t.pad(indent)
		}
		t.text(s)
		t.WriteByte('\n')
		return
	}
	room := max(t.width-indent, 20)
	first := used > 0
	for _, word := range strings.Fields(s) {
		n := textWidth(word)
		switch {
		case first:
			first = false
		case used == 0:
			t.pad(indent)
		case used+1+n > room:
			t.WriteByte('\n')
			t.pad(indent)
			used = 0
		default:
			t.WriteByte(' ')
			used++
		}
		t.text(word)
		used += n
	}
	t.WriteByte('\n')
}

// textWidth is the number of columns text(s) takes: the runes of s with
// its control characters escaped, as a terminal shows most.
func textWidth(s string) int { return utf8.RuneCountInString(SafeText(s)) }

// text writes s with control characters escaped (see SafeText).
func (t *tableWriter) text(s string) { t.WriteString(SafeText(s)) }

// SafeText returns s with its control characters but tab escaped as \xHH,
// so that untrusted content (object names, audit users) cannot move the
// cursor, clear the screen or change the colours of a terminal. It is the
// one escaper of every human format, and of the messages commands print
// beside a report; safeCell is its variant for cells of tab-separated
// tables.
func SafeText(s string) string { return escapeControls(s, true) }

// safeCell is SafeText that escapes tabs too, for a cell of a table laid
// out by text/tabwriter, where a tab would fake a column.
func safeCell(s string) string { return escapeControls(s, false) }

// escapeControls escapes the control characters of s as \xHH, tabs too
// unless keepTab; it returns s itself when there is nothing to escape.
func escapeControls(s string, keepTab bool) string {
	if plain(s, keepTab) {
		return s
	}
	var b strings.Builder
	var num [8]byte
	for _, r := range s {
		if r == '\t' && keepTab || !unicode.IsControl(r) {
			b.WriteRune(r)
			continue
		}
		b.WriteString(`\x`)
		b.Write(strconv.AppendUint(num[:0], uint64(r)|0x100, 16)[1:])
	}
	return b.String()
}

// plain reports whether s has no control character (but tab, if keepTab):
// no C0 byte, no DEL and no C1 character (U+0080 to U+009F, 0xC2 0x80-0x9F
// in UTF-8).
func plain(s string, keepTab bool) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 && (c != '\t' || !keepTab), c == 0x7f:
			return false
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			return false
		}
	}
	return true
}
