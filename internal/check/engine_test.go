package check

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/position"
)

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
		checks = append(checks, &Check{ID: id, Run: func(ctx *Context) {
			for _, f := range reports[id] {
				ctx.ReportFinding(f)
			}
		}})
	}
	got, failures := Run(inventory.New(nil), checks, Env{})
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

// Checks that set Containers run together over blocks of workloads: each
// gets its findings in workload and container order across blocks, and a
// check that panics in one block fails alone.
func TestContainerPass(t *testing.T) {
	var objects []*inventory.Object
	const pods = 3*workloadBlock + 7
	for i := range pods {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%04d", i), Namespace: "ns"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}, {Name: "b"}}}}
		objects = append(objects, &inventory.Object{Obj: pod, Meta: &pod.ObjectMeta})
	}
	inv := inventory.New(objects)
	every := &Check{ID: "every", Containers: func(*Context) ContainerRule {
		return func(w *inventory.Workload, c inventory.Container, report func(string, string)) {
			report(c.Path, w.Object.Name()+"/"+c.Name)
		}
	}}
	panics := &Check{ID: "panics", Containers: func(*Context) ContainerRule {
		return func(w *inventory.Workload, c inventory.Container, report func(string, string)) {
			report(c.Path, "reported before the panic")
			if w.Object.Name() == fmt.Sprintf("p%04d", 2*workloadBlock+1) {
				panic("boom")
			}
		}
	}}
	idle := &Check{ID: "idle", Containers: func(*Context) ContainerRule { return nil }}
	got, failures := Run(inv, []*Check{every, panics, idle}, Env{})
	if len(failures) != 1 || failures[0].CheckID != "panics" || !strings.Contains(failures[0].Err.Error(), "boom") {
		t.Fatalf("failures %v, want one of check panics", failures)
	}
	if len(got) != 2*pods {
		t.Fatalf("%d findings, want %d", len(got), 2*pods)
	}
	// Without files, findings are ordered by object, then path.
	for i, f := range got {
		want := fmt.Sprintf("p%04d/%s", i/2, []string{"a", "b"}[i%2])
		if f.CheckID != "every" || f.Message != want || f.Container != want[len(want)-1:] {
			t.Fatalf("finding %d: %s %q (container %q), want every %q", i, f.CheckID, f.Message, f.Container, want)
		}
	}
}

// On a run larger than one piece of the sort's passes, with files mixed
// in every check, Run orders findings as a plain stable sort does.
func TestRunOrdersManyFindings(t *testing.T) {
	objects := []*inventory.Object{}
	for _, name := range []string{"x", "y", "z"} {
		objects = append(objects, &inventory.Object{Obj: &corev1.Pod{}, Meta: &metav1.ObjectMeta{Name: name}})
	}
	files := []string{"d.yaml", "b.yaml", "", "a.yaml", "c.yaml"}
	const perCheck = 3*sortPiece/2 + 11
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
		checks = append(checks, &Check{ID: id, Run: func(ctx *Context) {
			for _, f := range own {
				ctx.ReportFinding(f)
			}
		}})
	}
	got, failures := Run(inventory.New(nil), checks, Env{})
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

// TestContainerPassRules checks that a worker makes a check's rule once
// and sends each block's findings to that block, and that a rule maker
// that panics fails its check alone.
func TestContainerPassRules(t *testing.T) {
	var objects []*inventory.Object
	const blocks = 40
	for i := range blocks * workloadBlock {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%05d", i)},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}}
		objects = append(objects, &inventory.Object{Obj: pod, Meta: &pod.ObjectMeta})
	}
	inv := inventory.New(objects)
	var made atomic.Int32
	counted := &Check{ID: "counted", Containers: func(*Context) ContainerRule {
		made.Add(1)
		return func(w *inventory.Workload, c inventory.Container, report func(string, string)) {
			report(c.Path, w.Object.Name())
		}
	}}
	broken := &Check{ID: "broken", Containers: func(*Context) ContainerRule { panic("no rule") }}
	got, failures := Run(inv, []*Check{counted, broken}, Env{})
	if len(failures) != 1 || failures[0].CheckID != "broken" || !strings.Contains(failures[0].Err.Error(), "no rule") {
		t.Fatalf("failures %v, want one of check broken", failures)
	}
	if workers := checkWorkersPerCPU * runtime.GOMAXPROCS(0); made.Load() < 1 || int(made.Load()) > min(workers, blocks) {
		t.Errorf("rule made %d times for %d blocks, want at most once per worker (%d)", made.Load(), blocks, workers)
	}
	if len(got) != len(objects) {
		t.Fatalf("%d findings, want %d", len(got), len(objects))
	}
	for i, f := range got {
		if want := objects[i].Name(); f.Message != want {
			t.Fatalf("finding %d is about %s, want %s", i, f.Message, want)
		}
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

// A check that reports in blocks gets its findings in item order, as if
// the blocks had run one after the other, completed from the check; a
// panic in one block fails the check alone.
func TestReportInBlocks(t *testing.T) {
	const items = 1000
	blocks := &Check{ID: "blocks", Severity: Low, Remediation: "fix it", Run: func(ctx *Context) {
		ctx.ReportInBlocks(items, 7, func(lo, hi int, report func(Finding)) {
			for i := lo; i < hi; i++ {
				report(Finding{Message: fmt.Sprint(i)})
			}
		})
	}}
	panics := &Check{ID: "panics", Run: func(ctx *Context) {
		ctx.ReportInBlocks(items, 7, func(lo, hi int, report func(Finding)) {
			report(Finding{Message: "before the panic"})
			if lo <= 500 && 500 < hi {
				panic("boom")
			}
		})
	}}
	got, failures := Run(inventory.New(nil), []*Check{blocks, panics}, Env{})
	if len(failures) != 1 || failures[0].CheckID != "panics" || !strings.Contains(failures[0].Err.Error(), "boom") {
		t.Fatalf("failures %v, want one of check panics", failures)
	}
	if len(got) != items {
		t.Fatalf("%d findings, want %d", len(got), items)
	}
	for i, f := range got {
		if f.CheckID != "blocks" || f.Message != fmt.Sprint(i) || f.Severity != Low || f.Remediation != "fix it" {
			t.Fatalf("finding %d: %+v, want check blocks, message %d, severity low, the check's remediation", i, *f, i)
		}
	}
}

// Buffers filled one after the other from a slab keep their own findings,
// in order, and leave no room unused in their chunks; a buffer that
// outgrows the slab moves on to a new one.
func TestFindingSlab(t *testing.T) {
	var slab findingSlab
	sizes := []int{10, 0, maxChunk + 5, 3}
	buffers := make([]findingBuffer, len(sizes))
	for i, n := range sizes {
		buffers[i].fillFrom(&slab)
		for j := range n {
			buffers[i].add(Finding{CheckID: fmt.Sprint(i), Path: fmt.Sprint(j)})
		}
		buffers[i].detach()
	}
	for i, n := range sizes {
		var got []Finding
		for _, chunk := range buffers[i].chunks {
			if len(chunk) != cap(chunk) {
				t.Errorf("buffer %d: chunk of %d findings has room for %d", i, len(chunk), cap(chunk))
			}
			got = append(got, chunk...)
		}
		if len(got) != n {
			t.Fatalf("buffer %d holds %d findings, want %d", i, len(got), n)
		}
		for j, f := range got {
			if f.CheckID != fmt.Sprint(i) || f.Path != fmt.Sprint(j) {
				t.Fatalf("buffer %d, finding %d is %s/%s", i, j, f.CheckID, f.Path)
			}
		}
	}
	// Appending to a detached buffer must not write into the slab.
	buffers[0].add(Finding{CheckID: "late"})
	buffers[3].fillFrom(&slab)
	buffers[3].add(Finding{CheckID: "3", Path: "3"})
	buffers[3].detach()
	if f := buffers[0].chunks[0][9]; f.Path != "9" {
		t.Errorf("buffer 0 was overwritten: %+v", f)
	}
	// A buffer attached again without adding leaves the slab as it was.
	free := len(slab.free)
	buffers[1].fillFrom(&slab)
	buffers[1].detach()
	buffers[2].fillFrom(&slab)
	buffers[2].detach()
	if len(slab.free) != free {
		t.Errorf("slab has %d findings free, want %d", len(slab.free), free)
	}
}

// Findings a check reports before, through and after ReportInBlocks are
// all located, each once, whichever pass locates them.
func TestRunLocatesEveryFinding(t *testing.T) {
	var objects []*inventory.Object
	for i := range 50 {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint(i)}}
		ix := position.NewBuilder(position.Mapping, 10*i+1, 1).Index()
		objects = append(objects, &inventory.Object{Obj: pod, Meta: &pod.ObjectMeta, Source: inventory.Source{File: "f.yaml", Positions: ix}})
	}
	mixed := &Check{ID: "mixed", Run: func(ctx *Context) {
		ctx.Report(objects[0], "", "before")
		ctx.ReportInBlocks(len(objects), 7, func(lo, hi int, report func(Finding)) {
			for _, o := range objects[lo:hi] {
				report(Finding{Object: o, Message: "in blocks"})
			}
		})
		ctx.Report(objects[49], "", "after")
	}}
	got, failures := Run(inventory.New(objects), []*Check{mixed}, Env{})
	if len(failures) != 0 || len(got) != len(objects)+2 {
		t.Fatalf("%d findings, failures %v; want %d findings", len(got), failures, len(objects)+2)
	}
	for _, f := range got {
		if want := 10*slices.Index(objects, f.Object) + 1; f.Location.Line != want || f.Location.File != "f.yaml" {
			t.Errorf("%s finding about %s at %s, want line %d", f.Message, f.Object.Name(), f.Location, want)
		}
	}
}

// The container pass locates the findings of every check about every
// workload of a block, whichever workloads each check reports on.
func TestContainerPassLocates(t *testing.T) {
	var objects []*inventory.Object
	for i := range workloadBlock + 40 {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint(i)}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}, {Name: "b"}}}}
		ix := position.NewBuilder(position.Mapping, 10*i+1, 1).Index()
		objects = append(objects, &inventory.Object{Obj: pod, Meta: &pod.ObjectMeta, Source: inventory.Source{File: "f.yaml", Positions: ix}})
	}
	every := &Check{ID: "every", Containers: func(*Context) ContainerRule {
		return func(w *inventory.Workload, c inventory.Container, report func(string, string)) {
			report(c.Path, "every")
		}
	}}
	some := &Check{ID: "some", Containers: func(*Context) ContainerRule {
		return func(w *inventory.Workload, c inventory.Container, report func(string, string)) {
			if n := slices.Index(objects, w.Object); n%3 == 0 && c.Name == "b" || n%7 == 0 {
				report(c.Path, "some")
			}
		}
	}}
	got, failures := Run(inventory.New(objects), []*Check{every, some}, Env{})
	if len(failures) != 0 || len(got) < 2*len(objects) {
		t.Fatalf("%d findings, failures %v", len(got), failures)
	}
	for _, f := range got {
		if want := 10*slices.Index(objects, f.Object) + 1; f.Location.Line != want {
			t.Fatalf("%s finding about %s at %s, want line %d", f.CheckID, f.Object.Name(), f.Location, want)
		}
	}
}
