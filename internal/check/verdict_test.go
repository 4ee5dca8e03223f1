package check

import (
	"fmt"
	"testing"
)

func TestVerdictOutcomes(t *testing.T) {
	ds := daemonSet("ns", "d", "")
	var checks []*Check
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		checks = append(checks, &Check{Meta: Meta{ID: id}})
	}
	v := &Verdicts{}
	recorded := func(id string, fn func(*Context)) {
		var list []Verdict
		fn(&Context{check: &Check{Meta: Meta{ID: id}}, verdicts: &list})
		v.add(list)
	}
	recorded("a", func(c *Context) { c.Pass(ds, "spec", "fine") })
	recorded("b", func(c *Context) { c.NotApplicable(nil, "no component") })
	(&Context{check: &Check{Meta: Meta{ID: "e"}}}).Pass(ds, "", "not recorded without a collector")
	findings := []*Finding{{CheckID: "c", Object: ds, Path: "spec", Message: "bad"}}
	suppressed := []*Finding{{CheckID: "d", Message: "bad too", Suppressed: &Suppression{Kind: "config", Reason: "accepted", Source: ".kube4c.yaml:3"}}}
	var got []string
	for _, o := range v.Outcomes(checks, findings, suppressed) {
		got = append(got, fmt.Sprintf("%s %s %s", o.CheckID, o.Status, o.Message))
	}
	want := []string{
		"a pass fine",
		"b not-applicable no component",
		"c fail bad",
		"d not-applicable suppressed by config exception .kube4c.yaml:3: accepted (bad too)",
		"e pass nothing to report",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outcomes\n%q\nwant\n%q", got, want)
	}
}
