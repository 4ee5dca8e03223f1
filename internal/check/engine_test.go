package check

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
	"github.com/kube4c/kube4c/internal/position"
)

// testCheck returns a check with the ID that runs run.
func testCheck(id string, run func(*Context)) *Check {
	return &Check{Meta: Meta{ID: id, Severity: Medium, Layer: LayerContainer, Remediation: "fix " + id}, Run: run}
}

// run runs checks over inv with a background context.
func run(t *testing.T, inv *inventory.Inventory, checks []*Check, env Env) ([]*Finding, []Failure) {
	t.Helper()
	got, failures, err := Run(context.Background(), inv, checks, env)
	if err != nil {
		t.Fatal(err)
	}
	return got, failures
}

// pods returns n pods named p0000... with containers a and b, each located
// in f.yaml at line 10*i+1.
func pods(n int) []*inventory.Object {
	var objects []*inventory.Object
	for i := range n {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%04d", i), Namespace: "ns"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}, {Name: "b"}}}}
		ix := position.NewBuilder(position.Mapping, 10*i+1, 1).Index()
		objects = append(objects, &inventory.Object{GVK: corev1.SchemeGroupVersion.WithKind("Pod"), Obj: pod, Meta: &pod.ObjectMeta,
			Source: inventory.Source{File: "f.yaml", Positions: ix}})
	}
	return objects
}

// Run returns findings ordered by file, line, column, check ID, object and
// path, equal findings in the order the check reported them, whatever the
// order the checks ran and reported in.
func TestRunOrdersFindings(t *testing.T) {
	pod := func(name string) *inventory.Object {
		return &inventory.Object{Obj: &corev1.Pod{}, Meta: &metav1.ObjectMeta{Name: name, Namespace: "ns"}}
	}
	a, b := pod("a"), pod("b")
	at := func(file string, line, col int) inventory.Location {
		return inventory.Location{File: file, Line: line, Column: col}
	}
	reports := map[string][]Finding{
		"zeta": {
			{Object: a, Path: "p", Location: at("b.yaml", 1, 1), Message: "zeta b.yaml:1:1"},
			{Object: a, Path: "p", Location: at("a.yaml", 9, 1), Message: "zeta a.yaml:9:1"},
		},
		"alpha": {
			{Object: b, Path: "p", Location: at("a.yaml", 9, 1), Message: "alpha a.yaml:9:1 b"},
			{Object: a, Path: "q", Location: at("a.yaml", 9, 1), Message: "alpha a.yaml:9:1 a q"},
			{Object: a, Path: "p", Location: at("a.yaml", 9, 1), Message: "alpha a.yaml:9:1 a p first"},
			{Object: a, Path: "p", Location: at("a.yaml", 9, 1), Message: "alpha a.yaml:9:1 a p second"},
			{Object: a, Path: "p", Location: at("a.yaml", 10, 2), Message: "alpha a.yaml:10:2"},
			{Object: a, Path: "p", Location: at("a.yaml", 9, 0), Message: "alpha a.yaml:9:0"},
			{Message: "alpha without a file"},
		},
	}
	var checks []*Check
	for _, id := range []string{"zeta", "alpha"} {
		checks = append(checks, testCheck(id, func(ctx *Context) {
			for _, f := range reports[id] {
				ctx.ReportFinding(f)
			}
		}))
	}
	got, failures := run(t, inventory.New(nil), checks, Env{})
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	var lines []string
	for _, f := range got {
		lines = append(lines, fmt.Sprintf("%s: %s", f.CheckID, f.Message))
	}
	want := []string{
		"alpha: alpha without a file",
		"alpha: alpha a.yaml:9:0",
		"alpha: alpha a.yaml:9:1 a p first",
		"alpha: alpha a.yaml:9:1 a p second",
		"alpha: alpha a.yaml:9:1 a q",
		"alpha: alpha a.yaml:9:1 b",
		"zeta: zeta a.yaml:9:1",
		"alpha: alpha a.yaml:10:2",
		"zeta: zeta b.yaml:1:1",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("order:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// On many findings, with files mixed in every check, Run orders them as a
// plain stable sort of the run's findings does.
func TestRunOrdersManyFindings(t *testing.T) {
	objects := []*inventory.Object{}
	for _, name := range []string{"x", "y", "z"} {
		objects = append(objects, &inventory.Object{Obj: &corev1.Pod{}, Meta: &metav1.ObjectMeta{Name: name}})
	}
	files := []string{"d.yaml", "b.yaml", "", "a.yaml", "c.yaml"}
	const perCheck = 20011
	var checks []*Check
	var reported []Finding // in run order, check by check
	for _, id := range []string{"beta", "alpha", "gamma"} {
		r := rand.New(rand.NewPCG(uint64(len(id)), 7))
		var own []Finding
		for i := range perCheck {
			at := inventory.Location{File: files[r.IntN(len(files))], Line: r.IntN(40), Column: r.IntN(3)}
			if at.File == "" {
				at = inventory.Location{} // what locating an object without a file gives
			}
			own = append(own, Finding{CheckID: id, Object: objects[r.IntN(len(objects))], Path: fmt.Sprint(r.IntN(3)), Location: at, Message: fmt.Sprint(id, i)})
		}
		reported = append(reported, own...)
		checks = append(checks, testCheck(id, func(ctx *Context) {
			for _, f := range own {
				ctx.ReportFinding(f)
			}
		}))
	}
	got, failures := run(t, inventory.New(nil), checks, Env{})
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	want := slices.Clone(reported)
	slices.SortStableFunc(want, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Location.File, b.Location.File), cmp.Compare(a.Location.Line, b.Location.Line),
			cmp.Compare(a.Location.Column, b.Location.Column), strings.Compare(a.CheckID, b.CheckID),
			strings.Compare(a.Object.Name(), b.Object.Name()), strings.Compare(a.Path, b.Path))
	})
	if len(got) != len(want) {
		t.Fatalf("%d findings, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Message != want[i].Message {
			t.Fatalf("finding %d is %s (%s), want %s (%s)", i, got[i].Message, got[i].Location, want[i].Message, want[i].Location)
		}
	}
}

// A container rule is called for every container of every workload, in
// order; its findings name the workload and the container, are located,
// and take severity and remediation from the check; a rule that panics
// fails its check alone.
func TestPerContainer(t *testing.T) {
	objects := pods(300)
	every := testCheck("every", PerContainer(func(ctx *Context, w *inventory.Workload, c inventory.Container) {
		ctx.ReportContainer(w, c, c.Path+".image", w.Object.Name()+"/"+c.Name)
	}))
	panics := testCheck("panics", PerContainer(func(ctx *Context, w *inventory.Workload, c inventory.Container) {
		ctx.ReportContainer(w, c, c.Path, "reported before the panic")
		if w.Object.Name() == "p0201" {
			panic("boom")
		}
	}))
	got, failures := run(t, inventory.New(objects), []*Check{every, panics}, Env{})
	if len(failures) != 1 || failures[0].CheckID != "panics" || !strings.Contains(failures[0].Err.Error(), "boom") {
		t.Fatalf("failures %v, want one of check panics", failures)
	}
	if len(got) != 2*len(objects) {
		t.Fatalf("%d findings, want %d", len(got), 2*len(objects))
	}
	for i, f := range got {
		want := fmt.Sprintf("p%04d/%s", i/2, []string{"a", "b"}[i%2])
		switch {
		case f.CheckID != "every" || f.Message != want || f.Container != want[len(want)-1:]:
			t.Fatalf("finding %d: %s %q (container %q), want every %q", i, f.CheckID, f.Message, f.Container, want)
		case f.Object != objects[i/2] || f.Path != fmt.Sprintf("spec.containers[%d].image", i%2):
			t.Fatalf("finding %d about %s at %s", i, f.Object.Name(), f.Path)
		case f.Location != (inventory.Location{File: "f.yaml", Line: 10*(i/2) + 1, Column: 1}):
			t.Fatalf("finding %d located at %s", i, f.Location)
		case f.Severity != Medium || f.Layer != LayerContainer || f.Remediation != "fix every":
			t.Fatalf("finding %d did not take its check's metadata: %+v", i, *f)
		}
	}
}

// A finding keeps the severity and remediation it was reported with.
func TestReportFindingKeepsWhatItSets(t *testing.T) {
	c := testCheck("own", func(ctx *Context) {
		ctx.ReportFinding(Finding{Message: "own", Severity: Critical, Remediation: "something else"})
	})
	got, _ := run(t, inventory.New(nil), []*Check{c}, Env{})
	if len(got) != 1 || got[0].Severity != Critical || got[0].Remediation != "something else" || got[0].CheckID != "own" {
		t.Fatalf("got %+v", got)
	}
}

// A cancelled context stops a run: Run returns the context's error and
// no findings, and PerWorkload stops asking its rule.
func TestRunCancelled(t *testing.T) {
	objects := pods(2000)
	ctx, cancel := context.WithCancel(context.Background())
	seen := 0
	stops := testCheck("stops", PerWorkload(func(ctx *Context, w *inventory.Workload) {
		seen++
		if seen == 10 {
			cancel()
		}
		ctx.Report(w.Object, "", "seen")
	}))
	got, failures, err := Run(ctx, inventory.New(objects), []*Check{stops}, Env{})
	if err != context.Canceled || got != nil || failures != nil {
		t.Fatalf("Run returned %d findings, %v, %v; want context.Canceled alone", len(got), failures, err)
	}
	if seen >= len(objects) {
		t.Errorf("the rule saw all %d workloads after the context was cancelled", seen)
	}
}

// Checks that ask for the same engine at the same time get one engine,
// built once; a run given the engines of an earlier one reuses them.
func TestEnginesSharedOnce(t *testing.T) {
	inv := inventory.New(pods(50))
	var mu sync.Mutex
	seen := map[*netpol.Engine]int{}
	var checks []*Check
	for i := range 20 {
		checks = append(checks, testCheck(fmt.Sprint("c", i), func(ctx *Context) {
			e := ctx.NetworkPolicies()
			mu.Lock()
			seen[e]++
			mu.Unlock()
		}))
	}
	engines := NewEngines(inv, EngineOptions{})
	run(t, inv, checks, Env{Engines: engines})
	run(t, inv, checks, Env{Engines: engines})
	if len(seen) != 1 {
		t.Fatalf("%d engines built, want 1", len(seen))
	}
	for _, n := range seen {
		if n != 40 {
			t.Errorf("the engine served %d checks, want 40", n)
		}
	}
	run(t, inv, checks[:1], Env{})
	if len(seen) != 2 {
		t.Errorf("a run without engines reused an earlier run's")
	}
}

func TestGroupByObject(t *testing.T) {
	a, b := &inventory.Object{}, &inventory.Object{}
	fs := []*Finding{{Object: a}, {Object: b}, {Object: nil}, {Object: a}, {Object: b}, {Object: a}}
	order, bounds := GroupByObject(fs)
	if want := []int{0, 3, 5, 1, 4, 2}; !slices.Equal(order, want) {
		t.Errorf("order = %v, want %v", order, want)
	}
	if want := []int{0, 3, 5, 6}; !slices.Equal(bounds, want) {
		t.Errorf("bounds = %v, want %v", bounds, want)
	}
}
