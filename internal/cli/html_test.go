package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kube4c/kube4c/internal/testutil"
)

// examplesWithException copies examples/ to a directory whose config
// suppresses the log agent's privileged container, and returns it.
func examplesWithException(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(examples)); err != nil {
		t.Fatal(err)
	}
	config := "exceptions:\n  - checks: [privileged-container]\n    kinds: [DaemonSet]\n    reason: log agent reads host logs\n    expires: 2999-01-01\n"
	if err := os.WriteFile(filepath.Join(dir, ".kube4c.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// scanSummary is the JSON summary of a scan of dir.
func scanSummary(t *testing.T, dir string) (total int, bySeverity, byLayer map[string]int) {
	t.Helper()
	_, out, errOut := run(t, "", "scan", "-o", "json", dir)
	var doc struct {
		Summary struct {
			Total      int            `json:"total"`
			BySeverity map[string]int `json:"bySeverity"`
			ByLayer    map[string]int `json:"byLayer"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v; stderr: %s", err, errOut)
	}
	return doc.Summary.Total, doc.Summary.BySeverity, doc.Summary.ByLayer
}

// The HTML report of examples/ (with an exception) in headless Chromium:
// it loads with no console error and no request, the 4C picture has each
// layer's count, the severity filter and the picture's layers narrow the
// table to their findings, a finding opens on its manifest lines with the
// field marked, and the suppressed finding shows with its reason. The
// screenshot is left among the test artifacts.
func TestHTMLReportInChromium(t *testing.T) {
	dir := examplesWithException(t)
	file := filepath.Join(t.TempDir(), "examples.html")
	if code, _, errOut := run(t, "", "scan", "-o", "html", "--output-file", file, dir); code != ExitFindings {
		t.Fatalf("exit code %d, want 1; stderr: %s", code, errOut)
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("examples/ report: %s", sizeText(info.Size()))
	if info.Size() >= 300<<10 {
		t.Errorf("the report of examples/ is %s, over 300 KB", sizeText(info.Size()))
	}
	total, bySeverity, byLayer := scanSummary(t, dir)

	p := openInBrowser(t, file, "#findings tbody tr.finding", time.Minute)
	t.Logf("loaded in %v", p.Load)
	layers := eval[map[string]int](t, p, `Object.fromEntries(["code", "container", "cluster", "cloud"].map(l =>
		[l, Number(document.querySelector("#layer-" + l + " .count").textContent)]))`)
	for l, n := range byLayer {
		if layers[l] != n {
			t.Errorf("the 4C picture shows %d findings in the %s layer, want %d", layers[l], l, n)
		}
	}
	if n := eval[int](t, p, `Number(document.getElementById("total").textContent)`); n != total {
		t.Errorf("total %d, want %d", n, total)
	}
	rows := func() int { return eval[int](t, p, `document.querySelectorAll("#findings tbody tr.finding").length`) }
	if n := rows(); n != min(total, 200) {
		t.Errorf("%d rows shown, want %d", n, min(total, 200))
	}
	for _, sev := range []string{"critical", "low"} {
		eval[bool](t, p, `(s => { s.value = "`+sev+`"; s.dispatchEvent(new Event("change")); return true })(document.getElementById("f-sev"))`)
		if n := rows(); n != bySeverity[sev] || n == total {
			t.Errorf("filtered by %s: %d rows, want %d", sev, n, bySeverity[sev])
		}
	}
	resetFilters(t, p)
	eval[bool](t, p, `document.getElementById("layer-cloud").dispatchEvent(new MouseEvent("click", {bubbles: true})); true`)
	if n := rows(); n != byLayer["cloud"] {
		t.Errorf("the cloud layer clicked: %d rows, want %d", n, byLayer["cloud"])
	}

	// The worst finding first: the runtime socket of the build runner,
	// at its volume's path field.
	resetFilters(t, p)
	eval[bool](t, p, `document.querySelector("#findings tbody tr.finding").click(); true`)
	snippet := eval[map[string]string](t, p, `(d => ({line: d.querySelector(".snippet .at .ln").textContent,
		mark: d.querySelector(".snippet mark").textContent, where: d.textContent}))(document.querySelector("#findings tr.detail"))`)
	if snippet["line"] != "29" || snippet["mark"] != "path" {
		t.Errorf("the first finding's snippet marks %q on line %s, want path on line 29", snippet["mark"], snippet["line"])
	}
	for _, want := range []string{"container-runtime-socket", "Fix", "Do not mount the runtime socket", "MITRE ATT&CK"} {
		if !strings.Contains(snippet["where"], want) {
			t.Errorf("the finding's details lack %q", want)
		}
	}
	p.screenshot(t, "html-report-examples.png")

	eval[bool](t, p, `(s => { s.value = "suppressed"; s.dispatchEvent(new Event("change")); return true })(document.getElementById("f-status"))`)
	if n := rows(); n != 1 {
		t.Errorf("%d suppressed findings shown, want 1", n)
	}
	eval[bool](t, p, `document.querySelector("#findings tbody tr.finding").click(); true`)
	if text := eval[string](t, p, `document.querySelector("#findings tr.detail").textContent`); !strings.Contains(text, "by config: log agent reads host logs") {
		t.Errorf("the suppressed finding does not say why: %s", text)
	}
	if problems := p.Problems(); len(problems) > 0 {
		t.Errorf("the page reported problems or made requests:\n%s", strings.Join(problems, "\n"))
	}
}

// resetFilters clears the page's filters and returns once the table shows
// the result: the page applies them in a task queued by the reset event,
// which runs before the one this queues.
func resetFilters(t *testing.T, p *browserPage) {
	t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`new Promise(done => {
		document.getElementById("filters").reset(); setTimeout(() => done(true), 0) })`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
}

// kube4c paths -o html of examples/ in Chromium: no error, no request,
// the graph drawn and every path listed.
func TestPathsHTMLInChromium(t *testing.T) {
	file := filepath.Join(t.TempDir(), "paths.html")
	if code, _, errOut := run(t, "", "paths", "-o", "html", "--output-file", file, examples); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, errOut)
	}
	_, out, _ := run(t, "", "paths", "-o", "json", examples)
	var doc struct {
		Summary struct{ Paths int } `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	p := openInBrowser(t, file, "#graph", time.Minute)
	if n := eval[int](t, p, `document.querySelectorAll("details.path").length`); n != doc.Summary.Paths || n == 0 {
		t.Errorf("%d paths listed, want %d", n, doc.Summary.Paths)
	}
	if n := eval[int](t, p, `document.querySelectorAll("#graph .node").length`); n < 5 {
		t.Errorf("the graph has %d nodes", n)
	}
	if n := eval[int](t, p, `document.querySelectorAll("#graph .step path").length`); n < 5 {
		t.Errorf("the graph has %d steps", n)
	}
	p.screenshot(t, "html-paths-examples.png")
	if problems := p.Problems(); len(problems) > 0 {
		t.Errorf("the page reported problems or made requests:\n%s", strings.Join(problems, "\n"))
	}
}

// Every command that reports a scan writes html: scan (the snippets come
// from the scanned files, never from standard input) and node (with its
// benchmark items).
func TestHTMLOutputOfCommands(t *testing.T) {
	code, out, errOut := run(t, "", "scan", "-o", "html", examples)
	if code != ExitFindings || !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Fatalf("scan -o html: exit %d; stderr: %s", code, errOut)
	}
	if !strings.Contains(out, `"src":{"`) || !strings.Contains(out, ` path: /var/run/docker.sock"`) {
		t.Error("scan -o html has no snippets of the scanned files")
	}
	privileged := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}\n"
	_, out, _ = run(t, privileged, "scan", "-o", "html", "-")
	if !strings.Contains(out, `"src":{}}`) {
		t.Error("a scan of standard input has snippets")
	}

	root := testutil.WriteTree(t, map[string]string{"/etc/kubernetes/manifests/kube-apiserver.yaml": strings.Replace(nodeAPIServer, "%s", "", 1)})
	code, out, errOut = run(t, "", "node", "--root", root, "-o", "html")
	if code != ExitFindings {
		t.Fatalf("node -o html: exit %d; stderr: %s", code, errOut)
	}
	for _, want := range []string{"Benchmark items", "apiserver-anonymous-auth", "<td>1.2.1</td>"} {
		if !strings.Contains(out, want) {
			t.Errorf("node -o html lacks %q", want)
		}
	}
	if strings.Contains(out, "kube-apiserver:v1.34.1") {
		t.Error("node -o html quotes the node's files")
	}
}

var htmlLoad = flag.String("html-load", "", "TestHTMLLoadTime: an HTML report to load in Chromium and time (hack/bench-html.sh)")

// TestHTMLLoadTime loads the report -html-load names in Chromium and says
// its size and how long it takes to load and to filter; it fails past
// 10 s. It only runs when asked: hack/bench-html.sh writes the report of
// the 20,000-workload set and runs it.
func TestHTMLLoadTime(t *testing.T) {
	if *htmlLoad == "" {
		t.Skip("set -html-load FILE (hack/bench-html.sh)")
	}
	info, err := os.Stat(*htmlLoad)
	if err != nil {
		t.Fatal(err)
	}
	p := openInBrowser(t, *htmlLoad, "#findings tbody tr.finding", 2*time.Minute)
	total := eval[int](t, p, `JSON.parse(document.getElementById("kube4c-data").textContent).counting`)
	start := time.Now()
	shown := eval[int](t, p, `(s => { s.value = "critical"; s.dispatchEvent(new Event("change"));
		return document.querySelectorAll("#findings tbody tr.finding").length })(document.getElementById("f-sev"))`)
	filter := time.Since(start)
	start = time.Now()
	eval[bool](t, p, `(i => { i.value = "privileged"; i.dispatchEvent(new Event("input")); return true })(document.getElementById("f-text"))`)
	time.Sleep(200 * time.Millisecond) // the text filter waits 150 ms for more typing
	eval[int](t, p, `document.querySelectorAll("#findings tbody tr.finding").length`)
	search := time.Since(start) - 150*time.Millisecond
	start = time.Now()
	resetFilters(t, p)
	eval[bool](t, p, `(s => { s.value = "object"; s.dispatchEvent(new Event("change")); return true })(document.getElementById("f-group"))`)
	group := time.Since(start)
	fmt.Printf("html report: %s, %d findings; Chromium load %.2f s, severity filter %d ms, text search %d ms, all grouped by object %d ms (%d critical rows on the first page)\n",
		sizeText(info.Size()), total, p.Load.Seconds(), filter.Milliseconds(), search.Milliseconds(), group.Milliseconds(), shown)
	p.screenshot(t, "html-report-load.png")
	if p.Load > 10*time.Second {
		t.Errorf("loading took %v, over 10 s", p.Load)
	}
	if problems := p.Problems(); len(problems) > 0 {
		t.Errorf("the page reported problems or made requests:\n%s", strings.Join(problems, "\n"))
	}
}
