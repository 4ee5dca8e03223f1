package report

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

func TestScoreObjects(t *testing.T) {
	objects := make([]*inventory.Object, 8)
	for i := range objects {
		objects[i] = newObject(&appsv1.Deployment{ObjectMeta: meta("prod", string(rune('a'+i)))}, appsv1.SchemeGroupVersion.WithKind("Deployment"), "web.yaml")
	}
	finding := func(o *inventory.Object, l check.Layer, s check.Severity) *check.Finding {
		return &check.Finding{CheckID: "x", Object: o, Layer: l, Severity: s}
	}
	tests := []struct {
		name     string
		findings []*check.Finding
		objects  int
		want     Score
	}{
		{"nothing found", nil, 8, Score{100, map[string]int{"code": 100, "container": 100, "cluster": 100, "cloud": 100}}},
		{"no objects", nil, 0, Score{100, map[string]int{"code": 100, "container": 100, "cluster": 100, "cloud": 100}}},
		{
			// One object: its worst finding per layer counts, once.
			"worst per object", []*check.Finding{
				finding(objects[0], check.LayerContainer, check.Low),
				finding(objects[0], check.LayerContainer, check.Critical),
				finding(objects[0], check.LayerCode, check.Medium),
			}, 8,
			// container 4 of 32 quarters, code 2 of 32, overall 4 of 32.
			Score{87, map[string]int{"code": 93, "container": 87, "cluster": 100, "cloud": 100}},
		},
		{
			"info does not count", []*check.Finding{finding(objects[1], check.LayerCloud, check.Info)}, 8,
			Score{100, map[string]int{"code": 100, "container": 100, "cluster": 100, "cloud": 100}},
		},
		{
			"a low finding among many objects still leaves less than 100", []*check.Finding{finding(objects[2], check.LayerCluster, check.Low)}, 1000,
			Score{99, map[string]int{"code": 100, "container": 100, "cluster": 99, "cloud": 100}},
		},
		{
			"every object critical", func() []*check.Finding {
				var fs []*check.Finding
				for _, o := range objects {
					fs = append(fs, finding(o, check.LayerCloud, check.Critical))
				}
				return fs
			}(), 8,
			Score{0, map[string]int{"code": 100, "container": 100, "cluster": 100, "cloud": 0}},
		},
		{
			// A finding about the scan itself (an expired exception) is not scored.
			"no object", []*check.Finding{finding(nil, check.LayerCluster, check.High)}, 8,
			Score{100, map[string]int{"code": 100, "container": 100, "cluster": 100, "cloud": 100}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Findings: tt.findings, Objects: tt.objects}
			got := r.Summarize().Score
			if got.Overall != tt.want.Overall || len(got.ByLayer) != 4 {
				t.Fatalf("score = %+v, want %+v", got, tt.want)
			}
			for l, v := range tt.want.ByLayer {
				if got.ByLayer[l] != v {
					t.Errorf("%s = %d, want %d", l, got.ByLayer[l], v)
				}
			}
		})
	}
}

// TestScoreVerdicts scores benchmark items, not objects: items that do not
// apply are left out, a failure weighs its check's severity.
func TestScoreVerdicts(t *testing.T) {
	high := &check.Check{Meta: check.Meta{ID: "h", Layer: check.LayerCluster, Severity: check.High}}
	medium := &check.Check{Meta: check.Meta{ID: "m", Layer: check.LayerContainer, Severity: check.Medium}}
	r := &Report{
		Checks:  []*check.Check{high, medium},
		Objects: 1,
		Verdicts: []check.Verdict{
			{CheckID: "h", Status: check.StatusFail},
			{CheckID: "m", Status: check.StatusFail},
			{CheckID: "h", Status: check.StatusPass},
			{CheckID: "m", Status: check.StatusPass},
			{CheckID: "m", Status: check.StatusNotApplicable},
		},
	}
	// Four items: cluster 3 of 16 quarters, container 2, overall 5.
	got := r.Summarize().Score
	if got.Overall != 68 || got.ByLayer["cluster"] != 81 || got.ByLayer["container"] != 87 || got.ByLayer["code"] != 100 {
		t.Errorf("score = %+v", got)
	}
}
