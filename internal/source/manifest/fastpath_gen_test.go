package manifest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// docGen writes random documents in and around the YAML subset of the fast
// path: tricky scalars, every scalar style, nested collections, comments,
// odd indentation, and small mutations of all that.
type docGen struct {
	r *rand.Rand
	b strings.Builder
	// tame documents keep to words and escapes the fast path takes.
	tame bool
}

var (
	genWords = []string{
		"a", "name", "x y", "a:b", "a#b", "http://h:1/p", "yes", "no", "on", "0755", "08", "1e3",
		"1_000", "0x1F", "0o17", "0b101", "-0", "+1", "-1", ".5", "-.5", "1.", "~", "null", "Null",
		"NULL", "true", "False", "TRUE", ".inf", "-.Inf", ".nan", "2024-01-02", "2024-1-2 3:4:5",
		"12:30", "99999999999999999999", "1e999", "<<", "-x", "--x", ":x", "?x", "é", "ü ö", "\t",
		"a\tb", "0.0.1", "v1", "Pod", "apiVersion", "kind", "-", "?", ":", "@x", "`x", "%x", "&a", "*a",
		"!t", "!!str", "|", ">", "'", "\"", "[a]", "{a: b}", "a, b", "#", " #", "a #b", "a: b",
		"...", "---", "", " ", "\\", "\\n", "''", "e\u0301", "😀",
	}
	genEscapes = []string{`\t`, `\"`, `\\`, `\x41`, `\u00e9`, `\U0001F600`, `\0`, `\e`, `\N`, `\_`, `\L`, `\P`, `\ `, `\/`, `\q`, `\x4`, `\ud800`, `\U00110000`, "\\\n", `\a`, `\b`, `\v`, `\f`, `\r`, `\n`}
)

func (g *docGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// word returns a word for a scalar; tame words are those that keep a
// document in the subset of the fast path.
func (g *docGen) word() string {
	for {
		w := g.pick(genWords)
		if !g.tame || !strings.ContainsAny(w, "\t&*!@`%\\#") && !strings.HasPrefix(w, "-") && w != "<<" && w != "?" &&
			w != ":" && !strings.Contains(w, ": ") && !strings.Contains(w, "inf") && w != ".nan" {
			return w
		}
	}
}

// escape returns an escape sequence of a double-quoted scalar.
func (g *docGen) escape() string {
	for {
		e := g.pick(genEscapes)
		if !g.tame || !strings.Contains(`\/ \q \x4 \ud800 \U00110000`, e) {
			return e
		}
	}
}

func (g *docGen) chance(n int) bool { return g.r.IntN(n) == 0 }

func (g *docGen) spaces(n int) string {
	if n < 0 {
		n = 0
	}
	return strings.Repeat(" ", n)
}

func (g *docGen) comment() string {
	switch g.r.IntN(12) {
	case 0:
		return " # c"
	case 1:
		return "  #c: d"
	case 2:
		if !g.tame {
			return " \t# t"
		}
	}
	return ""
}

// scalar returns a scalar in some style; indent is the column continuation
// lines use.
func (g *docGen) scalar(indent int) string {
	w := g.word()
	switch g.r.IntN(9) {
	case 0, 1, 2:
		if g.chance(4) {
			// multi-line plain
			return w + "\n" + strings.Repeat("\n", g.r.IntN(2)) + g.spaces(indent+g.r.IntN(3)-1) + g.word()
		}
		return w
	case 3:
		s := strings.ReplaceAll(w, "'", "''")
		if g.chance(3) {
			s += strings.Repeat("\n", 1+g.r.IntN(2)) + g.spaces(indent+g.r.IntN(3)-1) + g.word()
		}
		return "'" + s + "'"
	case 4:
		var b strings.Builder
		b.WriteByte('"')
		for i := g.r.IntN(4); i >= 0; i-- {
			if g.chance(2) {
				b.WriteString(g.escape())
			} else {
				b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(g.word()))
			}
			if g.chance(5) {
				b.WriteString(strings.Repeat(" ", g.r.IntN(2)) + "\n" + g.spaces(indent+g.r.IntN(3)-1))
			}
		}
		b.WriteByte('"')
		return b.String()
	case 5, 6:
		head := g.pick([]string{"|", ">", "|-", ">-", "|+", ">+", "|2", ">1-", "|+1", "|0", "| # c", "|#c", "|\t", "|  "})
		var b strings.Builder
		b.WriteString(head)
		base := indent + g.r.IntN(3)
		for i := g.r.IntN(5); i >= 0; i-- {
			b.WriteByte('\n')
			switch g.r.IntN(6) {
			case 0:
				// empty line
			case 1:
				b.WriteString(g.spaces(base + g.r.IntN(4) - 1))
			case 2:
				b.WriteString(g.spaces(base+g.r.IntN(3)) + "# " + g.word())
			default:
				b.WriteString(g.spaces(base+g.r.IntN(3)) + g.word())
			}
		}
		return b.String()
	case 7:
		if g.chance(2) {
			return "[" + g.flowItems(false) + "]"
		}
		return "{" + g.flowItems(true) + "}"
	}
	return ""
}

func (g *docGen) flowItems(mapping bool) string {
	var items []string
	for i := g.r.IntN(4); i > 0; i-- {
		item := g.word()
		if g.chance(2) {
			item = strconv.Quote(item)
		}
		if mapping {
			item += g.pick([]string{": ", ":", " : "}) + g.word()
		}
		items = append(items, item)
	}
	return strings.Join(items, g.pick([]string{", ", ",", " , "}))
}

// key returns a mapping key.
func (g *docGen) key() string {
	w := g.word()
	switch g.r.IntN(6) {
	case 0:
		return "'" + strings.ReplaceAll(w, "'", "''") + "'"
	case 1:
		return strconv.Quote(w)
	}
	if w == "" || strings.ContainsAny(w[:1], "-?:,[]{}#&*!|>'\"%@` \t") {
		w = "k" + w
	}
	return w
}

// mapping writes a block mapping whose keys stand at column col.
func (g *docGen) mapping(col, depth int) {
	for i := 1 + g.r.IntN(4); i > 0; i-- {
		if g.chance(6) {
			g.b.WriteString(g.spaces(g.r.IntN(col+3)) + "# comment\n")
		}
		if g.chance(8) {
			g.b.WriteString("\n")
		}
		g.b.WriteString(g.spaces(col) + g.key() + ":")
		g.value(col, depth)
	}
}

func (g *docGen) value(col, depth int) {
	switch r := g.r.IntN(10); {
	case r < 5 || depth > 4:
		g.inlineScalar(col)
	case r < 7:
		g.b.WriteString(g.comment() + "\n")
		g.mapping(col+1+g.r.IntN(3), depth+1)
	default:
		g.b.WriteString(g.comment() + "\n")
		g.sequence(col+g.r.IntN(3), depth+1)
	}
}

// inlineScalar writes a scalar after a key or dash of a collection at
// column col, and ends the line.
func (g *docGen) inlineScalar(col int) {
	s := g.scalar(col + 2)
	if s != "" {
		g.b.WriteString(" ")
	}
	g.b.WriteString(s + g.comment() + "\n")
}

func (g *docGen) sequence(col, depth int) {
	for i := 1 + g.r.IntN(3); i > 0; i-- {
		g.b.WriteString(g.spaces(col) + "-")
		switch r := g.r.IntN(10); {
		case r < 4 || depth > 4:
			g.inlineScalar(col)
		case r < 6:
			// compact mapping
			inner := col + 2 + g.r.IntN(2)
			g.b.WriteString(g.spaces(inner-col-1) + g.key() + ":")
			g.value(inner, depth+1)
			if g.chance(2) {
				g.mapping(inner, depth+1)
			}
		case r < 7:
			// compact sequence
			g.b.WriteString(" ")
			inner := col + 2
			g.b.WriteString("- " + g.scalar(inner+2) + "\n")
			if g.chance(2) {
				g.sequence(inner, depth+1)
			}
		case r < 8:
			g.b.WriteString(g.comment() + "\n")
		default:
			g.b.WriteString(g.comment() + "\n")
			if g.chance(2) {
				g.mapping(col+1+g.r.IntN(3), depth+1)
			} else {
				g.sequence(col+1+g.r.IntN(3), depth+1)
			}
		}
	}
}

// document returns a random document.
func (g *docGen) document() []byte {
	g.b.Reset()
	if g.chance(3) {
		g.b.WriteString(g.pick([]string{"---\n", "--- # c\n", "---\t\n", "--- x\n"}))
	}
	g.mapping(g.r.IntN(2), 0)
	doc := []byte(g.b.String())
	// Mutate a little, now and then.
	for i := g.r.IntN(3); i > 0 && len(doc) > 0 && !g.tame && g.chance(2); i-- {
		at := g.r.IntN(len(doc))
		switch g.r.IntN(4) {
		case 0:
			doc = append(doc[:at], doc[at+1:]...)
		case 1:
			const chars = " \n:-#'\"\t\r|>[]{},"
			c := chars[g.r.IntN(len(chars))]
			doc = append(doc[:at], append([]byte{c}, doc[at:]...)...)
		case 2:
			doc = append(doc[:at], append([]byte("  "), doc[at:]...)...)
		default:
			doc = []byte(strings.ReplaceAll(string(doc), "\n", "\r\n"))
		}
	}
	return doc
}

// TestFastPathGenerated checks the fast path against the yaml.v3 path on
// random documents. KUBE4C_FASTPATH_GENERATED sets how many (default 3000).
func TestFastPathGenerated(t *testing.T) {
	n, seed := 3000, uint64(1)
	if s := os.Getenv("KUBE4C_FASTPATH_GENERATED"); s != "" {
		n, _ = strconv.Atoi(s)
		seed = rand.Uint64()
	}
	g := docGen{r: rand.New(rand.NewPCG(seed, 2))}
	taken := 0
	for i := 0; i < n && !t.Failed(); i++ {
		g.tame = i%2 == 0
		if checkFastPath(t, fmt.Sprintf("document %d (seed %d)", i, seed), chunk{data: g.document(), line: 1 + i%3}) {
			taken++
		}
	}
	t.Logf("the fast path took %d of %d random documents", taken, n)
}
