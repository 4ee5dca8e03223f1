package manifest

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

const goodDoc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n"

// loadReader loads a stream that is followed by a good document, and checks
// that the good one survives whatever came before.
func loadAfter(t *testing.T, bad io.Reader) (errMsgs []string) {
	t.Helper()
	r := io.MultiReader(bad, strings.NewReader("\n---\n"+goodDoc))
	res := Load([]string{Stdin}, Options{Stdin: r})
	if len(res.Objects) != 1 || res.Objects[0].Name() != "good" {
		t.Fatalf("the good document was lost: %d objects, errors %v", len(res.Objects), res.Errors)
	}
	for _, e := range res.Errors {
		errMsgs = append(errMsgs, e.Error())
	}
	return errMsgs
}

func expectOneError(t *testing.T, msgs []string, want string) {
	t.Helper()
	if len(msgs) != 1 || !strings.Contains(msgs[0], want) {
		t.Fatalf("want one error containing %q, got %q", want, msgs)
	}
}

func TestYAMLBombIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n")
	b.WriteString("  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	expectOneError(t, loadAfter(t, strings.NewReader(b.String())), "YAML bomb")
}

func TestDeepNestingIsRefused(t *testing.T) {
	const depth = 10000
	for name, text := range map[string]string{
		"flow sequences":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n",
		"flow mappings":   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + strings.Repeat("{a: ", depth) + "x" + strings.Repeat("}", depth) + "\n",
		"block sequences": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  " + strings.Repeat("- ", depth) + "x\n",
	} {
		t.Run(name, func(t *testing.T) {
			msgs := loadAfter(t, strings.NewReader(text))
			if len(msgs) != 1 || !(strings.Contains(msgs[0], "deeper than") || strings.Contains(msgs[0], "max depth")) {
				t.Fatalf("want one depth error, got %q", msgs)
			}
		})
	}
}

// repeatReader yields n bytes of c without holding them in memory.
type repeatReader struct {
	n int
	c byte
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := 0; i < k; i++ {
		p[i] = r.c
	}
	r.n -= k
	return k, nil
}

func TestHugeScalarIsRefusedInBoundedMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	head := strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata:\n  x: ")
	msgs := loadAfter(t, io.MultiReader(head, &repeatReader{n: 100 << 20, c: 'a'}))
	runtime.ReadMemStats(&after)
	expectOneError(t, msgs, "larger than 8 MiB")
	if !strings.HasPrefix(msgs[0], "-:1:") {
		t.Errorf("the error should name the document's first line: %s", msgs[0])
	}
	// The 100 MB scalar is streamed past, never held: allocations stay far
	// below its size.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MiB to refuse a 100 MiB scalar", alloc>>20)
	}
}
