package manifest

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

// loadString loads text as the file name in a temporary directory.
func loadString(t *testing.T, name, text string) source.Result {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res := Load([]string{path}, Options{})
	for i := range res.Objects {
		res.Objects[i].Source.File = filepath.Base(res.Objects[i].Source.File)
	}
	for _, list := range [][]source.Problem{res.Errors, res.Warnings, res.Skipped} {
		for i := range list {
			list[i].File = filepath.Base(list[i].File)
		}
	}
	return res
}

func find(t *testing.T, res source.Result, kind, name string) *inventory.Object {
	t.Helper()
	for _, o := range res.Objects {
		if o.Kind() == kind && o.Name() == name {
			return o
		}
	}
	t.Fatalf("no %s/%s among %d objects (errors: %v)", kind, name, len(res.Objects), res.Errors)
	return nil
}

func assertLine(t *testing.T, o *inventory.Object, path string, line, col int) {
	t.Helper()
	loc, exact := o.Locate(path)
	if !exact || loc.Line != line || loc.Column != col {
		t.Errorf("%s %s: got %d:%d (exact=%v), want %d:%d", o.Ref(), path, loc.Line, loc.Column, exact, line, col)
	}
}

func TestLinesInMultiDocumentFileWithCommentsFlowAndAnchors(t *testing.T) {
	text := `# leading comment
apiVersion: v1
kind: ConfigMap
metadata: {name: first}
---
# the second document
apiVersion: v1
kind: Pod
metadata:
  name: second   # trailing comment
spec:
  containers:
    - name: a
      image: nginx
    - name: b
      image: busybox
      securityContext:
        privileged: true
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: third
spec:
  selector: {matchLabels: &l {app: x}}
  template:
    metadata: {labels: *l}
    spec:
      containers: [{name: c, image: nginx, securityContext: {privileged: true}}]
`
	res := loadString(t, "multi.yaml", text)
	if len(res.Errors) != 0 || len(res.Objects) != 3 || res.Documents != 3 {
		t.Fatalf("errors %v, %d objects, %d documents", res.Errors, len(res.Objects), res.Documents)
	}
	cm := find(t, res, "ConfigMap", "first")
	assertLine(t, cm, "metadata.name", 4, 12)
	pod := find(t, res, "Pod", "second")
	assertLine(t, pod, "metadata.name", 10, 3)
	assertLine(t, pod, "spec.containers[1]", 15, 7)
	assertLine(t, pod, "spec.containers[1].securityContext.privileged", 18, 9)
	dep := find(t, res, "Deployment", "third")
	assertLine(t, dep, "spec.template.spec.containers[0].securityContext.privileged", 29, 62)
	// An alias's content is located where the anchor defines it.
	assertLine(t, dep, "spec.template.metadata.labels.app", 25, 31)
	d := dep.Obj.(*appsv1.Deployment)
	if d.Spec.Template.Labels["app"] != "x" {
		t.Errorf("alias not expanded: %v", d.Spec.Template.Labels)
	}
	// An absent field resolves to its deepest present parent.
	loc, exact := pod.Locate("spec.containers[0].securityContext.privileged")
	if exact || loc.Line != 13 {
		t.Errorf("absent field: got line %d exact %v, want the container at line 13", loc.Line, exact)
	}
}

func TestMergeKeys(t *testing.T) {
	res := loadString(t, "merge.yaml", `apiVersion: v1
kind: Pod
metadata:
  name: merged
spec:
  containers:
    - &base
      name: base
      image: nginx
      imagePullPolicy: Always
    - <<: *base
      name: override
`)
	if len(res.Errors) != 0 {
		t.Fatal(res.Errors)
	}
	pod := find(t, res, "Pod", "merged").Obj.(*corev1.Pod)
	c := pod.Spec.Containers[1]
	if c.Name != "override" || c.Image != "nginx" || c.ImagePullPolicy != corev1.PullAlways {
		t.Errorf("merge key: got %+v", c)
	}
}

func TestJSONAndLists(t *testing.T) {
	res := loadString(t, "list.json", `{
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}, "spec": {"type": "NodePort"}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}
  ]
}`)
	if len(res.Errors) != 0 || len(res.Objects) != 2 {
		t.Fatalf("errors %v, objects %d", res.Errors, len(res.Objects))
	}
	svc := find(t, res, "Service", "svc")
	assertLine(t, svc, "spec.type", 5, 83)
	if svc.Source.PathPrefix != "items[0]" {
		t.Errorf("prefix %q", svc.Source.PathPrefix)
	}

	typed := loadString(t, "pods.yaml", `apiVersion: v1
kind: PodList
items:
  - metadata: {name: p1}
    spec: {containers: [{name: c, image: nginx}]}
  - metadata: {name: p2}
    spec: {containers: [{name: c, image: nginx}]}
`)
	if len(typed.Errors) != 0 || len(typed.Objects) != 2 {
		t.Fatalf("errors %v, objects %d", typed.Errors, len(typed.Objects))
	}
	assertLine(t, find(t, typed, "Pod", "p2"), "spec.containers[0].image", 7, 35)
}

func TestCustomResourcesAreKept(t *testing.T) {
	res := loadString(t, "crd.yaml", `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: ns}
spec: {size: 3, anything: [1, "two", {three: true}]}
`)
	if len(res.Errors) != 0 || len(res.Objects) != 2 {
		t.Fatalf("errors %v, objects %d", res.Errors, len(res.Objects))
	}
	w := find(t, res, "Widget", "w")
	u, ok := w.Obj.(*unstructured.Unstructured)
	if !ok || w.Namespace() != "ns" || u.Object["spec"].(map[string]any)["size"] != int64(3) {
		t.Errorf("custom resource: %#v", w.Obj)
	}
}

func TestSkippedDocuments(t *testing.T) {
	res := loadString(t, "values.yaml", `# a Helm values file
replicas: 3
---
- just
- a list
---
apiVersion: v1
kind: ConfigMap
metadata: {name: real}
`)
	if len(res.Errors) != 0 || len(res.Objects) != 1 || len(res.Skipped) != 2 {
		t.Fatalf("errors %v objects %d skipped %v", res.Errors, len(res.Objects), res.Skipped)
	}
	if res.Skipped[0].Line != 2 || res.Skipped[1].Line != 4 {
		t.Errorf("skipped lines: %v", res.Skipped)
	}
}

// One bad document must not hide the good ones, and each error names the
// file and line.
func TestInputErrorsAreLocatedAndIsolated(t *testing.T) {
	text := `apiVersion: v1
kind: Pod
metadata: {name: good-1}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Values.name }}
spec: {}
---
apiVersion: v1
kind: Pod
metadata: {name: wrong-type}
spec:
  containers:
    - name: c
      image: nginx
      ports:
        - containerPort: "eighty"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: odd-key}
data:
  ? [a, b]
  : c
---
apiVersion: v1
kind: ConfigMap
metadata: {name: dup}
data: {a: "1", a: "2"}
---
apiVersion: v1
kind: Pod
metadata: {name: good-2}
spec: {containers: [{name: c, image: nginx}]}
`
	res := loadString(t, "mixed.yaml", text)
	if len(res.Objects) != 2 {
		t.Fatalf("want the 2 good objects, got %d", len(res.Objects))
	}
	want := []struct {
		line int
		text string
	}{
		{9, "unrendered template"},
		{20, "field spec.containers[0].ports[0].containerPort: found a string where Kubernetes expects an integer (int32)"},
		{26, "mapping key is a sequence"},
		{32, `duplicate key "a"`},
	}
	if len(res.Errors) != len(want) {
		t.Fatalf("got %d errors, want %d: %v", len(res.Errors), len(want), res.Errors)
	}
	for i, w := range want {
		e := res.Errors[i]
		if e.File != "mixed.yaml" || e.Line != w.line || !strings.Contains(e.Message, w.text) {
			t.Errorf("error %d: got %s, want line %d containing %q", i, e.Error(), w.line, w.text)
		}
	}
}

func TestUnknownFieldsAreWarnings(t *testing.T) {
	res := loadString(t, "typo.yaml", `apiVersion: v1
kind: Pod
metadata: {name: typo}
spec:
  containers:
    - name: c
      image: nginx
      securityContext:
        privilegd: true
`)
	if len(res.Errors) != 0 || len(res.Objects) != 1 || len(res.Warnings) != 1 {
		t.Fatalf("errors %v objects %d warnings %v", res.Errors, len(res.Objects), res.Warnings)
	}
	w := res.Warnings[0]
	if w.Line != 9 || !strings.Contains(w.Message, "spec.containers[0].securityContext.privilegd") {
		t.Errorf("warning: %s", w.Error())
	}
}

func TestStdinAndMissingPaths(t *testing.T) {
	res := Load([]string{"-", "/does/not/exist"}, Options{Stdin: strings.NewReader("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")})
	if len(res.Objects) != 1 || res.Objects[0].Source.File != "-" {
		t.Fatalf("stdin: %d objects", len(res.Objects))
	}
	if len(res.Errors) != 1 || res.Errors[0].File != "/does/not/exist" {
		t.Fatalf("missing path: %v", res.Errors)
	}
}

func TestDirectoriesAreWalkedRecursively(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ns := "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n"
	write("a.yaml", strings.Replace(ns, "%s", "a", 1))
	write("sub/b.yml", strings.Replace(ns, "%s", "b", 1))
	write("sub/deeper/c.json", `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"c"}}`)
	write("sub/notes.txt", "not read")
	write(".git/d.yaml", strings.Replace(ns, "%s", "hidden", 1))
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	res := Load([]string{link}, Options{})
	var names []string
	for _, o := range res.Objects {
		names = append(names, o.Name())
	}
	if strings.Join(names, ",") != "a,b,c" || len(res.Errors) != 0 {
		t.Errorf("got %v, errors %v", names, res.Errors)
	}
	if f := res.Objects[1].Source.File; f != filepath.Join(link, "sub", "b.yml") {
		t.Errorf("files are named under the path as given: %s", f)
	}
}

// A built-in group that lacks the kind is an input error; an unknown group
// is a custom resource.
func TestWrongAPIGroupForBuiltinKind(t *testing.T) {
	res := loadString(t, "wrong.yaml", "apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\n---\napiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: y}\n")
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "no kind Deployment in v1 (it is in apps/v1") || res.Errors[0].Line != 1 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if len(res.Objects) != 1 || res.Objects[0].Name() != "y" {
		t.Fatalf("the custom resource was not kept: %d objects", len(res.Objects))
	}
}

func TestOpenReplacesTheFileSystem(t *testing.T) {
	files := map[string]string{"/no/such/dir/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"}
	res := Load([]string{"/no/such/dir/a.yaml", "/no/such/dir/b.yaml"}, Options{Open: func(name string) (io.ReadCloser, error) {
		text, ok := files[name]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		return io.NopCloser(strings.NewReader(text)), nil
	}})
	if len(res.Objects) != 1 || res.Objects[0].Source.File != "/no/such/dir/a.yaml" {
		t.Fatalf("objects %v, want a.yaml's ConfigMap read through Open", res.Objects)
	}
	if len(res.Errors) != 1 || res.Errors[0].File != "/no/such/dir/b.yaml" {
		t.Errorf("errors %v, want one naming b.yaml", res.Errors)
	}
}

// A kind in an API version Kubernetes removed is read, so that its checks
// run and deprecated-api-version reports the version; that includes kinds
// whose Go types left k8s.io/api with the version (PodSecurityPolicy,
// HorizontalPodAutoscaler v2beta2). A version no Kubernetes release had
// stays an input error, like a kind its version never had.
func TestRemovedAPIVersionsAreRead(t *testing.T) {
	res := loadString(t, "old.yaml", `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: privileged}
spec: {privileged: true, seLinux: {rule: RunAsAny}}
---
apiVersion: extensions/v1beta1
kind: PodSecurityPolicy
metadata: {name: older}
spec: {privileged: false}
---
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 2, maxReplicas: 5}
---
apiVersion: extensions/v1beta1
kind: DaemonSet
metadata: {name: agent}
spec: {template: {spec: {containers: [{name: a, image: x, securityContext: {privileged: true}}]}}}
---
apiVersion: apps/v1beta3
kind: Deployment
metadata: {name: future}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicyTemplate
metadata: {name: never}
---
apiVersion: builtin
kind: LabelTransformer
metadata: {name: kustomize}
`)
	for _, name := range []string{"privileged", "older"} {
		if _, ok := find(t, res, "PodSecurityPolicy", name).Obj.(*unstructured.Unstructured); !ok {
			t.Errorf("PodSecurityPolicy %s is not kept as an unstructured object", name)
		}
	}
	find(t, res, "HorizontalPodAutoscaler", "web")
	find(t, res, "DaemonSet", "agent")
	find(t, res, "LabelTransformer", "kustomize")
	var msgs []string
	for _, e := range res.Errors {
		msgs = append(msgs, e.Location.String()+": "+e.Message)
	}
	want := []string{
		"old.yaml:21:1: Kubernetes has no API version apps/v1beta3 (apps is served as apps/v1); the API server would reject this document",
		"old.yaml:25:1: Kubernetes has no kind PodSecurityPolicyTemplate in policy/v1beta1; the API server would reject this document",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}

// A kind that a removed version never had is an error too, not a custom
// resource.
func TestUnknownKindOfRemovedVersion(t *testing.T) {
	res := loadString(t, "hpa.yaml", "apiVersion: autoscaling/v2beta2\nkind: Scaler\nmetadata: {name: x}\n")
	if len(res.Errors) != 1 || res.Errors[0].Message != "Kubernetes has no kind Scaler in autoscaling/v2beta2; the API server would reject this document" {
		t.Fatalf("errors: %v", res.Errors)
	}
}

// The API server rejects a ClusterRoleBinding whose ServiceAccount subject
// has no namespace (there is no namespace to default it to): such a
// document is an input error at the subject, whatever the RBAC version,
// and the documents around it are still read. A RoleBinding's subject
// takes the binding's namespace, so it loads.
func TestClusterRoleBindingServiceAccountNeedsNamespace(t *testing.T) {
	text := `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: pipeline-runner}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
  - {kind: User, name: alice}
  - kind: ServiceAccount
    name: pipeline-runner
---
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: ClusterRoleBinding
metadata: {name: old-style}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: runner}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: good}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: runner, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: in-namespace, namespace: kubeflow}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: pipeline-runner}]
`
	res := loadString(t, "bindings.yaml", text)
	var names []string
	for _, o := range res.Objects {
		names = append(names, o.Kind()+"/"+o.Name())
	}
	if got := strings.Join(names, " "); got != "ClusterRoleBinding/good RoleBinding/in-namespace" {
		t.Errorf("objects: %s", got)
	}
	want := []struct {
		line   int
		object string
	}{{7, "ClusterRoleBinding/pipeline-runner"}, {14, "ClusterRoleBinding/old-style"}}
	if len(res.Errors) != len(want) {
		t.Fatalf("got %d errors, want %d: %v", len(res.Errors), len(want), res.Errors)
	}
	for i, w := range want {
		e := res.Errors[i]
		if e.File != "bindings.yaml" || e.Line != w.line || e.Object != w.object ||
			!strings.Contains(e.Message, "subjects[") || !strings.Contains(e.Message, "namespace") {
			t.Errorf("error %d: got %s, want line %d of %s naming the subject's namespace", i, e.Error(), w.line, w.object)
		}
	}
}
