package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
	yaml "go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/fix"
	"github.com/kube4c/kube4c/internal/testutil"
)

// copyTree copies the files under src to a new temporary directory.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// snapshot reads every file under dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[path], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestFixCorpus runs kube4c fix on a copy of every real manifest of the
// shared corpus: each changed file still decodes, to as many documents;
// its lines differ from the original only where an edit was made; the
// re-scan has none of the fixed findings; the counts are printed.
func TestFixCorpus(t *testing.T) {
	dir := copyTree(t, filepath.Join(testutil.CorpusDir(t), "real"))
	before := snapshot(t, dir)

	// The plan kube4c fix makes, with its edits, before it writes.
	root := NewRoot(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	root.SetContext(context.Background())
	f := &fixFlags{scan: scanFlags{output: "table", failOn: "none"}}
	plan, err := f.scan.plan([]string{dir}, func(c *check.Check) bool { return c.Fix != nil })
	if err != nil {
		t.Fatal(err)
	}
	planned, err := planFixes(root, plan, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	plans := map[string]*fix.Plan{}
	for _, ff := range planned.files {
		plans[ff.path] = ff.plan
	}

	code, out, stderr := run(t, "", "fix", dir)
	// The corpus has documents the API server would reject: exit 2 for
	// them, with the fixes of the others made.
	if code != ExitError || !strings.Contains(stderr, "error:") {
		t.Fatalf("exit %d, stderr:\n%.2000s", code, stderr)
	}
	m := regexp.MustCompile(`fixed (\d+) findings in (\d+) files; refused (\d+)\.`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no count in the output:\n%.3000s", out)
	}
	applied, _ := strconv.Atoi(m[1])
	changedFiles, _ := strconv.Atoi(m[2])
	t.Logf("corpus: %s fixes applied in %s files, %s refused", m[1], m[2], m[3])
	if applied < 1000 || changedFiles < 100 {
		t.Errorf("only %d fixes in %d files", applied, changedFiles)
	}
	if !strings.Contains(out, "The scan after the fix no longer reports the fixed findings.") {
		t.Errorf("the re-scan did not prove the fixes:\n%.3000s", stderr)
	}

	after := snapshot(t, dir)
	changed := 0
	for path, old := range before {
		now := after[path]
		if bytes.Equal(old, now) {
			continue
		}
		changed++
		p := plans[path]
		if p == nil || !bytes.Equal(p.Fixed, now) {
			t.Errorf("%s changed without a plan that says so", path)
			continue
		}
		docsBefore, docsAfter := countDocuments(t, path, old), countDocuments(t, path, now)
		if docsBefore != docsAfter {
			t.Errorf("%s: %d documents became %d", path, docsBefore, docsAfter)
		}
		checkChangedLinesAreEdited(t, path, old, now, p.Edits)
	}
	if changed != changedFiles {
		t.Errorf("%d files changed, the summary says %d", changed, changedFiles)
	}
}

// countDocuments decodes every document of a file and counts them.
func countDocuments(t *testing.T, path string, data []byte) int {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		var v yaml.Node
		if err := dec.Decode(&v); err != nil {
			if err.Error() != "EOF" {
				t.Errorf("%s does not decode: %v", path, err)
			}
			return n
		}
		n++
	}
}

// checkChangedLinesAreEdited diffs two versions of a file line by line:
// every original line that is gone or replaced must hold an edit, and
// every insertion must sit where an edit is.
func checkChangedLinesAreEdited(t *testing.T, path string, old, now []byte, edits []fix.Edit) {
	t.Helper()
	edited := map[int]bool{} // 0-based original lines an edit touches
	for _, e := range edits {
		first := bytes.Count(old[:e.Start], []byte("\n"))
		last := bytes.Count(old[:e.End], []byte("\n"))
		for l := first; l <= last; l++ {
			edited[l] = true
		}
		if e.Start > 0 && old[e.Start-1] == '\n' {
			edited[first-1] = true // an insertion at the start of a line follows the line before
		}
	}
	a, b := difflib.SplitLines(string(old)), difflib.SplitLines(string(now))
	for _, op := range difflib.NewMatcher(a, b).GetOpCodes() {
		switch op.Tag {
		case 'e':
			continue
		case 'i':
			if !edited[op.I1-1] && !edited[op.I1] {
				t.Errorf("%s: lines inserted before original line %d, where no edit is", path, op.I1+1)
			}
		default:
			for l := op.I1; l < op.I2; l++ {
				if !edited[l] {
					t.Errorf("%s: original line %d changed outside the edits: %q", path, l+1, a[l])
				}
			}
		}
	}
}

// TestFixKeepsFormatting: comments, blank lines and CRLF line ends
// survive kube4c fix, and --diff and --dry-run write nothing.
func TestFixKeepsFormatting(t *testing.T) {
	dir := t.TempDir()
	lf := "# the web app\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web  # owned by the web team\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n\n      containers:\n        # the server\n        - name: app\n          image: \"registry.example.com/web:1.2\"\n          imagePullPolicy: IfNotPresent\n\n          securityContext:\n            allowPrivilegeEscalation: true   # legacy\n# end of the web app\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	for name, src := range map[string]string{"lf.yaml": lf, "crlf.yaml": crlf} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, flag := range []string{"--diff", "--dry-run"} {
		code, out, errOut := run(t, "", "fix", flag, dir)
		if code != 0 {
			t.Fatalf("%s: exit %d", flag, code)
		}
		// The list says what would be done, not what was.
		if list := out + errOut; !strings.Contains(list, "would fix  ") || strings.Contains(list, "fixed ") {
			t.Errorf("%s lists:\n%s", flag, list)
		}
		if flag == "--diff" && !strings.Contains(out, "-          imagePullPolicy: IfNotPresent\r\n+          imagePullPolicy: Always\r\n") {
			t.Errorf("--diff:\n%s", out)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "lf.yaml")); string(got) != lf {
			t.Fatalf("%s wrote the file", flag)
		}
	}
	if code, out, errOut := run(t, "", "fix", dir); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	want := strings.Replace(lf, "imagePullPolicy: IfNotPresent", "imagePullPolicy: Always", 1)
	want = strings.Replace(want, "allowPrivilegeEscalation: true   # legacy\n", "allowPrivilegeEscalation: false   # legacy\n"+
		"            capabilities:\n              drop: [\"ALL\"]\n            runAsNonRoot: true\n            seccompProfile:\n              type: RuntimeDefault\n"+
		"            readOnlyRootFilesystem: true\n      automountServiceAccountToken: false\n", 1)
	got, _ := os.ReadFile(filepath.Join(dir, "lf.yaml"))
	if string(got) != want {
		t.Errorf("lf.yaml:\n%s\nwant:\n%s", got, want)
	}
	got, _ = os.ReadFile(filepath.Join(dir, "crlf.yaml"))
	if string(got) != strings.ReplaceAll(want, "\n", "\r\n") {
		t.Errorf("crlf.yaml:\n%q", got)
	}
	// Fixed: a second run has nothing to do.
	if _, out, _ := run(t, "", "fix", dir); !strings.Contains(out, "fixed 0 findings in 0 files; refused 0.") {
		t.Errorf("second run:\n%s", out)
	}
}

// TestSARIFFixes: the SARIF report offers, for each finding kube4c fix
// would fix, that fix alone, which keeps the file valid when applied.
func TestSARIFFixes(t *testing.T) {
	_, sarifOut, _ := run(t, "", "scan", "-o", "sarif", "--fail-on", "none", examples)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
				Fixes  []struct {
					Description     struct{ Text string }
					ArtifactChanges []struct {
						ArtifactLocation struct{ URI string }
						Replacements     []struct {
							DeletedRegion   struct{ StartLine, StartColumn, EndLine, EndColumn int }
							InsertedContent struct{ Text string }
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(sarifOut), &log); err != nil {
		t.Fatal(err)
	}
	_, dry, _ := run(t, "", "fix", "--dry-run", examples)
	m := regexp.MustCompile(`would fix (\d+) findings`).FindStringSubmatch(dry)
	if m == nil {
		t.Fatalf("no count:\n%s", dry)
	}
	wouldFix, _ := strconv.Atoi(m[1])
	withFix := 0
	for _, r := range log.Runs[0].Results {
		if len(r.Fixes) == 0 {
			continue
		}
		withFix++
		change := r.Fixes[0].ArtifactChanges[0]
		src, err := os.ReadFile(change.ArtifactLocation.URI)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(src), "\n")
		rep := change.Replacements[0]
		reg := rep.DeletedRegion
		// Columns count characters; these files are ASCII.
		start := len(strings.Join(lines[:reg.StartLine-1], "")) + reg.StartColumn - 1
		end := len(strings.Join(lines[:reg.EndLine-1], "")) + reg.EndColumn - 1
		fixed := string(src[:start]) + rep.InsertedContent.Text + string(src[end:])
		if _, err := countDocumentsErr(fixed); err != nil {
			t.Errorf("%s: the fix of %s breaks the file: %v", change.ArtifactLocation.URI, r.RuleID, err)
		}
		if !strings.HasPrefix(r.Fixes[0].Description.Text, "set ") && !strings.HasPrefix(r.Fixes[0].Description.Text, "add ") {
			t.Errorf("description %q", r.Fixes[0].Description.Text)
		}
	}
	if withFix == 0 || withFix != wouldFix {
		t.Errorf("%d results have fixes, kube4c fix would make %d:\n%s", withFix, wouldFix, dry)
	}
}

// countDocumentsErr decodes every document of text.
func countDocumentsErr(text string) (int, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	for n := 0; ; n++ {
		var v yaml.Node
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
	}
}
