package report

import "github.com/kube4c/kube4c/internal/check"

// verdicts writes how many checks passed, failed and did not apply, and in
// verbose mode why each not-applicable item does not apply.
func (t *tableWriter) verdicts(vs []check.Verdict) {
	if vs == nil {
		return
	}
	counts := map[check.Status]int{}
	for _, v := range vs {
		counts[v.Status]++
	}
	t.WriteString("Items: ")
	t.count(counts[check.StatusPass], "pass", "pass")
	t.WriteString(", ")
	t.count(counts[check.StatusFail], "fail", "fail")
	t.WriteString(", ")
	t.count(counts[check.StatusNotApplicable], "not applicable", "not applicable")
	t.WriteString(".\n")
	if !t.verbose {
		return
	}
	for _, v := range vs {
		if v.Status == check.StatusNotApplicable {
			t.WriteString("  not applicable: ")
			t.WriteString(v.CheckID)
			t.WriteString(": ")
			t.WriteString(v.Message)
			t.WriteByte('\n')
		}
	}
}
