package manifest

import (
	"bytes"
	"testing"

	"github.com/kube4c/kube4c/internal/source"
)

// FuzzLoad feeds arbitrary streams to the loader. Whatever the input, it
// must not panic, every object must have a kind and a resolvable location,
// and every problem must name where it is.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(goodDoc))
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n    securityContext: {privileged: true}\n"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n- 3\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLoad(t, Load([]string{Stdin}, Options{Stdin: bytes.NewReader(data)}))
		// With small limits, Lists and sequences are read item by item.
		checkLoad(t, loadWith([]string{Stdin}, Options{Stdin: bytes.NewReader(data)}, limits{document: 48, list: 4096, items: 16}))
	})
}

// checkLoad checks what FuzzLoad asks of every load.
func checkLoad(t *testing.T, res source.Result) {
	t.Helper()
	for _, o := range res.Objects {
		if o.Kind() == "" || o.Meta == nil {
			t.Fatalf("object without kind or metadata: %#v", o)
		}
		if _, exact := o.Locate(""); !exact {
			t.Fatalf("object %s cannot locate itself", o.Ref())
		}
		o.Locate("spec.template.spec.containers[0].securityContext.privileged")
	}
	for _, p := range append(res.Errors, res.Warnings...) {
		if p.File != Stdin || p.Message == "" {
			t.Fatalf("problem without file or message: %#v", p)
		}
	}
}
