package report

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/audit"
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/netpol"
	"github.com/kube4c/kube4c/internal/rbac"
)

// Untrusted names that try to reach the terminal: clear the screen, set
// the window title, ring the bell, a C1 control sequence introducer, and
// a tab and a newline that would fake a column or a line.
const (
	hostile        = "mallory\x1b[2J\x1b]0;owned\x07\u009b31m"
	hostileEscaped = `mallory\x1b[2J\x1b]0;owned\x07\x9b31m`
)

// assertNoRawControls fails when out holds a control character other than
// a line break, or (with tab) a tab.
func assertNoRawControls(t *testing.T, what, out string, tab bool) {
	t.Helper()
	for _, r := range out {
		if r == '\n' || tab && r == '\t' {
			continue
		}
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
			t.Errorf("%s holds the raw control character %U:\n%q", what, r, out)
			return
		}
	}
}

// hostileFixture loads YAML whose $H stands for the hostile name.
func hostileFixture(t *testing.T, yaml string) string {
	t.Helper()
	// A YAML double-quoted string spells the control characters.
	quoted := strings.NewReplacer("\x1b", `\e`, "\x07", `\a`, "\u009b", `\x9b`, "\t", `\t`, "\n", `\n`).Replace(hostile)
	path := filepath.Join(t.TempDir(), "hostile.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(yaml, "$H", quoted)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAlertTableEscapesControlCharacters(t *testing.T) {
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	w, err := NewAlertWriter(bw, "table", false)
	if err != nil {
		t.Fatal(err)
	}
	w.Add(audit.Alert{Rule: "audit-pod-exec", Severity: check.High, Time: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC),
		User: hostile, ImpersonatedUser: "eve\tCRITICAL", Object: "pods ns/" + hostile, Why: hostile + " opened\nan exec session"})
	if err := w.Finish(&audit.Analyzer{ByRule: map[string]int{"audit-pod-exec": 1}}); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	got := out.String()
	assertNoRawControls(t, "the alert table", got, false)
	for _, want := range []string{hostileEscaped + ` as eve\x09CRITICAL`, "pods ns/" + hostileEscaped, hostileEscaped + ` opened\x0aan exec session`} {
		if !strings.Contains(got, want) {
			t.Errorf("the alert table lacks %q:\n%s", want, got)
		}
	}
	if lines := strings.Count(got, "\n"); lines != 4 {
		t.Errorf("%d lines, want 4 (header, alert, blank, summary):\n%s", lines, got)
	}
}

const hostileRBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "role-$H"}
rules: [{apiGroups: [""], resources: ["pods", "pods-$H"], verbs: [get], resourceNames: ["name-$H"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "binding-$H"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "role-$H"}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: "$H"}]
`

func TestRBACTablesEscapeControlCharacters(t *testing.T) {
	e := rbac.New(loadFixture(t, hostileFixture(t, hostileRBAC)), rbac.Options{})
	q := rbac.Query{Verb: "get", Resource: "pods", Name: "name-" + hostile}
	grants := e.WhoCan(q, true)
	var whoCan bytes.Buffer
	if err := WriteWhoCan(&whoCan, "table", q, true, grants); err != nil {
		t.Fatal(err)
	}
	assertNoRawControls(t, "the who-can table", whoCan.String(), false)
	for _, want := range []string{"User/" + hostileEscaped, "binding-" + hostileEscaped, "role-" + hostileEscaped} {
		if !strings.Contains(whoCan.String(), want) {
			t.Errorf("the who-can table lacks %q:\n%s", want, whoCan.String())
		}
	}

	s := rbac.Subject{Kind: "User", Name: hostile}
	id := rbac.IdentityOf(s)
	var can bytes.Buffer
	if err := WriteCan(&can, "table", s, id, "", e.Can(id, "")); err != nil {
		t.Fatal(err)
	}
	assertNoRawControls(t, "the can table", can.String(), false)
	for _, want := range []string{hostileEscaped, "pods-" + hostileEscaped, "name-" + hostileEscaped} {
		if !strings.Contains(can.String(), want) {
			t.Errorf("the can table lacks %q:\n%s", want, can.String())
		}
	}
}

const hostileNetpol = `apiVersion: v1
kind: Pod
metadata: {name: "pod-$H", namespace: "ns-$H", labels: {app: web}}
spec: {containers: [{name: c, image: busybox:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: "db", namespace: "ns-$H", labels: {app: db}}
spec: {containers: [{name: c, image: busybox:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: "back\\", namespace: "ns-$H", labels: {app: db}}
spec: {containers: [{name: c, image: busybox:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: "web\nFAKE\tCOLUMN", namespace: "ns-$H", labels: {app: web}}
spec: {containers: [{name: c, image: busybox:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: "policy-$H", namespace: "ns-$H"}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
`

// hostileGrid is the reach grid of hostileNetpol, and its engine.
func hostileGrid(t *testing.T) (*netpol.Engine, *netpol.Grid) {
	t.Helper()
	e := netpol.Build(loadFixture(t, hostileFixture(t, hostileNetpol)), netpol.Options{})
	return e, e.Grid(e.Endpoints(), e.Endpoints())
}

func TestReachTableAndExplanationEscapeControlCharacters(t *testing.T) {
	e, g := hostileGrid(t)
	var table bytes.Buffer
	if err := WriteReach(&table, "table", g); err != nil {
		t.Fatal(err)
	}
	assertNoRawControls(t, "the reach table", table.String(), false)
	if want := "ns-" + hostileEscaped + "/pod-" + hostileEscaped; !strings.Contains(table.String(), want) {
		t.Errorf("the reach table lacks %q:\n%s", want, table.String())
	}

	var from, to netpol.Endpoint
	for _, ep := range e.Endpoints() {
		switch {
		case ep.Pod != nil && strings.HasPrefix(ep.Pod.Name, "pod-"):
			from = ep
		case ep.Pod != nil && ep.Pod.Name == "db":
			to = ep
		}
	}
	if from.Pod == nil || to.Pod == nil {
		t.Fatalf("endpoints %v", e.Endpoints())
	}
	var explained bytes.Buffer
	if err := WriteExplanation(&explained, e.Explain(from, to)); err != nil {
		t.Fatal(err)
	}
	assertNoRawControls(t, "the explanation", explained.String(), false)
	for _, want := range []string{"ns-" + hostileEscaped + "/pod-" + hostileEscaped, "policy-" + hostileEscaped} {
		if !strings.Contains(explained.String(), want) {
			t.Errorf("the explanation lacks %q:\n%s", want, explained.String())
		}
	}
}

// The graphs of hostile names stay valid in their languages, and keep the
// control characters from a terminal they are printed on.
func TestReachGraphsOfHostileNames(t *testing.T) {
	_, g := hostileGrid(t)
	var dot, mermaid bytes.Buffer
	if err := WriteReach(&dot, "dot", g); err != nil {
		t.Fatal(err)
	}
	if err := WriteReach(&mermaid, "mermaid", g); err != nil {
		t.Fatal(err)
	}
	assertNoRawControls(t, "the DOT graph", dot.String(), false)
	assertNoRawControls(t, "the Mermaid graph", mermaid.String(), false)
	if want := `label="pod-` + strings.ReplaceAll(hostileEscaped, `\`, `\\`) + `\nPod"`; !strings.Contains(dot.String(), want) {
		t.Errorf("DOT lacks %s:\n%s", want, dot.String())
	}
	if want := `["pod-` + hostileEscaped + `"]`; !strings.Contains(mermaid.String(), want) {
		t.Errorf("Mermaid lacks %s:\n%s", want, mermaid.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(mermaid.String()), "\n") {
		if strings.Count(line, `"`)%2 != 0 {
			t.Errorf("Mermaid line with an unbalanced quote: %q", line)
		}
	}
	if _, err := exec.LookPath("dot"); err != nil {
		t.Log("no Graphviz dot: the DOT graph is not parsed")
		return
	}
	cmd := exec.Command("dot", "-Tplain")
	cmd.Stdin = &dot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("Graphviz refuses the DOT graph: %v\n%s\n%s", err, out, dot.String())
	}
}
