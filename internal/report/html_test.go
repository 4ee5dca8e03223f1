package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// htmlData reads the JSON data island of a page.
func htmlData(t *testing.T, page string) map[string]any {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="kube4c-data">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no data island")
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(m[1]), &data); err != nil {
		t.Fatalf("data island: %v", err)
	}
	return data
}

// The page carries everything itself: the 4C picture with each layer's
// count and worst severity, the totals, the findings (counting, then
// suppressed) in its data, the exceptions with their expiry, the input
// problems; only its own script may run, and it loads nothing.
func TestHTMLReport(t *testing.T) {
	r := sampleReport()
	r.Exceptions = []check.Exception{
		{Checks: []string{"missing-resource-limits"}, Namespaces: []string{"default"}, Reason: "debug pod, deleted after use",
			Expires: time.Date(2999, 1, 31, 0, 0, 0, 0, time.UTC), Source: inventory.Location{File: "kube4c.yaml", Line: 20}},
		{Checks: []string{"privileged-container"}, Reason: "agent needs it", Expires: time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC),
			Source: inventory.Location{File: "kube4c.yaml", Line: 12}},
	}
	r.Coverage = &Coverage{Cluster: "prod", Requests: 42,
		Resources:  []ResourceCoverage{{Resource: "rbac.authorization.k8s.io/clusterroles", Kind: "ClusterRole", State: "forbidden", Error: "clusterroles is forbidden"}},
		Incomplete: []IncompleteCheck{{CheckID: "rbac-wildcard", Missing: []string{"ClusterRole"}}}}
	page := string(render(t, "html", r, Options{}))
	s := r.Summarize()
	for _, l := range check.Layers() {
		want := fmt.Sprintf(`id="layer-%s" data-layer="%s" data-count="%d"`, l, l, s.ByLayer[string(l)])
		if !strings.Contains(page, want) {
			t.Errorf("the %s layer lacks %q", l, want)
		}
	}
	for _, want := range []string{
		`class="layer worst-critical" id="layer-container"`, `class="layer worst-none" id="layer-cloud"`,
		`<tspan class="count">4</tspan> findings`, "3 critical · 1 medium",
		`id="total-critical"><span class="n">3</span> critical`,
		`fails: 4 at or above high`,
		"debug pod, deleted after use", "2999-01-31", "2024-01-31 (expired)", `<tr class="expired">`, "namespaces default",
		"yaml: mapping values are not allowed in this context", "broken-check", "check broken-check panicked: boom",
		`unknown field &#34;spec.template.spec.containers[0].imagePullPolice&#34;`,
		"Skipped documents (1)",
		"Cluster <code>prod</code>", "<td>rbac.authorization.k8s.io/clusterroles</td><td>forbidden</td>", "<code>rbac-wildcard</code> lacks ClusterRole",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "goroutine 7") {
		t.Error("a check failure shows its stack")
	}
	if s.Score != nil && !strings.Contains(page, fmt.Sprintf(`<strong id="score">%d</strong>/100`, s.Score.Overall)) {
		t.Errorf("page lacks the score %d", s.Score.Overall)
	}

	data := htmlData(t, page)
	findings := data["findings"].([]any)
	if len(findings) != len(r.Findings)+len(r.Suppressed) || int(data["counting"].(float64)) != len(r.Findings) {
		t.Errorf("data holds %d findings, %v counting; want %d and %d", len(findings), data["counting"], len(r.Findings)+len(r.Suppressed), len(r.Findings))
	}
	last := findings[len(findings)-1].([]any)
	if supp := data["suppressions"].([]any)[int(last[11].(float64))].(map[string]any); supp["kind"] != "annotation" {
		t.Errorf("the last finding is not suppressed by its annotation: %v", supp)
	}

	// Content security: no source but the page, its own script only.
	csp := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`).FindStringSubmatch(page)
	script := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindStringSubmatch(page)
	if csp == nil || script == nil {
		t.Fatal("no CSP or no script")
	}
	sum := sha256.Sum256([]byte(script[1]))
	if want := "script-src &#39;sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "&#39;"; !strings.Contains(csp[1], want) {
		t.Errorf("the CSP %q does not allow the page's script by its hash", csp[1])
	}
	if !strings.Contains(csp[1], "default-src &#39;none&#39;") {
		t.Errorf("the CSP %q allows loads", csp[1])
	}
	for _, external := range []string{"src=\"http", "href=\"//", "@import", "url(http", "<link rel=\"stylesheet\""} {
		if strings.Contains(page, external) {
			t.Errorf("page loads something: %q", external)
		}
	}
}

// Untrusted names and messages are text: they cannot close the data's
// script element, add markup or break the page.
func TestHTMLEscapesUntrustedText(t *testing.T) {
	r := sampleReport()
	evil := `</script><script>alert(1)</script><!--<img src=x onerror=alert(2)>`
	obj := newObject(&appsv1.Deployment{ObjectMeta: meta("ns", evil)}, appsv1.SchemeGroupVersion.WithKind("Deployment"), evil+".yaml")
	r.Findings = append(r.Findings, &check.Finding{CheckID: "privileged-container", Severity: check.High, Layer: check.LayerContainer,
		Object: obj, Message: evil, Path: evil, Location: inventory.Location{File: evil + ".yaml", Line: 3}})
	r.Errors[0].Message = evil
	page := string(render(t, "html", r, Options{Source: func(string) ([]byte, error) { return []byte("a\nb\n" + evil + "\n"), nil }}))
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("%d script elements, want the data and the page's script", n)
	}
	if strings.Contains(page, "<img") || strings.Contains(page, "<!--<") {
		t.Error("untrusted text became markup")
	}
	data := htmlData(t, page)
	msgs := 0
	for _, f := range data["findings"].([]any) {
		if f.([]any)[9] == evil {
			msgs++
		}
	}
	if msgs != 1 {
		t.Errorf("the hostile message does not survive the data island intact (%d)", msgs)
	}
	if !strings.Contains(page, "&lt;/script&gt;&lt;script&gt;alert(1)") {
		t.Error("the input error is not escaped as text")
	}
}

// Each finding's file is read once, the lines around its line are kept
// (within its YAML document), the worst findings' first while the budget
// lasts, and the findings past it are counted.
func TestHTMLSnippets(t *testing.T) {
	file := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: x\n    securityContext:\n      privileged: true\n---\nkind: Pod\nmetadata:\n  name: b\n"
	reads := map[string]int{}
	read := func(name string) ([]byte, error) {
		reads[name]++
		if name == "missing.yaml" {
			return nil, errors.New("gone")
		}
		return []byte(file), nil
	}
	at := func(sev check.Severity, file string, line int) *check.Finding {
		return &check.Finding{CheckID: "c", Severity: sev, Layer: check.LayerContainer, Location: inventory.Location{File: file, Line: line, Column: 7}}
	}
	r := &Report{Findings: []*check.Finding{at(check.Low, "pod.yaml", 4), at(check.Critical, "pod.yaml", 10), at(check.High, "missing.yaml", 2),
		at(check.Medium, "pod.yaml", 14)}}
	page := string(render(t, "html", r, Options{Source: read}))
	if reads["pod.yaml"] != 1 || reads["missing.yaml"] != 1 {
		t.Errorf("files read %v, want each once", reads)
	}
	src := htmlData(t, page)["src"].(map[string]any)
	// Lines 1 to 10 (4 and 10, four around each, not past the "---" at 11)
	// then 12 to 14 (14 and the four before it, within its document).
	want := `[[1,["apiVersion: v1","kind: Pod","metadata:","  name: a","spec:","  containers:","  - name: c","    image: x","    securityContext:","      privileged: true"]],[12,["kind: Pod","metadata:","  name: b"]]]`
	if got, _ := json.Marshal(src["0"]); string(got) != want {
		t.Errorf("snippet lines of pod.yaml:\n got %s\nwant %s", got, want)
	}
	if len(src) != 1 {
		t.Errorf("snippets of %d files, want 1 (missing.yaml is unreadable)", len(src))
	}
	if strings.Contains(page, "shown without the manifest lines") {
		t.Error("findings counted as past the budget")
	}

	// A budget for the critical finding's window only.
	defer func(b int) { snippetBudget = b }(snippetBudget)
	snippetBudget = 100
	page = string(render(t, "html", r, Options{Source: read}))
	src = htmlData(t, page)["src"].(map[string]any)
	if got, _ := json.Marshal(src["0"]); !strings.HasPrefix(string(got), `[[6,["  containers:"`) || strings.Contains(string(got), "name: b") {
		t.Errorf("with a small budget, snippets %s; want the critical finding's only", got)
	}
	if !strings.Contains(page, "2 findings are shown without the manifest lines") {
		t.Error("the findings past the budget are not counted")
	}
}

// Snippets never print what may be a credential.
func TestRedactLines(t *testing.T) {
	in := `apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"aHVudGVyMg=="}}'
data:
  password: aHVudGVyMg==
  cert.pem: |
    LS0tLS1CRUdJTi
type: Opaque
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      automountServiceAccountToken: false
      containers:
      - name: app
        env:
        - name: DB_PASSWORD
          value: hunter2
        - name: GREETING
          value: >-
            hello
        - name: API_TOKEN
          valueFrom: {secretKeyRef: {name: db, key: token}}
        args: ["--password=x"]
        volumeMounts:
        - name: key
          mountPath: /key
      volumes:
      - name: key
        secret:
          secretName: tls
      - name: ca
        configMap: {name: ca}
---
kind: ConfigMap
data:
  api_key: "abc123"
  plain: visible
  tls.key: |
    -----BEGIN RSA PRIVATE KEY-----
    MIIEow
    -----END RSA PRIVATE KEY-----
`
	lines := strings.Split(in, "\n")
	redactLines(lines)
	out := strings.Join(lines, "\n")
	for _, hidden := range []string{"aHVudGVyMg==", "LS0tLS1CRUdJTi", "hunter2", "hello", "abc123", "MIIEow", "BEGIN RSA"} {
		if strings.Contains(out, hidden) {
			t.Errorf("%q is shown:\n%s", hidden, out)
		}
	}
	for _, shown := range []string{"  password: ‹redacted›", "kind: Secret", "type: Opaque", "automountServiceAccountToken: false",
		"- name: DB_PASSWORD", "          value: ‹redacted›", "valueFrom: {secretKeyRef: {name: db, key: token}}", "secretName: tls",
		"plain: visible", `args: ["--password=x"]`, "  tls.key: |"} {
		if !strings.Contains(out, shown) {
			t.Errorf("%q is not shown:\n%s", shown, out)
		}
	}
	if len(lines) != len(strings.Split(in, "\n")) {
		t.Error("redaction changed the number of lines")
	}
}

// kube4c node: the benchmark items, failures first, with their CIS IDs.
func TestHTMLVerdicts(t *testing.T) {
	r := sampleReport()
	r.Checks = append(r.Checks, &check.Check{Meta: check.Meta{ID: "apiserver-anonymous-auth", Layer: check.LayerCluster, Severity: check.High,
		References: check.References{CIS: []string{"1.2.1"}}}})
	r.Verdicts = []check.Verdict{
		{CheckID: "apiserver-anonymous-auth", Status: check.StatusPass, Message: "--anonymous-auth=false"},
		{CheckID: "etcd-tls", Status: check.StatusNotApplicable, Message: "no etcd on this node"},
		{CheckID: "apiserver-anonymous-auth", Status: check.StatusFail, Message: "anonymous requests are allowed",
			Location: inventory.Location{File: "/etc/kubernetes/manifests/kube-apiserver.yaml", Line: 8}},
	}
	page := string(render(t, "html", r, Options{}))
	for _, want := range []string{"Benchmark items", "1 passed, 1 not applicable", "<td>1.2.1</td>", "/etc/kubernetes/manifests/kube-apiserver.yaml:8"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if fail, pass := strings.Index(page, `class="status-fail"`), strings.Index(page, `class="status-pass"`); fail < 0 || fail > pass {
		t.Error("failures do not come first")
	}
}

// A report of many findings stays small: names are listed once, and the
// snippets stop at the budget.
func TestHTMLSizeOfManyFindings(t *testing.T) {
	r := sampleReport()
	r.Findings = nil
	c := r.Checks[2]
	for i := range 20000 {
		o := newObject(&appsv1.Deployment{ObjectMeta: meta(fmt.Sprintf("ns-%d", i%50), fmt.Sprintf("app-%d", i/4))},
			appsv1.SchemeGroupVersion.WithKind("Deployment"), fmt.Sprintf("deploy/%d.yaml", i/100))
		r.Findings = append(r.Findings, &check.Finding{CheckID: c.ID, Severity: c.Severity, Layer: c.Layer, Object: o, Remediation: c.Remediation,
			Path: "spec.template.spec.containers[0].securityContext.privileged", Message: fmt.Sprintf(`container "c%d" runs privileged`, i),
			Location: inventory.Location{File: fmt.Sprintf("deploy/%d.yaml", i/100), Line: 1 + i%100*10, Column: 9}})
	}
	file := []byte(strings.Repeat("      privileged: true # a line of a manifest\n", 1000))
	var out bytes.Buffer
	if err := Render("html", &out, r, Options{Source: func(string) ([]byte, error) { return file, nil }}); err != nil {
		t.Fatal(err)
	}
	if perFinding := (out.Len() - snippetBudget) / len(r.Findings); perFinding > 120 {
		t.Errorf("%d bytes for %d findings: %d a finding besides the snippets", out.Len(), len(r.Findings), perFinding)
	}
	if strings.Count(out.String(), firstLine(c.Remediation)) != 1 {
		t.Error("the check's remediation is repeated for each finding")
	}
}

// Whatever a file holds, redaction keeps its lines and never grows one by
// more than the mark.
func FuzzRedactLines(f *testing.F) {
	f.Add("kind: Secret\ndata:\n  a: b\n---\nenv:\n- name: X\n  value: |\n    y\n")
	f.Add(`{"kind": "Secret", "data": {"password": "x"}}`)
	f.Add("- - \"a\": \n  -----BEGIN PRIVATE KEY-----\n\t-")
	f.Fuzz(func(t *testing.T, text string) {
		lines := strings.Split(text, "\n")
		in := append([]string(nil), lines...)
		redactLines(lines)
		if len(lines) != len(in) {
			t.Fatalf("%d lines became %d", len(in), len(lines))
		}
		for i := range lines {
			if len(lines[i]) > len(in[i])+len(redactedValue)+1 {
				t.Errorf("line %q became %q", in[i], lines[i])
			}
		}
	})
}
