package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// The markdown summary: totals, the findings at or above the threshold
// worst first with linked file:line, the others collapsed; untrusted text
// cannot break the table or inject markup.
func TestMarkdownSummary(t *testing.T) {
	r := sampleReport()
	r.FailOn = check.High
	hostile := &check.Finding{CheckID: "x", Severity: check.Critical, Layer: check.LayerCode,
		Message:  "a | cell <script>alert(1)</script> `code` [link](http://evil) \x1b[31m\nsecond line",
		Location: inventory.Location{File: "deploy/web.yaml", Line: 12}}
	r.Findings = append(r.Findings, hostile)
	var out bytes.Buffer
	if err := Render("markdown", &out, r, Options{LinkBase: "https://github.com/acme/shop/blob/abc123/"}); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	for _, want := range []string{
		"### kube4c: ", "| critical | high | medium | low | info |",
		"[`deploy/web.yaml:12`](https://github.com/acme/shop/blob/abc123/deploy/web.yaml#L12)",
		"a &#124; cell &lt;script&gt;alert(1)&lt;/script&gt; &#96;code&#96; &#91;link&#93;(http://evil) &#92;x1b&#91;31m&#92;x0asecond line |",
		"<details><summary>",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if rows := strings.Index(md, "| CRITICAL"); rows < 0 || rows > strings.Index(md, "| HIGH") && strings.Contains(md, "| HIGH") {
		t.Errorf("the worst findings do not come first:\n%s", md)
	}
}

// However many findings, the comment stays under GitHub's limit and says
// how many it leaves out.
func TestMarkdownStaysUnderTheCommentLimit(t *testing.T) {
	r := sampleReport()
	r.FailOn = check.Medium
	r.Findings = nil
	for i := range 20000 {
		r.Findings = append(r.Findings, &check.Finding{CheckID: "privileged-container", Severity: check.Severity(1 + i%5), Layer: check.LayerContainer,
			Message: fmt.Sprintf("finding %d: container runs privileged", i), Path: "spec.containers[0].securityContext.privileged",
			Location: inventory.Location{File: fmt.Sprintf("deploy/app-%d.yaml", i), Line: 7}})
	}
	var out bytes.Buffer
	if err := Render("markdown", &out, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if out.Len() > markdownLimit {
		t.Errorf("%d bytes, over GitHub's %d", out.Len(), markdownLimit)
	}
	if !strings.Contains(out.String(), "more (see the full report") {
		t.Errorf("no \"and N more\":\n%s", out.String()[out.Len()-500:])
	}
	if !strings.Contains(out.String(), "### kube4c: 20000 findings, fails: ") {
		t.Errorf("heading: %s", out.String()[:200])
	}
}
