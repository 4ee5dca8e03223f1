package catalog

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/parallel"
	"github.com/kube4c/kube4c/internal/podsecurity"
	"github.com/kube4c/kube4c/internal/source/manifest"
	"github.com/kube4c/kube4c/internal/testutil"
)

// pssCase is one row of the PSA corpus: a Pod that PSA passes or fails at a
// level and version.
type pssCase struct {
	path, level, version string
	fail                 bool
}

// readPSSCorpus reads psa/manifest.csv below the corpus root.
func readPSSCorpus(t *testing.T, dir string) []pssCase {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil || len(records) < 2 {
		t.Fatalf("manifest.csv: %v (%d records)", err, len(records))
	}
	col := map[string]int{}
	for i, name := range records[0] {
		col[name] = i
	}
	for _, name := range []string{"path", "level", "version", "expected"} {
		if _, ok := col[name]; !ok {
			t.Fatalf("manifest.csv has no %s column", name)
		}
	}
	cases := make([]pssCase, 0, len(records)-1)
	for _, r := range records[1:] {
		expected := r[col["expected"]]
		if expected != "pass" && expected != "fail" {
			t.Fatalf("%s: expected is %q", r[col["path"]], expected)
		}
		cases = append(cases, pssCase{
			path:    filepath.Join(dir, filepath.FromSlash(r[col["path"]])),
			level:   r[col["level"]],
			version: r[col["version"]],
			fail:    expected == "fail",
		})
	}
	return cases
}

// pssWrappers are the workload kinds each corpus Pod is also wrapped in.
var pssWrappers = []string{"Deployment", "CronJob", "DaemonSet"}

// pssWrap returns the pod's metadata and spec as the pod template of a
// workload of the kind. The spec is shared, not copied: checks only read.
func pssWrap(pod *corev1.Pod, kind string) *inventory.Object {
	tmpl := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: pod.Labels, Annotations: pod.Annotations},
		Spec:       pod.Spec,
	}
	meta := metav1.ObjectMeta{Name: pod.Name}
	var obj inventory.Object
	switch kind {
	case "Deployment":
		d := &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Template: tmpl}}
		obj = inventory.Object{GVK: appsv1.SchemeGroupVersion.WithKind(kind), Obj: d, Meta: d}
	case "DaemonSet":
		d := &appsv1.DaemonSet{ObjectMeta: meta, Spec: appsv1.DaemonSetSpec{Template: tmpl}}
		obj = inventory.Object{GVK: appsv1.SchemeGroupVersion.WithKind(kind), Obj: d, Meta: d}
	case "CronJob":
		c := &batchv1.CronJob{ObjectMeta: meta, Spec: batchv1.CronJobSpec{
			Schedule:    "@daily",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: tmpl}},
		}}
		obj = inventory.Object{GVK: batchv1.SchemeGroupVersion.WithKind(kind), Obj: c, Meta: c}
	default:
		panic("no wrapper for " + kind)
	}
	return &obj
}

// pssRelative describes a finding independently of the workload kind: its
// path relative to the pod metadata or spec, its container and message.
func pssRelative(w *inventory.Workload, f *check.Finding) string {
	path := f.Path
	switch {
	case strings.HasPrefix(path, w.SpecPath):
		path = "$spec" + strings.TrimPrefix(path, w.SpecPath)
	case strings.HasPrefix(path, w.MetaPath):
		path = "$meta" + strings.TrimPrefix(path, w.MetaPath)
	}
	return fmt.Sprintf("%s [%s] %s", path, f.Container, f.Message)
}

// TestPSSConformance runs pss-baseline and pss-restricted over the PSA
// corpus: every Pod must pass or fail as PSA's own fixtures say, at the
// row's level and version, and so must the same pod as the template of a
// Deployment, a CronJob and a DaemonSet, with the same findings.
func TestPSSConformance(t *testing.T) {
	start := time.Now()
	dir := filepath.Join(testutil.CorpusDir(t), "psa")
	cases := readPSSCorpus(t, dir)

	// Load every fixture once, decoding in parallel.
	var paths []string
	seen := map[string]bool{}
	for _, c := range cases {
		if !seen[c.path] {
			seen[c.path] = true
			paths = append(paths, c.path)
		}
	}
	res := manifest.Load(paths, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatalf("%d fixtures do not load, first: %v", len(res.Errors), res.Errors[0])
	}
	pods := map[string]*inventory.Object{}
	for _, o := range res.Objects {
		if _, ok := o.Obj.(*corev1.Pod); !ok || pods[o.Source.File] != nil {
			t.Fatalf("%s: want one Pod per fixture", o.Source.File)
		}
		pods[o.Source.File] = o
	}
	loaded := time.Since(start)

	checks := map[string]*check.Check{"baseline": check.Default.Get(PSSBaselineID), "restricted": check.Default.Get(PSSRestrictedID)}
	problems := make([][]string, len(cases))
	parallel.For(len(cases), func(i int) {
		problems[i] = pssConformance(cases[i], pods[cases[i].path], checks[cases[i].level])
	})

	agree, wrappedAgree, shown := 0, 0, 0
	for i, p := range problems {
		if len(p) == 0 {
			agree++
			wrappedAgree++
			continue
		}
		if !strings.HasPrefix(p[0], "Pod:") {
			agree++
		}
		if shown < 20 {
			shown++
			rel, _ := filepath.Rel(dir, cases[i].path)
			t.Errorf("%s at %s %s:\n  %s", rel, cases[i].level, cases[i].version, strings.Join(p, "\n  "))
		}
	}
	t.Logf("Pods: %d of %d agree with PSA (verdict, and findings attributed as PSA evaluates); as Deployment, CronJob and DaemonSet too: %d of %d (load %v, total %v)",
		agree, len(cases), wrappedAgree, len(cases), loaded.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if len(cases) != 4537 {
		t.Errorf("the corpus has %d rows, want 4537", len(cases))
	}
}

// pssFullEvaluator is PSA's evaluator of all its default checks.
var pssFullEvaluator = sync.OnceValue(func() policy.Evaluator {
	e, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		panic(err)
	}
	return e
})

// pssAttribution compares the results the checks attribute to each PSA
// check with those of PSA's own evaluator: same results, same order.
func pssAttribution(c pssCase, pod *corev1.Pod) string {
	level, err := api.ParseLevel(c.level)
	if err != nil {
		return err.Error()
	}
	version, err := parsePSSVersion(c.version)
	if err != nil {
		return err.Error()
	}
	lv := api.LevelVersion{Level: level, Version: version}
	var want, got []policy.CheckResult
	for _, r := range pssFullEvaluator().EvaluatePod(lv, &pod.ObjectMeta, podsecurity.Defaulted(&pod.Spec)) {
		if !r.Allowed {
			want = append(want, r)
		}
	}
	inv := inventory.New([]*inventory.Object{{Obj: pod, Meta: pod}})
	for _, r := range podsecurity.New(inv).Forbidden(nil, lv, inv.Workloads()[0]) {
		got = append(got, r.CheckResult)
	}
	if !slices.Equal(got, want) {
		return fmt.Sprintf("results by check %v differ from PSA's %v", got, want)
	}
	return ""
}

// pssConformance runs c's check over pod and its wrappers and describes
// every disagreement with the expected verdict, the Pod's first.
func pssConformance(c pssCase, pod *inventory.Object, chk *check.Check) []string {
	if pod == nil || chk == nil {
		return []string{fmt.Sprintf("Pod: no fixture or no check for level %q", c.level)}
	}
	if err := ValidatePSSVersion(c.version); err != nil {
		return []string{"Pod: " + err.Error()}
	}
	if p := pssAttribution(c, pod.Obj.(*corev1.Pod)); p != "" {
		return []string{"Pod: " + p}
	}
	objects := []*inventory.Object{pod}
	for _, kind := range pssWrappers {
		objects = append(objects, pssWrap(pod.Obj.(*corev1.Pod), kind))
	}
	inv := inventory.New(objects)
	findings, failures, _ := check.Run(context.Background(), inv, []*check.Check{chk}, check.Env{Settings: PSSVersionSettings(nil, c.version)})
	if len(failures) > 0 {
		return []string{"Pod: " + failures[0].Err.Error()}
	}
	byObject := map[*inventory.Object][]string{}
	for _, w := range inv.Workloads() {
		for _, f := range findings {
			if f.Object == w.Object {
				byObject[w.Object] = append(byObject[w.Object], pssRelative(w, f))
				if w.Object == pod && f.Location.Line == 0 {
					return []string{"Pod: finding without a line: " + f.Path}
				}
			}
		}
	}
	var out []string
	want := strings.Join(byObject[pod], "\n")
	for _, o := range objects {
		got := byObject[o]
		switch {
		case (len(got) > 0) != c.fail:
			out = append(out, fmt.Sprintf("%s: %d findings, want fail=%v: %s", o.Kind(), len(got), c.fail, strings.Join(got, "; ")))
		case o != pod && strings.Join(got, "\n") != want:
			out = append(out, fmt.Sprintf("%s: findings differ from the Pod's:\n    %s\n  want\n    %s", o.Kind(), strings.Join(got, "\n    "), strings.ReplaceAll(want, "\n", "\n    ")))
		}
	}
	return out
}
