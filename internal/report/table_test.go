package report

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

func TestTableGolden(t *testing.T) {
	for name, opts := range map[string]Options{
		"default": {},
		"verbose": {Verbose: true, ShowSuppressed: true},
		"color":   {Color: true},
	} {
		t.Run(name, func(t *testing.T) {
			golden(t, "table/"+name+".golden", render(t, "table", sampleReport(), opts))
		})
	}
}

func TestTableDefault(t *testing.T) {
	out := string(render(t, "table", sampleReport(), Options{}))
	for _, want := range []string{
		"Pod/kube-system/agent\n",
		"Deployment/prod/web  deploy/web.yaml\n",
		"ClusterRole/reader  deploy/rbac.yaml\n",
		"(not about an object)\n",
		"  CRITICAL  privileged-container     deploy/pod.yaml:9:7  spec.containers[0].securityContext.privileged: Container \"shell\" runs privileged.\n",
		"  HIGH      rbac-wildcard            deploy/rbac.yaml:8:5  rules[0].verbs: Rule grants \"*\" verbs on <all> resources & subresources.\n",
		"            fix: Set securityContext.privileged to false.\n",
		"  INFO      expired-exception        kube4c.yaml:12:5  Exception for privileged-container expired on 2024-01-31.\n",
		"Input errors (1):\n  deploy/broken.yaml:4:3: yaml: mapping values are not allowed in this context\n",
		"Warnings: 1" + verboseHint,
		"Skipped documents: 1" + verboseHint,
		"Check failures (1):\n  broken-check: check broken-check panicked: boom\n",
		"Scanned 5 files, 7 documents, 5 objects with 6 checks.\n",
		"6 findings: 3 critical, 1 high, 1 medium, 0 low, 1 info; by layer: code 1, container 4, cluster 1, cloud 0; 2 suppressed" + suppressedHint + ".\n",
		"4 findings at or above the fail-on severity (high).\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
	for _, unwanted := range []string{
		"\x1b[",                 // no colour unless asked
		"sidecar",               // suppressed findings are hidden
		"If the workload needs", // remediation is cut to its first line
		"goroutine",             // stack traces only when verbose
		"unknown field",         // warnings only counted
		"no apiVersion",         // skipped documents only counted
	} {
		if strings.Contains(out, unwanted) {
			t.Errorf("output contains %q\n%s", unwanted, out)
		}
	}
}

func TestTableGroupsFindingsByObject(t *testing.T) {
	out := string(render(t, "table", sampleReport(), Options{}))
	if n := strings.Count(out, "Deployment/prod/web"); n != 1 {
		t.Errorf("Deployment/prod/web has %d headers, want 1", n)
	}
	block := out[strings.Index(out, "Deployment/prod/web"):]
	block = block[:strings.Index(block, "\n\n")]
	for _, want := range []string{"missing-resource-limits", "privileged-container"} {
		if !strings.Contains(block, want) {
			t.Errorf("block of Deployment/prod/web lacks %s:\n%s", want, block)
		}
	}
}

func TestTableVerbose(t *testing.T) {
	out := string(render(t, "table", sampleReport(), Options{Verbose: true, ShowSuppressed: true}))
	for _, want := range []string{
		"Suppressed findings (2):\n",
		"  MEDIUM    missing-resource-limits  deploy/pod.yaml:12:7  spec.containers[0].resources: Container \"shell\" has no memory limit.\n" +
			"            suppressed by config (kube4c.yaml:20): debug pod, deleted after use\n",
		"            suppressed by annotation (kube4c.io/ignore)\n",
		"Warnings (1):\n  deploy/web.yaml:15:9: Deployment/prod/web: unknown field",
		"Skipped documents (1):\n  deploy/notes.yaml:1:1: document has no apiVersion or kind\n",
		"  broken-check: check broken-check panicked: boom\n    goroutine 7 [running]:\n    main.main()\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
}

func TestTableColor(t *testing.T) {
	out := string(render(t, "table", sampleReport(), Options{Color: true}))
	for _, want := range []string{
		severityStyles[check.Critical] + "CRITICAL" + sgrReset,
		severityStyles[check.High] + "HIGH    " + sgrReset,
		sgrBold + "Deployment/prod/web" + sgrReset,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestTableEscapesControlCharacters(t *testing.T) {
	r := sampleReport()
	r.Findings[2].Message = "name \x1b[2Jwiped\u009b and a\nnewline"
	r.Errors[0].Message = "line one\nline \x07two"
	out := string(render(t, "table", r, Options{}))
	for _, want := range []string{
		`rules[0].verbs: name \x1b[2Jwiped\x9b and a\x0anewline` + "\n",
		"  deploy/broken.yaml:4:3: line one\n    line \\x07two\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b\x07\u009b") {
		t.Error("output contains raw control characters")
	}
}

func TestTableShowsRemediationOncePerCheckAndObject(t *testing.T) {
	r := sampleReport()
	second := r.Findings[4] // privileged-container on Deployment/prod/web
	second.Path = "spec.template.spec.containers[1].securityContext.privileged"
	second.Location.Line = 30
	r.Findings = append(r.Findings[:5:5], second, r.Findings[5])
	out := string(render(t, "table", r, Options{}))
	block := out[strings.Index(out, "Deployment/prod/web"):]
	block = block[:strings.Index(block, "\n\n")]
	if n := strings.Count(block, "fix: Set securityContext.privileged"); n != 1 {
		t.Errorf("remediation shown %d times in one object block:\n%s", n, block)
	}
	if n := strings.Count(out, "fix: Set securityContext.privileged"); n != 3 {
		t.Errorf("remediation shown %d times, want once per object (3)", n)
	}
}

func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		"Set it to false. Then redeploy.":             "Set it to false.",
		"Pin a version, e.g. nginx:1.27. Or a digest": "Pin a version, e.g. nginx:1.27.",
		"One line\nSecond line":                       "One line",
		"  No full stop  ":                            "No full stop",
		"Use v1.2. then":                              "Use v1.2. then",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTableEmpty(t *testing.T) {
	out := string(render(t, "table", emptyReport(), Options{}))
	want := "Scanned 1 file, 1 document, 1 object with 2 checks.\nNo findings; 0 suppressed.\n" +
		"Score 100/100 (code 100, container 100, cluster 100, cloud 100; see docs/output.md#score).\n"
	if out != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

// largeReport has n findings spread over n/10 objects.
func largeReport(n int) *Report {
	r := sampleReport()
	objects := make([]*inventory.Object, max(n/10, 1))
	for i := range objects {
		pod := &corev1.Pod{ObjectMeta: meta("ns", fmt.Sprintf("pod-%d", i))}
		objects[i] = newObject(pod, corev1.SchemeGroupVersion.WithKind("Pod"), fmt.Sprintf("deploy/pod-%d.yaml", i))
	}
	r.Findings = make([]*check.Finding, n)
	for i := range r.Findings {
		c := r.Checks[i%len(r.Checks)]
		r.Findings[i] = &check.Finding{
			CheckID: c.ID, Severity: c.Severity, Layer: c.Layer, Object: objects[i/10],
			Path: "spec.containers[0].securityContext", Message: "Something is wrong with this container.",
			Remediation: c.Remediation, Location: inventory.Location{File: objects[i/10].Source.File, Line: 10 + i%10, Column: 5},
		}
	}
	return r
}

func TestTableAllocations(t *testing.T) {
	r := largeReport(10000)
	allocs := testing.AllocsPerRun(3, func() {
		if err := Render("table", io.Discard, r, Options{Color: true}); err != nil {
			t.Fatal(err)
		}
	})
	// A header string per object and the grouping slices; nothing per finding.
	if perFinding := allocs / float64(len(r.Findings)); perFinding > 0.2 {
		t.Errorf("%.0f allocations for %d findings (%.2f each)", allocs, len(r.Findings), perFinding)
	}
}

func BenchmarkTable100k(b *testing.B) {
	r := largeReport(100000)
	b.ReportAllocs()
	for b.Loop() {
		if err := Render("table", io.Discard, r, Options{Color: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// On a terminal of a known width, a finding too long for its row has its
// message under the row, wrapped between words, and its path too when the
// path alone does not fit: every line of the findings fits the width.
// Without a width nothing is wrapped.
func TestTableWrapsLongMessages(t *testing.T) {
	r := sampleReport()
	long := strings.Repeat("the container can reach the node's kernel through this setting; ", 4) + "drop it"
	r.Findings[0].Message = long
	out := string(render(t, "table", r, Options{Width: 80}))
	findings, _, _ := strings.Cut(out, "\nInput errors")
	var under []string
	for i, line := range strings.Split(findings, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line %d is %d columns wide: %q", i, n, line)
		}
		if strings.HasPrefix(line, strings.Repeat(" ", findingIndent)) && strings.Contains(long, strings.TrimSpace(line)) {
			under = append(under, strings.TrimSpace(line))
		}
	}
	if got := strings.Join(under, " "); got != long {
		t.Errorf("the message under the row reads %q, want %q\n%s", got, long, out)
	}
	if wide := string(render(t, "table", r, Options{})); !strings.Contains(wide, ": "+long+"\n") {
		t.Errorf("without a width the message is not on its row:\n%s", wide)
	}
}

// Wrapping measures text as it is written: a message and a file name full
// of escaped control characters still fit the width.
func TestTableWrapsEscapedText(t *testing.T) {
	r := sampleReport()
	r.Findings[0].Message = strings.Repeat("ab\x1b[2Jcd\x07 ", 20)
	r.Findings[0].Location.File = "deploy/\x1b[31mred\x1b[0m.yaml"
	out := string(render(t, "table", r, Options{Width: 80}))
	findings, _, _ := strings.Cut(out, "\nInput errors")
	for i, line := range strings.Split(findings, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line %d is %d columns wide: %q", i, n, line)
		}
	}
	if !strings.Contains(out, `ab\x1b[2Jcd\x07`) {
		t.Errorf("the message is not escaped:\n%s", out)
	}
}
