package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// memberWriter writes the value of one member of a JSON object.
type memberWriter func(w *bufio.Writer) error

// writeObject writes the struct that v points to compactly, as a
// json.Encoder without HTML escaping writes it: its members in the order
// of its fields, each named by its json tag, omitempty members left out
// when empty. Only the values of the members named in streamed are
// written by their memberWriter instead, which lets a list too large to
// hold in memory as text be written one element at a time, in its place.
//
// The struct's fields must be exported, not embedded, and tagged with no
// option but omitempty (go-sarif's are): writeObject reports an error for
// the others, whose encoding/json rules it does not follow.
func writeObject(w *bufio.Writer, v any, streamed map[string]memberWriter) error {
	s := reflect.ValueOf(v).Elem()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	w.WriteByte('{')
	first := true
	for i := range s.NumField() {
		field := s.Type().Field(i)
		if field.Anonymous || !field.IsExported() {
			return fmt.Errorf("%s.%s: writeObject writes no embedded or unexported fields", s.Type(), field.Name)
		}
		tag := field.Tag.Get("json")
		name, options, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-":
			continue
		case options != "" && options != "omitempty":
			return fmt.Errorf("%s.%s: writeObject knows no json tag option but omitempty", s.Type(), field.Name)
		case name == "":
			name = field.Name
		}
		write, isStreamed := streamed[name]
		if !isStreamed && options == "omitempty" && isEmptyJSONValue(s.Field(i)) {
			continue
		}
		if !first {
			w.WriteByte(',')
		}
		first = false
		if err := enc.Encode(name); err != nil {
			return err
		}
		w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		w.WriteByte(':')
		buf.Reset()
		if isStreamed {
			if err := write(w); err != nil {
				return err
			}
			continue
		}
		// The field's address, so that encoding/json finds the same
		// marshalers as when it encodes the whole struct.
		if err := enc.Encode(s.Field(i).Addr().Interface()); err != nil {
			return err
		}
		w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		buf.Reset()
	}
	w.WriteByte('}')
	return nil
}

// isEmptyJSONValue reports whether encoding/json leaves out v as an empty
// omitempty member.
func isEmptyJSONValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Struct:
		return false
	}
	return v.IsZero() // booleans, numbers, pointers and interfaces
}

// writeList writes n elements as a compact JSON list, element i encoded
// by encoding/json (without HTML escaping) from what item(i) returns.
func writeList[T any](w *bufio.Writer, n int, item func(i int) T) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	w.WriteByte('[')
	for i := range n {
		buf.Reset()
		if err := enc.Encode(item(i)); err != nil {
			return err
		}
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	w.WriteByte(']')
	return nil
}
