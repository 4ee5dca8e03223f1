package catalog

import (
	"maps"
	"strings"
	"testing"
)

func TestRuntimeClassMissing(t *testing.T) {
	cfg := `settings:
  runtime-class-missing:
    untrustedNamespaces: [sandbox]
    untrustedSelectors: ["isolation=untrusted"]
    allowedRuntimeClasses: [gvisor, kata]
`
	pod := func(ns, labels, runtimeClass string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: " + ns + ", labels: {" + labels + "}}\nspec:\n" + runtimeClass + "  containers: [{name: a, image: x}]\n"
	}
	expectFindings(t, scanWithSettings(t, "runtime-class-missing", pod("sandbox", "", ""), cfg), "spec.runtimeClassName")
	expectFindings(t, scanWithSettings(t, "runtime-class-missing", pod("apps", "isolation: untrusted", "  runtimeClassName: runc\n"), cfg), "spec.runtimeClassName")
	expectFindings(t, scanWithSettings(t, "runtime-class-missing", workload("CronJob", "runtimeClassName: runc\ncontainers: [{name: a, image: x}]")+"", `settings:
  runtime-class-missing: {untrustedNamespaces: [ns], allowedRuntimeClasses: [kata]}
`), "spec.jobTemplate.spec.template.spec.runtimeClassName")
	// Near misses: sandboxed, or outside the untrusted scope, or not configured.
	expectFindings(t, scanWithSettings(t, "runtime-class-missing", pod("sandbox", "", "  runtimeClassName: gvisor\n"), cfg))
	expectFindings(t, scanWithSettings(t, "runtime-class-missing", pod("apps", "isolation: trusted", ""), cfg))
	expectFindings(t, scanText(t, "runtime-class-missing", pod("sandbox", "", "")))
}

func TestImageUntrustedRegistry(t *testing.T) {
	cfg := "settings:\n  image-untrusted-registry:\n    allowedRegistries: [registry.example.com, ghcr.io/example-org/, docker.io/library]\n"
	spec := `containers:
  - {name: a, image: registry.example.com/team/app:1}
  - {name: b, image: ghcr.io/example-org/tool:2}
  - {name: c, image: nginx:1.27}
  - {name: d, image: ghcr.io/example-organisation/evil:1}
  - {name: e, image: quay.io/x/y:1}
  - {name: f, image: registry.example.com.evil.io/app:1}`
	expectFindings(t, scanWithSettings(t, "image-untrusted-registry", workload("Deployment", spec), cfg),
		"spec.template.spec.containers[3].image", "spec.template.spec.containers[4].image", "spec.template.spec.containers[5].image")
	expectFindings(t, scanText(t, "image-untrusted-registry", workload("Deployment", spec)))
}

func TestProbes(t *testing.T) {
	spec := "initContainers: [{name: i, image: x}]\ncontainers: [{name: a, image: x, readinessProbe: {tcpSocket: {port: 80}}}, {name: b, image: x, livenessProbe: {tcpSocket: {port: 80}}}]"
	for _, kind := range []string{"Deployment", "StatefulSet", "DaemonSet", "Pod"} {
		expectFindings(t, scanText(t, "missing-liveness-probe", workload(kind, spec)), specPath[kind]+".containers[0].livenessProbe")
		expectFindings(t, scanText(t, "missing-readiness-probe", workload(kind, spec)), specPath[kind]+".containers[1].readinessProbe")
	}
	// Batch pods are not probed.
	batch := "restartPolicy: OnFailure\n" + spec
	for _, kind := range []string{"Job", "CronJob"} {
		expectFindings(t, scanText(t, "missing-liveness-probe", workload(kind, batch)))
		expectFindings(t, scanText(t, "missing-readiness-probe", workload(kind, batch)))
	}
}

func TestSingleReplica(t *testing.T) {
	dep := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\nspec:\n%s  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: x}]}\n"
	with := func(replicas string) string { return sprintf(dep, replicas) }
	expectFindings(t, scanText(t, "single-replica", with("")), "spec.replicas")
	expectFindings(t, scanText(t, "single-replica", with("  replicas: 1\n")), "spec.replicas")
	expectFindings(t, scanText(t, "single-replica", with("  replicas: 3\n")))
	hpa := "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: ns}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}\n  minReplicas: 1\n  maxReplicas: 5\n"
	expectFindings(t, scanText(t, "single-replica", with("  replicas: 1\n")+hpa))
	// autoscaling/v2beta2 left k8s.io/api with its removal; it still scales.
	expectFindings(t, scanText(t, "single-replica", with("  replicas: 1\n")+strings.Replace(hpa, "autoscaling/v2", "autoscaling/v2beta2", 1)))
	expectFindings(t, scanText(t, "single-replica", with("  replicas: 1\n")+strings.Replace(hpa, "name: d}", "name: other}", 1)), "spec.replicas")
	expectFindings(t, scanText(t, "single-replica", workload("DaemonSet", "containers: [{name: a, image: x}]")))
}

func TestDefaultNamespaceAndNakedPod(t *testing.T) {
	text := `apiVersion: v1
kind: Pod
metadata: {name: naked, namespace: default}
spec: {containers: [{name: a, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: owned
  namespace: apps
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: "1"}]
spec: {containers: [{name: a, image: x}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: no-namespace}
`
	expectFindings(t, scanText(t, "default-namespace", text), "metadata.namespace")
	f := scanText(t, "naked-pod", text)
	expectFindings(t, f, "")
	if f[0].Object.Name() != "naked" {
		t.Errorf("naked-pod reported %s", f[0].Object.Ref())
	}
}

func TestSelectorMismatch(t *testing.T) {
	dep := func(selector string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n" + selector + "  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec: {containers: [{name: c, image: x}]}\n"
	}
	expectFindings(t, scanText(t, "selector-mismatch", dep("  selector: {matchLabels: {app: api}}\n")), "spec.selector")
	expectFindings(t, scanText(t, "selector-mismatch", dep("  selector: {matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}\n")), "spec.selector")
	expectFindings(t, scanText(t, "selector-mismatch", dep("")), "spec")
	expectFindings(t, scanText(t, "selector-mismatch", dep("  selector: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [front, back]}]}\n")))
	rc := "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec:\n  selector: {app: x}\n  template:\n    metadata: {labels: {app: y}}\n    spec: {containers: [{name: c, image: x}]}\n"
	expectFindings(t, scanText(t, "selector-mismatch", rc), "spec.selector")
	// A Job's selector is generated unless manualSelector is set.
	expectFindings(t, scanText(t, "selector-mismatch", workload("Job", "restartPolicy: Never\ncontainers: [{name: a, image: x}]")))
	// Selectors are converted once per set of labels: sets that print
	// alike keep their own verdicts and messages.
	text := dep("  selector: {matchLabels: {app: web}}\n") + "---\n" + strings.Replace(dep("  selector: {matchLabels: {\"app=web\": \"\"}}\n"), "name: d", "name: e", 1) +
		"---\n" + strings.Replace(dep("  selector: {matchLabels: {app: web}}\n"), "name: d", "name: f", 1)
	got := scanText(t, "selector-mismatch", text)
	if len(got) != 1 || got[0].Object.Name() != "e" || !strings.Contains(got[0].Message, "invalid") {
		t.Errorf("findings %v, want one about the invalid selector of e", got)
	}
}

func TestLabelsKey(t *testing.T) {
	sets := []map[string]string{nil, {"a": ""}, {"": "a"}, {"a": "b"}, {"a=b": ""}, {"a": "b", "c": "d"}, {"a": "b,c=d"}, {"a": "1:b"}, {"a1": ":b"}, {"a=b": "c"}, {"a": "b=c"}}
	seen := map[string]int{}
	for i, set := range sets {
		k := labelsKey(set)
		if j, ok := seen[k]; ok {
			t.Errorf("sets %v and %v share the key %q", sets[j], set, k)
		}
		seen[k] = i
		if again := labelsKey(maps.Clone(set)); again != k {
			t.Errorf("set %v: key %q, then %q", set, k, again)
		}
	}
}
