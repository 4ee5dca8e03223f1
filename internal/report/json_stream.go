package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"maps"
	"runtime"
	"slices"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/jsonescape"
	"github.com/kube4c/kube4c/internal/parallel"
)

// jsonStream writes one JSON object member by member and list element by
// list element, without HTML escaping. Members are indented as
// json.MarshalIndent(v, "", "  ") lays them out; list elements are written
// compactly, one per line, which keeps large reports fast to write and
// easy to grep.
type jsonStream struct {
	w       *bufio.Writer
	buf     bytes.Buffer
	enc     *json.Encoder
	members int
	err     error
}

// Line prefixes of members and of list elements.
const (
	jsonIndent1 = "  "
	jsonIndent2 = "    "
)

func newJSONStream(w *bufio.Writer) *jsonStream {
	s := &jsonStream{w: w}
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false)
	return s
}

// value writes v with every line after the first prefixed, or compactly
// on one line when prefix is empty.
func (s *jsonStream) value(v any, prefix string) {
	if s.err != nil {
		return
	}
	s.buf.Reset()
	if prefix == "" {
		s.enc.SetIndent("", "")
	} else {
		s.enc.SetIndent(prefix, "  ")
	}
	if s.err = s.enc.Encode(v); s.err == nil {
		s.w.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte{'\n'}))
	}
}

// key starts the next member of the top-level object.
func (s *jsonStream) key(name string) {
	if s.members == 0 {
		s.w.WriteString("{\n")
	} else {
		s.w.WriteString(",\n")
	}
	s.members++
	s.w.WriteString(jsonIndent1 + `"`)
	s.w.WriteString(name)
	s.w.WriteString(`": `)
}

// field writes a member.
func (s *jsonStream) field(name string, v any) {
	s.key(name)
	s.value(v, jsonIndent1)
}

// appendFunc appends the compact JSON encoding of an item.
type appendFunc[T any] func(b []byte, item *T) ([]byte, error)

// streamList writes a member whose value is a list, one element per line,
// elements encoded by encoding/json.
func streamList[T any](s *jsonStream, name string, items []T) {
	streamListWith(s, name, items, func() appendFunc[T] { return appendEncoded[T] })
}

// streamListWith writes a member whose value is a list, one element per
// line, each encoded by an appendFunc that newAppend makes. Elements are
// encoded in pieces on every CPU, a batch of pieces at a time, and each
// batch is written in order: memory stays bounded by one batch.
func streamListWith[T any](s *jsonStream, name string, items []T, newAppend func() appendFunc[T]) {
	s.key(name)
	if len(items) == 0 {
		s.w.WriteString("[]")
		return
	}
	s.w.WriteString("[\n")
	if s.err != nil {
		return
	}
	const piece = 1024
	bufs := make([][]byte, 4*runtime.GOMAXPROCS(0)) // one batch of pieces
	errs := make([]error, len(bufs))
	for lo := 0; lo < len(items); lo += len(bufs) * piece {
		batch := items[lo:min(lo+len(bufs)*piece, len(items))]
		parallel.Blocks(len(batch), piece, func(from, to int) {
			k := from / piece
			buf := slices.Grow(bufs[k][:0], (to-from)*bytesPerItemGuess) // fewer regrowths of a fresh buffer
			bufs[k], errs[k] = encodeLines(buf, batch[from:to], lo+from == 0, newAppend())
		})
		for k := range (len(batch) + piece - 1) / piece {
			if errs[k] != nil {
				s.err = errs[k]
				return
			}
			s.w.Write(bufs[k])
		}
	}
	s.w.WriteString("\n" + jsonIndent1 + "]")
}

// bytesPerItemGuess is about the size of an encoded finding.
const bytesPerItemGuess = 1024

// appendEncoded appends item as encoding/json writes it, without HTML
// escaping.
func appendEncoded[T any](b []byte, item *T) ([]byte, error) {
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(item); err != nil {
		return b, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// encodeLines appends items to buf compactly, each on a line of its own
// prefixed by jsonIndent2 and separated by commas; first says whether the
// first item opens the list.
func encodeLines[T any](buf []byte, items []T, first bool, appendItem appendFunc[T]) ([]byte, error) {
	for i := range items {
		if !first || i > 0 {
			buf = append(buf, ",\n"...)
		}
		buf = append(buf, jsonIndent2...)
		var err error
		if buf, err = appendItem(buf, &items[i]); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// streamAdvisories writes the advisories member: each list under its key,
// in key order, one advisory per line. A list can hold tens of thousands:
// it is written as it is encoded, never held whole as text.
func streamAdvisories(s *jsonStream, lists map[string][]check.Advisory) {
	s.key("advisories")
	s.w.WriteString("{")
	const indent3 = jsonIndent2 + "  "
	var buf []byte
	for i, key := range slices.Sorted(maps.Keys(lists)) {
		if i > 0 {
			s.w.WriteByte(',')
		}
		s.w.WriteString("\n" + jsonIndent2)
		buf = jsonescape.AppendString(buf[:0], key)
		s.w.Write(buf)
		s.w.WriteString(": [")
		for j := range lists[key] {
			if s.err != nil {
				return
			}
			if j > 0 {
				s.w.WriteByte(',')
			}
			s.w.WriteString("\n" + indent3)
			buf, s.err = appendEncoded(buf[:0], &lists[key][j])
			s.w.Write(buf)
		}
		s.w.WriteString("\n" + jsonIndent2 + "]")
	}
	s.w.WriteString("\n" + jsonIndent1 + "}")
}

// close ends the object and returns the first encoding error.
func (s *jsonStream) close() error {
	if s.members == 0 {
		s.w.WriteString("{")
	}
	s.w.WriteString("\n}\n")
	return s.err
}
