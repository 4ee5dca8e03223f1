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
	n := len(l.File)
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

// text writes s with control characters escaped as \xHH, so that scanned
// content cannot move the cursor or change the colours of the terminal.
func (t *tableWriter) text(s string) {
	if plain(s) {
		t.WriteString(s)
		return
	}
	t.Write(appendEscaped(nil, s))
}

// SafeText returns s with control characters escaped as \xHH, as the
// table writes them, for messages printed to a terminal outside a
// report (input errors and warnings on standard error).
func SafeText(s string) string {
	if plain(s) {
		return s
	}
	return string(appendEscaped(nil, s))
}

// appendEscaped appends s with every control character but tab escaped
// as \xHH.
func appendEscaped(b []byte, s string) []byte {
	for _, r := range s {
		if r == '\t' || !unicode.IsControl(r) {
			b = utf8.AppendRune(b, r)
			continue
		}
		b = append(b, `\x`...)
		b = append(b, strconv.AppendUint(nil, uint64(r)|0x100, 16)[1:]...)
	}
	return b
}

// plain reports whether s has no control character but tab: no C0 byte,
// no DEL and no C1 character (U+0080 to U+009F, 0xC2 0x80-0x9F in UTF-8).
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 && c != '\t', c == 0x7f:
			return false
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			return false
		}
	}
	return true
}
