package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
)

// A list streamed in pieces comes out whole and in order, one element per
// line; an element that cannot be encoded stops the stream with its error.
func TestStreamListWith(t *testing.T) {
	const n = 5000 // several pieces
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	appendInt := func() appendFunc[int] {
		return func(b []byte, v *int) ([]byte, error) { return strconv.AppendInt(b, int64(*v), 10), nil }
	}
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	s := newJSONStream(w)
	streamListWith(s, "items", items, appendInt)
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	var got struct{ Items []int }
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if len(got.Items) != n {
		t.Fatalf("%d items, want %d", len(got.Items), n)
	}
	for i, v := range got.Items {
		if v != i {
			t.Fatalf("item %d is %d", i, v)
		}
	}
	if lines := bytes.Count(out.Bytes(), []byte("\n")); lines < n {
		t.Errorf("%d lines, want one per element at least (%d)", lines, n)
	}

	boom := errors.New("boom")
	failing := func() appendFunc[int] {
		return func(b []byte, v *int) ([]byte, error) {
			if *v == 3333 {
				return b, boom
			}
			return strconv.AppendInt(b, int64(*v), 10), nil
		}
	}
	s = newJSONStream(bufio.NewWriter(&bytes.Buffer{}))
	streamListWith(s, "items", items, failing)
	if err := s.close(); !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
}
