package catalog

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/inventory"
)

// texts words paths and messages as plain concatenation would, and gives
// the findings of containers alike one shared string.
func TestTexts(t *testing.T) {
	var tx texts
	a := inventory.Container{Container: &corev1.Container{Name: "app", Image: "nginx:1"}, Path: "spec.containers[0]"}
	b := inventory.Container{Container: &corev1.Container{Name: `we"ird`, Image: "nginx:1"}, Path: "spec.template.spec.containers[1]"}
	same := inventory.Container{Container: &corev1.Container{Name: "app", Image: "nginx:1"}, Path: "spec.containers[0]"}
	for _, tc := range []struct{ got, want string }{
		{tx.field(a, ".image"), "spec.containers[0].image"},
		{tx.field(b, ".image"), "spec.template.spec.containers[1].image"},
		{tx.container(a, " runs as root"), `container "app" runs as root`},
		{tx.container(b, " runs as root"), `container "we\"ird" runs as root`},
		{tx.image(a, " is not pinned"), `image "nginx:1" of container "app" is not pinned`},
		{tx.join("x", "y", "z"), "xyz"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	shared := func(x, y string) bool { return x == y && unsafe.StringData(x) == unsafe.StringData(y) }
	// The inventory shares container paths; joins know strings by address.
	if !shared(tx.field(a, ".image"), tx.field(same, ".image")) {
		t.Error("field paths of one shared container path are not one string")
	}
	copied := inventory.Container{Container: a.Container, Path: strings.Clone(a.Path)}
	if got := tx.field(copied, ".image"); got != "spec.containers[0].image" {
		t.Errorf("field of a copied path: %q", got)
	}
	if !shared(tx.container(a, " runs as root"), tx.container(same, " runs as root")) {
		t.Error("equal messages are not one string")
	}
	if tx.container(a, " x") == tx.image(a, " x") {
		t.Error("a container message and an image message with the same text are worded alike")
	}
}

// A text already built costs no allocation.
func TestTextsHitAllocatesNothing(t *testing.T) {
	var tx texts
	c := inventory.Container{Container: &corev1.Container{Name: "app", Image: "nginx:1"}, Path: "spec.containers[0]"}
	tx.field(c, ".image")
	tx.image(c, " is not pinned")
	if n := testing.AllocsPerRun(100, func() {
		tx.field(c, ".image")
		tx.image(c, " is not pinned")
	}); n != 0 {
		t.Errorf("%v allocations per lookup of known texts, want 0", n)
	}
}

// Joins that share a slot of the memo, or strings that differ only in
// where they are, still join to their own text.
func TestTextsJoinCollisions(t *testing.T) {
	var tx texts
	parts := make([]string, 3*joinSlots)
	for i := range parts {
		parts[i] = fmt.Sprint("part", i)
	}
	for round := range 3 {
		for i, p := range parts {
			q := strings.Clone(parts[(i+round)%len(parts)])
			if got, want := tx.join(p, ".", q), p+"."+q; got != want {
				t.Fatalf("round %d: join(%q, \".\", %q) = %q", round, p, q, got)
			}
		}
	}
	if got := tx.join("", "", ""); got != "" {
		t.Errorf("join of empty strings = %q", got)
	}
}
