package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"runtime"
	"slices"
	"sync/atomic"
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
// line, each encoded by an appendFunc; newAppend makes one per CPU.
// Elements are encoded in pieces that every CPU takes in turn, and written
// in order as they are done: no CPU waits for another to finish a batch,
// while memory stays bounded by the pieces in flight.
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
	pieces := (len(items) + piece - 1) / piece
	workers := min(runtime.GOMAXPROCS(0), pieces)
	window := 4 * workers // pieces encoded but not yet written, at most
	type encoded struct {
		buf []byte
		err error
	}
	done := make([]chan encoded, pieces)
	for i := range done {
		done[i] = make(chan encoded, 1)
	}
	// A piece is started only once a slot is free: the writer frees one
	// per piece written, and stop ends the workers early on an error.
	slots := make(chan []byte, window)
	for range window {
		slots <- nil
	}
	stop := make(chan struct{})
	defer close(stop)
	var next atomic.Int64
	for range workers {
		appendItem := newAppend()
		go func() {
			for {
				var buf []byte
				select {
				case buf = <-slots:
				case <-stop:
					return
				}
				i := int(next.Add(1) - 1)
				if i >= pieces {
					return
				}
				chunk := items[i*piece : min((i+1)*piece, len(items))]
				buf = slices.Grow(buf[:0], len(chunk)*bytesPerItemGuess) // fewer regrowths of a fresh buffer
				buf, err := encodeLines(buf, chunk, i == 0, appendItem)
				done[i] <- encoded{buf, err} // never blocks: one send per piece
			}
		}()
	}
	for i := range pieces {
		e := <-done[i]
		if e.err != nil {
			s.err = e.err
			return
		}
		s.w.Write(e.buf)
		slots <- e.buf
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

// close ends the object and returns the first encoding error.
func (s *jsonStream) close() error {
	if s.members == 0 {
		s.w.WriteString("{")
	}
	s.w.WriteString("\n}\n")
	return s.err
}
