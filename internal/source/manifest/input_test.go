package manifest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/source"
)

// The tests of this file come from reproductions of issue 15: inputs that
// kube4c read partly, or not at all, without a word.

const (
	cmJSON  = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}}`
	podJSON = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx","securityContext":{"privileged":true}}]}}`
)

func objectNames(res source.Result) string {
	var names []string
	for _, o := range res.Objects {
		names = append(names, o.Kind()+"/"+o.Name())
	}
	return strings.Join(names, ",")
}

func expectClean(t *testing.T, res source.Result, names string, documents int) {
	t.Helper()
	if got := objectNames(res); got != names || len(res.Errors) != 0 || len(res.Skipped) != 0 || res.Documents != documents {
		t.Fatalf("objects %q (want %q), %d documents (want %d), errors %v, skipped %v", got, names, res.Documents, documents, res.Errors, res.Skipped)
	}
}

// Point 1: newline-delimited and concatenated JSON objects are each a
// document, with exact positions.
func TestJSONStreams(t *testing.T) {
	t.Run("newline-delimited", func(t *testing.T) {
		res := loadString(t, "nd.json", cmJSON+"\n"+podJSON+"\n")
		expectClean(t, res, "ConfigMap/cm,Pod/p", 2)
		pod := find(t, res, "Pod", "p")
		assertLine(t, pod, "spec.containers[0].securityContext.privileged", 2, strings.Index(podJSON, `"privileged"`)+1)
		if pod.Source.Document != 1 {
			t.Errorf("the pod is document %d, want 1", pod.Source.Document)
		}
	})
	t.Run("concatenated on one line", func(t *testing.T) {
		res := loadString(t, "cat.json", cmJSON+" "+podJSON)
		expectClean(t, res, "ConfigMap/cm,Pod/p", 2)
		col := len(cmJSON) + 1 + strings.Index(podJSON, `"privileged"`) + 1
		assertLine(t, find(t, res, "Pod", "p"), "spec.containers[0].securityContext.privileged", 1, col)
		assertLine(t, find(t, res, "Pod", "p"), "", 1, len(cmJSON)+2)
	})
	t.Run("pretty-printed and non-ASCII", func(t *testing.T) {
		text := "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"é\"}\n}\n" +
			"{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"ü\"}}{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"n\"}}\n"
		res := loadString(t, "pretty.json", text)
		expectClean(t, res, "ConfigMap/é,ConfigMap/ü,Namespace/n", 3)
		// Columns count characters: "ü" is one.
		line6 := strings.Split(text, "\n")[5]
		col := utf8.RuneCountInString(line6[:strings.LastIndex(line6, `"name"`)]) + 1
		assertLine(t, find(t, res, "Namespace", "n"), "metadata.name", 6, col)
		assertLine(t, find(t, res, "ConfigMap", "é"), "metadata.name", 4, 16)
	})
	t.Run("stdin", func(t *testing.T) {
		res := Load([]string{Stdin}, Options{Stdin: strings.NewReader(cmJSON + "\n" + podJSON + "\n")})
		if objectNames(res) != "ConfigMap/cm,Pod/p" {
			t.Fatalf("got %q, errors %v", objectNames(res), res.Errors)
		}
	})
	t.Run("a bad value does not hide the next", func(t *testing.T) {
		res := loadString(t, "bad.json", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":7}}`+"\n"+podJSON+"\n")
		if objectNames(res) != "Pod/p" || len(res.Errors) != 1 || res.Errors[0].Line != 1 {
			t.Fatalf("got %q, errors %v", objectNames(res), res.Errors)
		}
	})
	t.Run("YAML flow mapping stays one document", func(t *testing.T) {
		res := loadString(t, "flow.yaml", "{apiVersion: v1, kind: ConfigMap, metadata: {name: 'it''s'}, data: {a: '\"{'}}\n")
		expectClean(t, res, "ConfigMap/it's", 1)
	})
}

// Point 2: a top-level JSON array or YAML sequence of manifests is a list
// of objects; item i is at the path "[i]".
func TestTopLevelArrays(t *testing.T) {
	t.Run("JSON array", func(t *testing.T) {
		res := loadString(t, "arr.json", "[\n  "+cmJSON+",\n  "+podJSON+"\n]\n")
		expectClean(t, res, "ConfigMap/cm,Pod/p", 1)
		pod := find(t, res, "Pod", "p")
		if pod.Source.PathPrefix != "[1]" {
			t.Errorf("prefix %q, want [1]", pod.Source.PathPrefix)
		}
		assertLine(t, pod, "spec.containers[0].securityContext.privileged", 3, 3+strings.Index(podJSON, `"privileged"`))
	})
	t.Run("YAML sequence", func(t *testing.T) {
		res := loadString(t, "seq.yaml", `# a list of manifests
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cm}
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
  spec:
    containers:
    - name: c
      image: nginx
      securityContext:
        privileged: true
`)
		expectClean(t, res, "ConfigMap/cm,Pod/p", 1)
		assertLine(t, find(t, res, "Pod", "p"), "spec.containers[0].securityContext.privileged", 14, 9)
	})
	t.Run("items that are not objects", func(t *testing.T) {
		res := loadString(t, "mixed.yaml", "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm}\n- just a string\n- {name: no-type}\n")
		if objectNames(res) != "ConfigMap/cm" || len(res.Errors) != 0 || len(res.Skipped) != 2 {
			t.Fatalf("got %q, errors %v, skipped %v", objectNames(res), res.Errors, res.Skipped)
		}
		if s := res.Skipped[0]; s.Line != 4 || !strings.Contains(s.Message, "[1]") {
			t.Errorf("skipped: %s", s.Error())
		}
	})
	t.Run("item errors name the item", func(t *testing.T) {
		res := loadString(t, "bad.json", `[`+cmJSON+`, {"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":7}}]`)
		if objectNames(res) != "ConfigMap/cm" || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "spec.containers") {
			t.Fatalf("got %q, errors %v", objectNames(res), res.Errors)
		}
	})
}

// Point 23: empty documents, such as after a trailing "---", are not
// reported at all.
func TestEmptyDocumentsAreNotReported(t *testing.T) {
	for name, text := range map[string]string{
		"trailing marker":   goodDoc + "---\n",
		"markers and notes": "---\n" + goodDoc + "---\n---\n# only a comment\n---\n\n",
		"explicit end":      goodDoc + "...\n---\n",
		"null document":     goodDoc + "--- null\n---\n~\n",
	} {
		t.Run(name, func(t *testing.T) {
			res := loadString(t, "empty-docs.yaml", text)
			expectClean(t, res, "ConfigMap/good", 1)
		})
	}
}

// withDeadline fails the test when fn has not returned after a generous
// time: a guard against hangs, not a measure of speed.
func withDeadline(t *testing.T, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the load did not finish: it hangs")
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func namespaceDoc(name string) string {
	return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n"
}

// Point 4: special files in a directory are skipped, named ones refused,
// and symlinked directories followed once.
func TestSpecialFilesDoNotHang(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yaml"), namespaceDoc("a"))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	var res source.Result
	withDeadline(t, func() { res = Load([]string{dir}, Options{}) })
	if objectNames(res) != "Namespace/a" || len(res.Errors) != 0 || res.Files != 1 {
		t.Fatalf("got %q from %d files, errors %v", objectNames(res), res.Files, res.Errors)
	}

	for _, name := range []string{"pipe.yaml", "zero.yaml"} {
		path := filepath.Join(dir, name)
		withDeadline(t, func() { res = Load([]string{path}, Options{}) })
		if len(res.Errors) != 1 || res.Errors[0].File != path || !strings.Contains(res.Errors[0].Message, "not a regular file") {
			t.Errorf("%s named directly: errors %v", name, res.Errors)
		}
	}
}

func TestSymlinkedDirectories(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "scan")
	writeFile(t, filepath.Join(dir, "a.yaml"), namespaceDoc("a"))
	writeFile(t, filepath.Join(dir, "sub", "b.yaml"), namespaceDoc("b"))
	writeFile(t, filepath.Join(root, "elsewhere", "c.yaml"), namespaceDoc("c"))
	for link, target := range map[string]string{
		filepath.Join(dir, "sub", "loop"): "..",                                // a loop to an ancestor
		filepath.Join(dir, "sub", "self"): ".",                                 // a loop to itself
		filepath.Join(dir, "linked"):      filepath.Join(root, "elsewhere"),    // outside the tree: followed
		filepath.Join(dir, "again"):       filepath.Join(root, "elsewhere"),    // the same directory twice
		filepath.Join(dir, "broken.yaml"): filepath.Join(root, "missing.yaml"), // a dangling link
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	var res source.Result
	withDeadline(t, func() { res = Load([]string{dir}, Options{}) })
	if got := objectNames(res); got != "Namespace/a,Namespace/c,Namespace/b" {
		t.Errorf("got %q", got)
	}
	if len(res.Errors) != 1 || res.Errors[0].File != filepath.Join(dir, "broken.yaml") {
		t.Errorf("the dangling link must be an error: %v", res.Errors)
	}
}

// Point 3: a kustomization directory is not scanned as plain manifests
// without a word, and empty input is an error.
func TestKustomizationDirectories(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	writeFile(t, filepath.Join(app, "kustomization.yaml"), "resources:\n- pod.yaml\n- sub/cm.yaml\npatches:\n- path: patch.yaml\n")
	writeFile(t, filepath.Join(app, "pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx}]}\n")
	writeFile(t, filepath.Join(app, "sub", "cm.yaml"), goodDoc)
	writeFile(t, filepath.Join(app, "patch.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, securityContext: {privileged: true}}]}\n")
	writeFile(t, filepath.Join(dir, "plain.yaml"), namespaceDoc("plain"))

	res := Load([]string{dir}, Options{})
	if len(res.Errors) != 1 || res.Errors[0].File != filepath.Join(app, "kustomization.yaml") ||
		!strings.Contains(res.Errors[0].Message, "kubectl kustomize "+app+" | kube4c scan -") {
		t.Fatalf("want one error with the hint, got %v", res.Errors)
	}
	if got := objectNames(res); got != "Pod/p,ConfigMap/good,Namespace/plain" {
		t.Errorf("objects %q: the patch must not be read as an object", got)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].File != filepath.Join(app, "patch.yaml") {
		t.Errorf("the patch should be listed as skipped: %v", res.Skipped)
	}

	res = Load([]string{dir}, Options{AllowUnrendered: true})
	if len(res.Errors) != 0 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, "kubectl kustomize") {
		t.Fatalf("--allow-unrendered: errors %v, warnings %v", res.Errors, res.Warnings)
	}
	if got := objectNames(res); got != "Pod/p,ConfigMap/good,Namespace/plain" {
		t.Errorf("objects %q", got)
	}

	// The other names kustomize reads, and a kustomization given as a file.
	for _, name := range []string{"kustomization.yml", "Kustomization"} {
		other := filepath.Join(t.TempDir(), "k")
		writeFile(t, filepath.Join(other, name), "resources: [pod.yaml]\n")
		writeFile(t, filepath.Join(other, "pod.yaml"), namespaceDoc("x"))
		res = Load([]string{other}, Options{})
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "kubectl kustomize") {
			t.Errorf("%s: errors %v", name, res.Errors)
		}
	}
}

func TestEmptyInputIsAnError(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.yaml")
	writeFile(t, empty, "")
	onlyMarkers := filepath.Join(dir, "markers.yaml")
	writeFile(t, onlyMarkers, "---\n# nothing\n---\n")
	values := filepath.Join(dir, "values.yaml")
	writeFile(t, values, "replicas: 3\n")
	emptyDir := filepath.Join(dir, "nothing")
	writeFile(t, filepath.Join(emptyDir, "README.md"), "no manifests here\n")
	for _, c := range []struct {
		name  string
		path  string
		stdin string
		want  string
	}{
		{"empty stdin", Stdin, "", "standard input is empty"},
		{"blank stdin", Stdin, "\n\n", "standard input is empty"},
		{"empty file", empty, "", "no Kubernetes objects"},
		{"only markers", onlyMarkers, "", "no Kubernetes objects"},
		{"not a manifest", values, "", "no Kubernetes objects"},
		{"directory without manifests", emptyDir, "", "no .yaml, .yml or .json files"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := Load([]string{c.path}, Options{Stdin: strings.NewReader(c.stdin), RequireObjects: true})
			if len(res.Errors) != 1 || res.Errors[0].File != c.path || !strings.Contains(res.Errors[0].Message, c.want) {
				t.Fatalf("want one error on %s containing %q, got %v", c.path, c.want, res.Errors)
			}
		})
	}
	// An empty List is input that was read: kubectl get in an empty namespace.
	res := Load([]string{Stdin}, Options{Stdin: strings.NewReader("apiVersion: v1\nitems: []\nkind: List\nmetadata: {resourceVersion: \"\"}\n"), RequireObjects: true})
	if len(res.Errors) != 0 {
		t.Errorf("an empty List: %v", res.Errors)
	}
	// Without RequireObjects (kube4c node reads optional directories), no error.
	if res := Load([]string{emptyDir}, Options{}); len(res.Errors) != 0 {
		t.Errorf("without RequireObjects: %v", res.Errors)
	}
}

// genPodList writes a List of n pods, in YAML as kubectl get -o yaml writes
// it or in JSON; each pod carries pad bytes of annotation.
func genPodList(n, pad int, json bool) string {
	var b strings.Builder
	filler := strings.Repeat("x", pad)
	if json {
		b.WriteString("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n")
		for i := range n {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(`        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p` + strconv.Itoa(i) + `", "namespace": "ns", "annotations": {"pad": "` + filler + `"}}, "spec": {"containers": [{"name": "c", "image": "nginx", "securityContext": {"privileged": true}}]}}`)
		}
		b.WriteString("\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n")
		return b.String()
	}
	b.WriteString("apiVersion: v1\nitems:\n")
	for i := range n {
		b.WriteString("- apiVersion: v1\n  kind: Pod\n  metadata:\n    annotations:\n      pad: " + filler + "\n    name: p" + strconv.Itoa(i) + "\n    namespace: ns\n")
		b.WriteString("  spec:\n    containers:\n    - image: nginx\n      name: c\n      securityContext:\n        privileged: true\n")
	}
	b.WriteString("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
	return b.String()
}

// Point 8: a List larger than the per-document limit is read item by item.
func TestLargeListsAreReadItemByItem(t *testing.T) {
	const n = 3000
	for _, json := range []bool{false, true} {
		name := map[bool]string{false: "yaml", true: "json"}[json]
		t.Run(name, func(t *testing.T) {
			text := genPodList(n, 3000, json)
			if len(text) <= MaxDocumentBytes {
				t.Fatalf("the list is only %d bytes", len(text))
			}
			res := Load([]string{Stdin}, Options{Stdin: strings.NewReader(text)})
			if len(res.Objects) != n || len(res.Errors) != 0 || len(res.Skipped) != 0 || res.Documents != 1 {
				t.Fatalf("%d objects, %d documents, errors %v, skipped %v", len(res.Objects), res.Documents, res.Errors, res.Skipped)
			}
			last := res.Objects[n-1]
			if last.Name() != "p"+strconv.Itoa(n-1) || last.Source.Document != 0 {
				t.Fatalf("last object %s in document %d", last.Name(), last.Source.Document)
			}
			if !*last.Obj.(*corev1.Pod).Spec.Containers[0].SecurityContext.Privileged {
				t.Error("the last pod was not decoded")
			}
			// Lines stay exact, item after item.
			for _, i := range []int{0, 1, n / 2, n - 1} {
				o := res.Objects[i]
				loc, exact := o.Locate("spec.containers[0].securityContext.privileged")
				wantLine := 3 + 13*i + 12
				if json {
					wantLine = 4 + i
				}
				if !exact || loc.Line != wantLine {
					t.Errorf("item %d: privileged at %d (exact %v), want line %d", i, loc.Line, exact, wantLine)
				}
			}
		})
	}
}

func TestLargeListBounds(t *testing.T) {
	lim := limits{document: 4 << 10, list: 64 << 10, items: 1000}
	t.Run("huge item", func(t *testing.T) {
		text := strings.Replace(genPodList(50, 100, false), "pad: "+strings.Repeat("x", 100)+"\n    name: p7\n", "pad: "+strings.Repeat("y", 8<<10)+"\n    name: p7\n", 1)
		res := loadWith([]string{Stdin}, Options{Stdin: strings.NewReader(text)}, lim)
		if len(res.Objects) != 49 || len(res.Errors) != 1 || res.Errors[0].Line != 3+13*7 || !strings.Contains(res.Errors[0].Message, "items[7] is larger than") {
			t.Fatalf("%d objects, errors %v", len(res.Objects), res.Errors)
		}
	})
	t.Run("huge object", func(t *testing.T) {
		text := goodDoc + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n" + strings.Repeat("  k: v\n", 0) + genData(8<<10)
		res := loadWith([]string{Stdin}, Options{Stdin: strings.NewReader(text)}, lim)
		if objectNames(res) != "ConfigMap/good" || len(res.Errors) != 1 || res.Errors[0].Line != 4 || !strings.Contains(res.Errors[0].Message, "larger than") {
			t.Fatalf("%q, errors %v", objectNames(res), res.Errors)
		}
	})
	t.Run("too large a list", func(t *testing.T) {
		for _, json := range []bool{false, true} {
			res := loadWith([]string{Stdin}, Options{Stdin: strings.NewReader(genPodList(200, 400, json) + "---\n" + goodDoc)}, lim)
			if len(res.Errors) != 1 || res.Errors[0].Line != 1 || !strings.Contains(res.Errors[0].Message, "larger than 64 KiB") {
				t.Fatalf("json %v: errors %v", json, res.Errors)
			}
			if n := len(res.Objects); n == 0 || n >= 200 || res.Objects[n-1].Name() != "good" {
				t.Errorf("json %v: %d objects", json, n)
			}
		}
	})
	t.Run("too many items", func(t *testing.T) {
		res := loadWith([]string{Stdin}, Options{Stdin: strings.NewReader(genPodList(2000, 0, false))}, limits{document: 4 << 10, list: 64 << 20, items: 1000})
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "more than 1000 items") || len(res.Objects) != 1000 {
			t.Fatalf("%d objects, errors %v", len(res.Objects), res.Errors)
		}
	})
	t.Run("items typed by the list that names its kind last", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("apiVersion: v1\nitems:\n")
		for i := range 100 {
			b.WriteString("- metadata: {name: p" + strconv.Itoa(i) + "}\n  spec: {containers: [{name: c, image: nginx}]}\n")
		}
		b.WriteString("kind: PodList\n")
		res := loadWith([]string{Stdin}, Options{Stdin: strings.NewReader(b.String())}, lim)
		if len(res.Objects) != 100 || len(res.Errors) != 0 || res.Objects[99].Kind() != "Pod" {
			t.Fatalf("%d objects, errors %v", len(res.Objects), res.Errors)
		}
	})
	t.Run("a large mapping with items that is not a List", func(t *testing.T) {
		text := strings.Replace(genPodList(100, 100, false), "kind: List", "kind: ConfigMap", 1)
		res := loadWith([]string{Stdin}, Options{Stdin: strings.NewReader(text)}, lim)
		if len(res.Objects) != 0 || len(res.Errors) != 1 || res.Errors[0].Line != 1 || !strings.Contains(res.Errors[0].Message, "larger than 4 KiB") {
			t.Fatalf("%d objects, errors %v", len(res.Objects), res.Errors)
		}
	})
}

func genData(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		b.WriteString("  k" + strconv.Itoa(i) + ": " + strings.Repeat("v", 60) + "\n")
	}
	return b.String()
}

// A List read item by item gives the objects, positions and problems that
// reading it whole gives.
func TestStreamedListAgreesWithWholeDocument(t *testing.T) {
	yamlList := `apiVersion: v1
kind: List
items:
# a comment between items
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: flow, labels: {a: "b"}}
  data:
    script: |
      #!/bin/sh
      echo "- not an item"

    other: >-
      folded
      text
-   apiVersion: v1
    kind: Pod
    metadata:
      name: wide
    spec:
      containers:
      - name: c
        image: nginx
        ports: [{containerPort: 80}]

- apiVersion: v1
  kind: Pod
  metadata: {name: bad}
  spec: {containers: [{name: c, ports: [{containerPort: eighty}]}]}
- 42
- metadata: {name: untyped}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: d, namespace: ns}
  spec:
    selector: {matchLabels: {app: x}}
    template:
      metadata: {labels: {app: x}}
      spec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}
metadata: {resourceVersion: ""}
`
	head, rest, _ := strings.Cut(yamlList, "items:\n")
	items, tail, _ := strings.Cut(rest, "metadata: {resourceVersion")
	indented := head + "items:\n" + strings.ReplaceAll("  "+strings.TrimSuffix(items, "\n"), "\n", "\n  ") + "\nmetadata: {resourceVersion" + tail
	jsonList := `{"kind": "PodList", "apiVersion": "v1", "items": [
  {"metadata": {"name": "a"}, "spec": {"containers": [{"name": "c", "image": "x"}]}},
  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s,t]r\"i{ng"}},
    {"metadata": {"name": "é"}, "spec": {"containers": [{"name": "c", "image": "x", "ports": [{"containerPort": "eighty"}]}]}}, 7,
  {"metadata": {"name": "last"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
], "metadata": {}}`
	array := "[" + cmJSON + ",\n" + podJSON + ", \"x\",\n" + strings.Replace(podJSON, `"p"`, `"q"`, 1) + "]"
	sequence := "- " + strings.ReplaceAll(strings.TrimSpace(namespaceDoc("a")), "\n", "\n  ") + "\n- x\n-\n- [a, b]\n- {}\n- x\n- x\n- x\n- x\n- x\n- x\n-\n  " + strings.ReplaceAll(strings.TrimSpace(goodDoc), "\n", "\n  ") + "\n"
	for name, text := range map[string]string{"yaml": yamlList, "indented": indented, "json": jsonList, "array": array, "sequence": sequence} {
		t.Run(name, func(t *testing.T) {
			whole := loadWith([]string{Stdin}, Options{Stdin: strings.NewReader(text)}, defaultLimits)
			// Small enough a document limit that the List is read item by item.
			streamed := loadWith([]string{Stdin}, Options{Stdin: strings.NewReader(text)}, limits{document: len(text) / 2, list: 1 << 20, items: 1000})
			if len(whole.Objects) < 2 {
				t.Fatalf("the whole List gave %d objects, errors %v", len(whole.Objects), whole.Errors)
			}
			if objectNames(whole) != objectNames(streamed) {
				t.Fatalf("objects: whole %q, streamed %q (errors %v)", objectNames(whole), objectNames(streamed), streamed.Errors)
			}
			for i, o := range streamed.Objects {
				w := whole.Objects[i]
				if o.Source.PathPrefix != "" || w.Source.PathPrefix == "" {
					t.Fatalf("%s: not read item by item (prefix %q) or whole (prefix %q)", o.Ref(), o.Source.PathPrefix, w.Source.PathPrefix)
				}
				o.Source.Positions.Walk(func(_ int, path string) bool {
					got, _ := o.Locate(path)
					want, _ := w.Locate(path)
					if got != want {
						t.Errorf("%s %s: streamed at %v, whole at %v", o.Ref(), path, got, want)
					}
					return true
				})
			}
			for _, list := range []struct {
				name          string
				whole, stream []source.Problem
			}{{"errors", whole.Errors, streamed.Errors}, {"skipped", whole.Skipped, streamed.Skipped}, {"warnings", whole.Warnings, streamed.Warnings}} {
				if len(list.whole) != len(list.stream) {
					t.Errorf("%s: whole %v, streamed %v", list.name, list.whole, list.stream)
					continue
				}
				for k := range list.whole {
					if list.whole[k].Line != list.stream[k].Line || list.whole[k].Message != list.stream[k].Message {
						t.Errorf("%s: whole %v, streamed %v", list.name, list.whole[k], list.stream[k])
					}
				}
			}
		})
	}
}
