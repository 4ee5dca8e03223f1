package check

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/position"
)

func daemonSet(ns, name, ignore string) *inventory.Object {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	if ignore != "" {
		ds.Annotations = map[string]string{IgnoreAnnotation: ignore}
	}
	return &inventory.Object{GVK: appsv1.SchemeGroupVersion.WithKind("DaemonSet"), Obj: ds, Meta: ds}
}

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestApplyExceptions(t *testing.T) {
	calico := daemonSet("kube-system", "calico-node", "")
	annotated := daemonSet("apps", "agent", " host-pid ,privileged-container:agent, run-as-root : sidecar ,")
	src := func(line int) inventory.Location {
		return inventory.Location{File: ".kube4c.yaml", Line: line, Column: 5}
	}
	exceptions := []Exception{
		{Checks: []string{"privileged-container", "host-pid"}, Kinds: []string{"DaemonSet"}, Namespaces: []string{"kube-*"},
			Names: []string{"calico-*"}, Containers: []string{"calico-node"}, Reason: "CNI", Source: src(10)},
		{Checks: []string{"image-latest-tag"}, Reason: "old", Expires: now.Add(-time.Second), Source: src(20)},
		{Checks: []string{"image-latest-tag"}, Names: []string{"calico-?ode"}, Reason: "still valid", Expires: now.Add(time.Hour), Source: src(30)},
		{Checks: []string{"*"}, Containers: []string{"debug"}, Reason: "debug containers", Source: src(40)},
		{Checks: []string{"exception-expired"}, Reason: "reviewed", Source: src(50)},
		{Checks: []string{"config-only"}, Namespaces: []string{"*"}, Reason: "needs an object", Source: src(60)},
	}
	annotation := "DaemonSet/apps/agent metadata.annotations[kube4c.io/ignore]"
	tests := []struct {
		name    string
		finding Finding
		want    *Suppression // nil: kept
	}{
		{"all lists match", Finding{CheckID: "host-pid", Object: calico, Container: "calico-node"}, &Suppression{Kind: "config", Reason: "CNI", Source: ".kube4c.yaml:10"}},
		{"container list does not cover a pod-level finding", Finding{CheckID: "host-pid", Object: calico}, nil},
		{"other container", Finding{CheckID: "privileged-container", Object: calico, Container: "install-cni"}, nil},
		{"check not listed", Finding{CheckID: "run-as-root", Object: calico, Container: "calico-node"}, nil},
		{"namespace glob misses", Finding{CheckID: "host-pid", Object: daemonSet("default", "calico-node", ""), Container: "calico-node"}, nil},
		{"expired exception is skipped for the next", Finding{CheckID: "image-latest-tag", Object: calico}, &Suppression{Kind: "config", Reason: "still valid", Source: ".kube4c.yaml:30"}},
		{"expired exception alone", Finding{CheckID: "image-latest-tag", Object: daemonSet("x", "other", "")}, nil},
		{"star covers every check", Finding{CheckID: "anything", Object: calico, Container: "debug"}, &Suppression{Kind: "config", Reason: "debug containers", Source: ".kube4c.yaml:40"}},
		{"object-less finding", Finding{CheckID: "exception-expired"}, &Suppression{Kind: "config", Reason: "reviewed", Source: ".kube4c.yaml:50"}},
		{"object-less finding needs empty object lists", Finding{CheckID: "config-only"}, nil},
		{"annotation", Finding{CheckID: "host-pid", Object: annotated}, &Suppression{Kind: "annotation", Source: annotation}},
		{"annotation with container", Finding{CheckID: "privileged-container", Object: annotated, Container: "agent"}, &Suppression{Kind: "annotation", Source: annotation}},
		{"annotation for another container", Finding{CheckID: "privileged-container", Object: annotated, Container: "sidecar"}, nil},
		{"annotation with container, pod-level finding", Finding{CheckID: "privileged-container", Object: annotated}, nil},
		{"annotation with spaces around the colon", Finding{CheckID: "run-as-root", Object: annotated, Container: "sidecar"}, &Suppression{Kind: "annotation", Source: annotation}},
		{"annotation does not cover other checks", Finding{CheckID: "image-latest-tag", Object: annotated}, nil},
	}
	findings := make([]*Finding, len(tests))
	for i, tt := range tests {
		f := tt.finding
		f.Message = tt.name
		findings[i] = &f
	}
	kept, suppressed := ApplyExceptions(findings, exceptions, now)
	got := map[string]*Suppression{}
	for _, f := range kept {
		got[f.Message] = nil
	}
	for _, f := range suppressed {
		got[f.Message] = f.Suppressed
	}
	if len(got) != len(tests) {
		t.Fatalf("got %d findings back, want %d", len(got), len(tests))
	}
	for _, tt := range tests {
		if g := got[tt.name]; (g == nil) != (tt.want == nil) || g != nil && *g != *tt.want {
			t.Errorf("%s: suppression %+v, want %+v", tt.name, g, tt.want)
		}
	}
}

func TestApplyExceptionsKeepsOrder(t *testing.T) {
	var findings []*Finding
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		findings = append(findings, &Finding{CheckID: id})
	}
	kept, suppressed := ApplyExceptions(findings, []Exception{{Checks: []string{"b", "d"}, Reason: "r"}}, now)
	if ids(kept) != "a c e" || ids(suppressed) != "b d" {
		t.Errorf("kept %s, suppressed %s", ids(kept), ids(suppressed))
	}
}

func ids(fs []*Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.CheckID)
	}
	return strings.Join(out, " ")
}

func TestExpired(t *testing.T) {
	for _, tt := range []struct {
		expires time.Time
		want    bool
	}{
		{time.Time{}, false},
		{now.Add(-time.Nanosecond), true},
		{now, false},
		{now.Add(time.Hour), false},
	} {
		e := Exception{Expires: tt.expires}
		if got := e.Expired(now); got != tt.want {
			t.Errorf("Expired with expires %v = %v, want %v", tt.expires, got, tt.want)
		}
	}
}

func TestAnnotationProblems(t *testing.T) {
	var known Known
	for _, id := range []string{"host-pid", "privileged-container"} {
		known = append(known, &Meta{ID: id})
	}
	ds := daemonSet("apps", "agent", "host-pdi, privileged-container:agent, :agent, zzz-unknown")
	ds.Meta.GetAnnotations()["other"] = "x"
	// Where the annotation stands in ds.yaml: metadata at line 3, its
	// annotations at line 6, kube4c.io/ignore at line 8, column 5.
	b := position.NewBuilder(position.Mapping, 1, 1)
	metadata := b.Children(position.Root, 1)
	b.Set(metadata, position.Mapping, "metadata", 3, 1)
	annotations := b.Children(metadata, 1)
	b.Set(annotations, position.Mapping, "annotations", 6, 3)
	first := b.Children(annotations, 2)
	b.Set(first, position.Scalar, "other", 7, 5)
	b.Set(first+1, position.Scalar, IgnoreAnnotation, 8, 5)
	ds.Source = inventory.Source{File: "ds.yaml", Positions: b.Index()}
	plain := daemonSet("apps", "fine", "host-pid")
	problems := AnnotationProblems(inventory.New([]*inventory.Object{ds, plain}), known)
	want := []string{
		`ds.yaml:8:5 DaemonSet/apps/agent: entry ":agent" of annotation kube4c.io/ignore should be "check-id" or "check-id:container"`,
		`ds.yaml:8:5 DaemonSet/apps/agent: annotation kube4c.io/ignore names unknown check "host-pdi" (did you mean "host-pid"?)`,
		`ds.yaml:8:5 DaemonSet/apps/agent: annotation kube4c.io/ignore names unknown check "zzz-unknown"`,
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.Location.String()+" "+p.Object.Ref().String()+": "+p.Message)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMayApplyExceptions(t *testing.T) {
	plain := inventory.New([]*inventory.Object{daemonSet("a", "plain", "")})
	annotated := inventory.New([]*inventory.Object{daemonSet("a", "plain", ""), daemonSet("a", "agent", "host-pid")})
	for _, tt := range []struct {
		name       string
		inv        *inventory.Inventory
		exceptions []Exception
		want       bool
	}{
		{"nothing to apply", plain, nil, false},
		{"an ignore annotation", annotated, nil, true},
		{"a config exception", plain, []Exception{{Checks: []string{"*"}}}, true},
	} {
		if got := MayApplyExceptions(tt.inv, tt.exceptions); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
