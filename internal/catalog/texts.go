package catalog

import (
	"unsafe"

	"github.com/kube4c/kube4c/internal/inventory"
)

// texts words the findings of a check on one goroutine: a container rule
// (the engine asks a check for its rule once per worker, which runs it
// over many blocks of workloads), a block of ReportInBlocks, or a Run.
// Many findings share a field path (the first container of every
// Deployment) or a message (containers of one name break a rule in the
// same words): each distinct one is built once and shared by the
// findings, instead of a new string per finding, which on a large scan is
// most of the memory a check allocates. Not safe for concurrent use.
type texts struct {
	joined [joinSlots]joined
	said   map[sayKey]string
}

// joined is a string join built, with the strings it joined.
type joined struct{ a, b, c, s string }

// joinSlots is how many joins a texts keeps: enough for the paths one
// check builds, which mostly join a few shared strings (the paths of
// first containers, pod specs and metadata the inventory shares, and
// constant suffixes).
const joinSlots = 64

// join returns a+b+c. Its memo knows strings by their address rather than
// their content: looking up costs no hashing of text, and strings at the
// same address and of the same length are equal.
func (t *texts) join(a, b, c string) string {
	slot := &t.joined[(address(a)^address(b)>>3^address(c)>>6^uintptr(len(a)+len(b)+len(c)))%joinSlots]
	if sameString(slot.a, a) && sameString(slot.b, b) && sameString(slot.c, c) && slot.s != "" {
		return slot.s
	}
	*slot = joined{a, b, c, a + b + c}
	return slot.s
}

// address is where the bytes of s are.
func address(s string) uintptr { return uintptr(unsafe.Pointer(unsafe.StringData(s))) }

// sameString reports whether x and y are the same bytes in memory: then
// they are equal.
func sameString(x, y string) bool {
	return len(x) == len(y) && (len(x) == 0 || unsafe.StringData(x) == unsafe.StringData(y))
}

// field returns the path of a field of container c: suffix starts with a
// dot, as in ".securityContext.readOnlyRootFilesystem".
func (t *texts) field(c inventory.Container, suffix string) string { return t.join(c.Path, suffix, "") }

// container returns `container "NAME"` followed by text, which starts
// with a space.
func (t *texts) container(c inventory.Container, text string) string {
	return t.say("", c.Name, text)
}

// image returns `image "IMAGE" of container "NAME"` followed by text.
func (t *texts) image(c inventory.Container, text string) string {
	return t.say(c.Image, c.Name, text)
}

// say words a message about container name (and image, when set).
func (t *texts) say(image, name, text string) string {
	// The text is a constant of the check, known by its address; names
	// and images come from each workload, known by their content.
	key := sayKey{image, name, unsafe.StringData(text), len(text)}
	if s, ok := t.said[key]; ok {
		return s
	}
	if t.said == nil {
		t.said = map[sayKey]string{}
	}
	s := sayText(image, name, text)
	t.said[key] = s
	return s
}

// sayKey is what a message of say depends on. It holds the text's bytes
// by pointer, which keeps them alive: their address cannot come to mean
// another text.
type sayKey struct {
	image, name string
	text        *byte
	textLen     int
}

// sayText words the message about container name (and image) with text.
func sayText(image, name, text string) string {
	s := "container " + quote(name) + text
	if image != "" {
		s = "image " + quote(image) + " of " + s
	}
	return s
}
