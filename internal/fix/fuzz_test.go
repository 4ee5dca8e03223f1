package fix

import (
	"bytes"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
)

// FuzzPlanFile plans the usual fixes on any text: no panic, no hang, and a
// plan with edits always yields a file that parses, with the same number
// of documents, and is unchanged outside its edits.
func FuzzPlanFile(f *testing.F) {
	f.Add(pod, 2)
	f.Add("kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext: {}\n", 1)
	f.Add("kind: Pod\r\nspec:\r\n  securityContext:\r\n  containers: []\r\n", 1)
	f.Add(`{"kind": "Pod", "spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": []}}}]}}`, 1)
	f.Add("a: &x {b: 1}\nkind: Pod\nspec:\n  <<: *x\n", 2)
	f.Add("kind: List\nitems:\n- kind: Pod\n  spec:\n    containers:\n    - name: a\n      args: |\n        x\n\n        y\n", 1)
	f.Fuzz(func(t *testing.T, src string, root int) {
		patches := []check.Patch{
			{Path: "spec.containers[0].securityContext.allowPrivilegeEscalation", Value: false},
			{Path: "spec.containers[0].securityContext.capabilities.drop", Value: "ALL", Append: true},
			{Path: "spec.containers[0].imagePullPolicy", Value: "Always"},
			{Path: "spec.automountServiceAccountToken", Value: false, IfAbsent: true},
			{Path: "spec.securityContext.seccompProfile.type", Value: "RuntimeDefault"},
		}
		var targets []Target
		for _, p := range patches {
			targets = append(targets, Target{RootLine: root, Patch: p})
			targets = append(targets, Target{RootLine: root, Prefix: "items[0]", Patch: p})
		}
		plan := PlanFile([]byte(src), targets)
		if len(plan.Applied)+len(plan.Refused) != len(targets) {
			t.Fatalf("%d applied and %d refused of %d", len(plan.Applied), len(plan.Refused), len(targets))
		}
		if len(plan.Edits) == 0 {
			if !bytes.Equal(plan.Fixed, []byte(src)) {
				t.Fatal("no edits, but the file changed")
			}
			return
		}
		before, err := parseDocuments([]byte(src))
		if err != nil {
			t.Fatalf("edits planned in a file that does not parse: %v", err)
		}
		after, err := parseDocuments(plan.Fixed)
		if err != nil || len(after) != len(before) {
			t.Fatalf("the fixed file does not parse to %d documents: %v\n%s", len(before), err, plan.Fixed)
		}
		// Outside the edits, the bytes are the original's.
		last, shift := 0, 0
		for _, e := range plan.Edits {
			if e.Start < last || !bytes.Equal(plan.Fixed[last+shift:e.Start+shift], []byte(src)[last:e.Start]) {
				t.Fatalf("bytes outside the edits changed")
			}
			shift += len(e.Text) - (e.End - e.Start)
			last = e.End
		}
		if !bytes.Equal(plan.Fixed[last+shift:], []byte(src)[last:]) {
			t.Fatal("the end of the file changed")
		}
	})
}
