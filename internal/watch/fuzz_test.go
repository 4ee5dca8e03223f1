package watch

import (
	"encoding/json"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// A report read back from the cluster may have been edited by anyone who
// can write reports: reading it never panics, and yields only results
// that name a check.
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
		for key := range previousResults(unstructured.Unstructured{Object: obj}) {
			if key.check == "" {
				t.Fatalf("a result without a policy read back as %v", key)
			}
		}
	})
}
