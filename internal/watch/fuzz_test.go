package watch

import (
	"encoding/json"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// A report read back from the cluster may have been edited by anyone who
// can write reports: reading it never panics, and what it yields is keyed
// as the writer keys results.
func FuzzPreviousResults(f *testing.F) {
	f.Add(`{"results":[{"policy":"host-pid","severity":"high","timestamp":{"seconds":5},"resources":[{"apiVersion":"v1","kind":"Pod","namespace":"a","name":"p"}],"properties":{"path":"spec.hostPID"}}]}`)
	f.Add(`{"results":[{"policy":1,"resources":"x","properties":[],"timestamp":"now"}]}`)
	f.Add(`{"results":"none"}`)
	f.Add(`{"results":[null,{},[],{"resources":[null,{"kind":{}}]}]}`)
	f.Fuzz(func(t *testing.T, content string) {
		var obj map[string]any
		if err := json.Unmarshal([]byte(content), &obj); err != nil {
			return
		}
		for key, r := range previousResults(unstructured.Unstructured{Object: obj}) {
			if want := r.check + " " + r.object + " " + r.container + " " + r.path; key != want {
				t.Fatalf("key %q for a result keyed %q", key, want)
			}
		}
	})
}
