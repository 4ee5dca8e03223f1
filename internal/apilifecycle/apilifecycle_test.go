package apilifecycle

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func gvk(apiVersion, kind string) schema.GroupVersionKind {
	gv, _ := schema.ParseGroupVersion(apiVersion)
	return gv.WithKind(kind)
}

// The migrations of the deprecated API migration guide, from the generated
// lifecycle of k8s.io/api and the table of kinds it no longer has.
func TestGuideMigrations(t *testing.T) {
	for _, c := range []struct {
		apiVersion, kind, deprecated, removed, replacement, instead string
	}{
		{"extensions/v1beta1", "DaemonSet", "1.8", "1.16", "apps/v1, Kind=DaemonSet", ""},
		{"apps/v1beta2", "Deployment", "1.9", "1.16", "apps/v1, Kind=Deployment", ""},
		{"extensions/v1beta1", "NetworkPolicy", "1.9", "1.16", "networking.k8s.io/v1, Kind=NetworkPolicy", ""},
		{"networking.k8s.io/v1beta1", "IngressClass", "1.19", "1.22", "networking.k8s.io/v1, Kind=IngressClass", ""},
		{"rbac.authorization.k8s.io/v1beta1", "ClusterRole", "1.17", "1.22", "rbac.authorization.k8s.io/v1, Kind=ClusterRole", ""},
		{"apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "1.16", "1.22", "apiextensions.k8s.io/v1, Kind=CustomResourceDefinition", ""},
		{"batch/v1beta1", "CronJob", "1.21", "1.25", "batch/v1, Kind=CronJob", ""},
		{"policy/v1beta1", "PodDisruptionBudget", "1.21", "1.25", "policy/v1, Kind=PodDisruptionBudget", ""},
		{"policy/v1beta1", "PodSecurityPolicy", "1.21", "1.25", "", "Pod Security Admission"},
		{"extensions/v1beta1", "PodSecurityPolicy", "0.0", "1.16", "", "Pod Security Admission"},
		{"node.k8s.io/v1beta1", "RuntimeClass", "1.22", "1.25", "node.k8s.io/v1, Kind=RuntimeClass", ""},
		{"events.k8s.io/v1beta1", "Event", "1.22", "1.25", "events.k8s.io/v1, Kind=Event", ""},
		{"autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.23", "1.26", "autoscaling/v2, Kind=HorizontalPodAutoscaler", ""},
		{"storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.24", "1.27", "storage.k8s.io/v1, Kind=CSIStorageCapacity", ""},
		{"flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1, Kind=FlowSchema", ""},
		{"flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", "1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1, Kind=PriorityLevelConfiguration", ""},
		{"v1", "Endpoints", "1.33", "0.0", "discovery.k8s.io/v1, Kind=EndpointSlice", ""},
	} {
		s, ok := Of(gvk(c.apiVersion, c.kind))
		if !ok {
			t.Errorf("%s %s: not known as deprecated", c.apiVersion, c.kind)
			continue
		}
		got := []string{s.Deprecated.String(), s.Removed.String(), s.Replacement.String()}
		want := []string{c.deprecated, c.removed, c.replacement}
		if c.replacement == "" {
			got[2], want[2] = s.Replacement.Kind, ""
		}
		if got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || !regexp.MustCompile(regexp.QuoteMeta(c.instead)).MatchString(s.Instead) {
			t.Errorf("%s %s: %v instead %q, want %v instead ~%q", c.apiVersion, c.kind, got, s.Instead, want, c.instead)
		}
	}
	for _, served := range [][2]string{{"apps/v1", "DaemonSet"}, {"policy/v1", "PodDisruptionBudget"}, {"v1", "Pod"}, {"example.com/v1beta1", "Widget"}, {"autoscaling/v2", "HorizontalPodAutoscaler"}} {
		if s, ok := Of(gvk(served[0], served[1])); ok {
			t.Errorf("%s %s reported deprecated: %+v", served[0], served[1], s)
		}
	}
}

func TestGoneKindsAreNotInTheScheme(t *testing.T) {
	for g := range gone {
		if _, ok := generated(g); ok {
			t.Errorf("%s has a Go type with its own lifecycle now: drop it from gone", g)
		}
	}
	if !Gone(gvk("policy/v1beta1", "PodSecurityPolicy")) || Gone(gvk("policy/v1beta1", "PodDisruptionBudget")) {
		t.Error("Gone is wrong about PodSecurityPolicy or PodDisruptionBudget")
	}
}

// Latest follows the k8s.io/api version kube4c is built with.
func TestLatestIsTheBuiltInAPI(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*k8s\.io/api v0\.(\d+)\.`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("no k8s.io/api in go.mod")
	}
	if minor, _ := strconv.Atoi(string(m[1])); (Latest != Version{1, minor}) {
		t.Errorf("Latest is %s, but kube4c is built with the API of 1.%d", Latest, minor)
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]string{"1.25": "1.25", "v1.30": "1.30", "1.29.4": "1.29", " 1.7 ": "1.7"} {
		if v, err := ParseVersion(in); err != nil || v.String() != want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %s", in, v, err, want)
		}
	}
	for _, bad := range []string{"", "1", "latest", "1.x", "0.9", "-1.2"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
}
