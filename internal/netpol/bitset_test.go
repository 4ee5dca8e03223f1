package netpol

import (
	"slices"
	"testing"
)

// A bitset holds exactly the members set, in whatever order, across the
// words it grows to on either side.
func TestBitset(t *testing.T) {
	var b bitset
	members := []int{700, 640, 5, 703, 64, 12000, 6}
	for _, i := range members {
		b.set(i)
	}
	for i := range 13000 {
		if b.has(i) != slices.Contains(members, i) {
			t.Fatalf("has(%d) = %v", i, b.has(i))
		}
	}
	if b.has(-1) {
		t.Error("has(-1)")
	}
	var o bitset
	for _, i := range []int{5, 703, 20000} {
		o.set(i)
	}
	b.andNot(&o)
	for _, i := range []int{700, 640, 64, 12000, 6} {
		if !b.has(i) {
			t.Errorf("andNot removed %d", i)
		}
	}
	if b.has(5) || b.has(703) {
		t.Error("andNot kept a member of the other set")
	}
	var empty bitset
	if empty.has(0) {
		t.Error("the empty set has 0")
	}
	empty.andNot(&b)
	// or joins sets on both sides of b's words; setRange adds a prefix.
	var u bitset
	u.set(300)
	u.or(&b)
	u.or(&empty)
	for _, i := range []int{300, 700, 640, 64, 12000, 6} {
		if !u.has(i) {
			t.Errorf("or lost %d", i)
		}
	}
	var r bitset
	r.set(1000)
	r.setRange(130)
	for i := range 1100 {
		if r.has(i) != (i < 130 || i == 1000) {
			t.Fatalf("after setRange(130), has(%d) = %v", i, r.has(i))
		}
	}
}
