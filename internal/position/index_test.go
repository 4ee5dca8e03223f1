package position

import "testing"

// buildSample indexes:
//
//	metadata:              (line 1)
//	  annotations:         (2)
//	    kube4c.io/ignore: x (3)
//	spec:                  (4)
//	  containers:          (5)
//	    - name: a          (6)
//	    - name: b          (7)
func buildSample() *Index {
	b := NewBuilder(Mapping, 1, 1)
	top := b.Children(Root, 2)
	b.Set(top, Mapping, "metadata", 1, 1)
	b.Set(top+1, Mapping, "spec", 4, 1)
	ann := b.Children(top, 1)
	b.Set(ann, Mapping, "annotations", 2, 3)
	key := b.Children(ann, 1)
	b.Set(key, Scalar, "kube4c.io/ignore", 3, 5)
	cs := b.Children(top+1, 1)
	b.Set(cs, Sequence, "containers", 5, 3)
	items := b.Children(cs, 2)
	b.Set(items, Mapping, "", 6, 7)
	b.Set(items+1, Mapping, "", 7, 7)
	name := b.Children(items+1, 1)
	b.Set(name, Scalar, "name", 7, 7)
	return b.Index()
}

func TestLookup(t *testing.T) {
	ix := buildSample()
	for _, c := range []struct {
		path      string
		line, col int
		exact     bool
	}{
		{"", 1, 1, true},
		{"spec.containers[1].name", 7, 7, true},
		{"spec.containers[1]", 7, 7, true},
		{"metadata.annotations[kube4c.io/ignore]", 3, 5, true},
		{"metadata.annotations.app", 2, 3, false},
		{"spec.containers[5].image", 5, 3, false},
		{"spec.containers[x]", 5, 3, false},
		{"spec.containers[0].securityContext.privileged", 6, 7, false},
		{"status", 1, 1, false},
	} {
		pos, exact := ix.Lookup(c.path)
		if pos.Line != c.line || pos.Column != c.col || exact != c.exact {
			t.Errorf("%q: got %d:%d exact=%v, want %d:%d exact=%v", c.path, pos.Line, pos.Column, exact, c.line, c.col, c.exact)
		}
	}
	var nilIndex *Index
	if _, ok := nilIndex.Lookup("a"); ok {
		t.Error("nil index found a path")
	}
}

func TestNodeAndPathOf(t *testing.T) {
	ix := buildSample()
	id, ok := ix.Node("spec.containers[1].name")
	if !ok || ix.PathOf(id) != "spec.containers[1].name" {
		t.Errorf("node %d %v path %q", id, ok, ix.PathOf(id))
	}
	if id, ok := ix.Node("metadata.annotations[kube4c.io/ignore]"); !ok || ix.PathOf(id) != "metadata.annotations[kube4c.io/ignore]" {
		t.Errorf("key with dots: %q", ix.PathOf(id))
	}
	if _, ok := ix.Node("spec.missing"); ok {
		t.Error("found a missing path")
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	ix := buildSample()
	allocs := testing.AllocsPerRun(100, func() {
		ix.Lookup("metadata.annotations[kube4c.io/ignore]")
		ix.Lookup("spec.containers[1].securityContext.privileged")
	})
	if allocs != 0 {
		t.Errorf("Lookup allocates %v times", allocs)
	}
}

// A Cursor answers as Lookup does, whatever paths came before, also across
// indexes.
func TestCursorMatchesLookup(t *testing.T) {
	one, two := buildSample(), buildSample()
	paths := []string{"", "spec", "spec.containers[1].name", "spec.containers[1]", "spec.containers[1].namex", "spec.containers[10]",
		"spec.containers[1", "metadata.annotations[kube4c.io/ignore]", "metadata.annotations[kube4c.io/ignore].x",
		"metadata.annotations", "metadata.annotationsx", "metadata..annotations", "spec.containers[0].securityContext.privileged",
		"spec.containers[0]", "spec.containers", "status", "spec.containers[1].name."}
	var c Cursor
	for round := range 3 {
		for i := range paths {
			for j := range paths {
				for _, ix := range []*Index{one, two} {
					for _, path := range []string{paths[i], paths[(i+j+round)%len(paths)]} {
						before := c.path
						wantPos, wantExact := ix.Lookup(path)
						gotPos, gotExact := c.Lookup(ix, path)
						if gotPos != wantPos || gotExact != wantExact {
							t.Fatalf("after %q: Cursor.Lookup(%q) = %v %v, Lookup = %v %v", before, path, gotPos, gotExact, wantPos, wantExact)
						}
					}
				}
			}
		}
	}
}
