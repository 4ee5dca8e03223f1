package report

import (
	"bufio"
	"bytes"
	"encoding/json"
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

// streamList writes a member whose value is a list, one element at a time.
func streamList[T any](s *jsonStream, name string, items []T) {
	s.key(name)
	if len(items) == 0 {
		s.w.WriteString("[]")
		return
	}
	s.w.WriteString("[\n")
	for i := range items {
		if i > 0 {
			s.w.WriteString(",\n")
		}
		s.w.WriteString(jsonIndent2)
		s.value(&items[i], "")
	}
	s.w.WriteString("\n" + jsonIndent1 + "]")
}

// close ends the object and returns the first encoding error.
func (s *jsonStream) close() error {
	if s.members == 0 {
		s.w.WriteString("{")
	}
	s.w.WriteString("\n}\n")
	return s.err
}
