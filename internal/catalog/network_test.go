package catalog

import (
	"context"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

// netWorld has a Namespace object (shop), a workload in it, and a workload
// without a namespace (default).
const netWorld = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: tool, labels: {app: tool}}
spec: {containers: [{name: t, image: tool:1}]}
`

func netpolDoc(ns, name, spec string) string {
	return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n" + spec
}

func TestNamespaceNoDefaultDeny(t *testing.T) {
	denyIngress := netpolDoc("shop", "deny-in", "  podSelector: {}\n")
	denyBoth := netpolDoc("default", "deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n")
	// shop has a default deny for ingress only (policyTypes defaulted);
	// default has none, and is reported on its first workload.
	expectFindings(t, scanText(t, "namespace-no-default-deny-ingress", netWorld+denyIngress), "metadata.namespace")
	expectFindings(t, scanText(t, "namespace-no-default-deny-egress", netWorld+denyIngress), "metadata.name", "metadata.namespace")
	expectFindings(t, scanText(t, "namespace-no-default-deny-egress", netWorld+denyIngress+denyBoth), "metadata.name")
	// Near misses: a policy with an allow rule, or one that selects some
	// pods only, is not a default deny; a Calico policy does not count.
	allowAll := netpolDoc("default", "open", "  podSelector: {}\n  ingress: [{}]\n")
	some := netpolDoc("default", "some", "  podSelector: {matchLabels: {app: tool}}\n")
	calico := "---\napiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: default}\nspec: {selector: all(), types: [Ingress]}\n"
	expectFindings(t, scanText(t, "namespace-no-default-deny-ingress", netWorld+denyIngress+allowAll+some+calico), "metadata.namespace")
	// A policy over every pod that admits only the namespace's own pods
	// isolates them as a default deny does.
	sameNamespace := netpolDoc("default", "same-ns", "  podSelector: {}\n  ingress: [{from: [{podSelector: {}}]}]\n")
	expectFindings(t, scanText(t, "namespace-no-default-deny-ingress", netWorld+denyIngress+sameNamespace))
	// A namespace where nothing runs yet is reported at low severity.
	empty := "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: empty}\n"
	for _, f := range scanText(t, "namespace-no-default-deny-ingress", netWorld+empty) {
		if want := map[string]check.Severity{"empty": check.Low, "shop": check.Medium, "tool": check.Medium}[f.Object.Name()]; f.Severity != want {
			t.Errorf("%s: severity %s, want %s", f.Object.Ref(), f.Severity, want)
		}
	}
	// The finding names the workloads no policy isolates.
	found := scanText(t, "namespace-no-default-deny-ingress", netWorld)
	expectFindings(t, found, "metadata.name", "metadata.namespace")
	if !strings.Contains(found[0].Message, `: Deployment "api" is not isolated`) {
		t.Errorf("message: %s", found[0].Message)
	}
}

// Only workloads reachable from outside the cluster are reported one by
// one; the others are listed in their namespace's finding.
func TestPodNotIsolated(t *testing.T) {
	lb := "---\napiVersion: v1\nkind: Service\nmetadata: {name: tool}\nspec: {type: LoadBalancer, selector: {app: tool}, ports: [{port: 80}]}\n"
	np := "---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec: {type: NodePort, selector: {app: api}, ports: [{port: 80}]}\n"
	expectFindings(t, scanText(t, "pod-not-isolated-ingress", netWorld))
	expectFindings(t, scanText(t, "pod-not-isolated-ingress", netWorld+lb+np), "spec.template.metadata.labels", "metadata.labels")
	// podSelector {} isolates every pod of its namespace (the false
	// positive of kube-score issues 293 and 420 must not reproduce).
	all := netpolDoc("shop", "all", "  podSelector: {}\n  policyTypes: [Ingress]\n")
	found := scanText(t, "pod-not-isolated-ingress", netWorld+lb+np+all)
	expectFindings(t, found, "metadata.labels")
	if !strings.Contains(found[0].Message, `reachable from outside the cluster through LoadBalancer Service "tool"`) {
		t.Errorf("message: %s", found[0].Message)
	}
	expectFindings(t, scanText(t, "pod-not-isolated-egress", netWorld+lb+np+all), "spec.template.metadata.labels", "metadata.labels")
	egress := netpolDoc("default", "out", "  podSelector: {matchLabels: {app: tool}}\n  egress: [{to: [{podSelector: {}}]}]\n")
	expectFindings(t, scanText(t, "pod-not-isolated-egress", netWorld+lb+np+all+egress), "spec.template.metadata.labels")
	// An Ingress exposes the workloads of the Services it routes to.
	ingress := "---\napiVersion: v1\nkind: Service\nmetadata: {name: tool-web}\nspec: {selector: {app: tool}, ports: [{port: 80}]}\n" +
		"---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec: {defaultBackend: {service: {name: tool-web, port: {number: 80}}}}\n"
	expectFindings(t, scanText(t, "pod-not-isolated-ingress", netWorld+ingress), "metadata.labels")
	// A Cilium policy is not a Kubernetes one.
	cilium := "---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: all, namespace: default}\nspec: {endpointSelector: {}, ingress: [{}]}\n"
	expectFindings(t, scanText(t, "pod-not-isolated-ingress", netWorld+lb+all+cilium), "metadata.labels")
}

func TestNetworkPolicySelectsNothing(t *testing.T) {
	typo := netpolDoc("shop", "typo", "  podSelector: {matchLabels: {app: apii}}\n")
	invalid := netpolDoc("shop", "bad", "  podSelector: {matchExpressions: [{key: app, operator: Equals, values: [api]}]}\n")
	expectFindings(t, scanText(t, "networkpolicy-selects-nothing", netWorld+typo+invalid), "spec.podSelector", "spec.podSelector")
	// Near misses: a matching selector, an empty one, and a namespace
	// whose workloads are not in the scan.
	ok := netpolDoc("shop", "ok", "  podSelector: {matchExpressions: [{key: app, operator: In, values: [api, web]}]}\n")
	empty := netpolDoc("shop", "empty", "  podSelector: {}\n")
	elsewhere := netpolDoc("billing", "x", "  podSelector: {matchLabels: {app: x}}\n")
	expectFindings(t, scanText(t, "networkpolicy-selects-nothing", netWorld+ok+empty+elsewhere))
}

func TestNetworkPolicyAllowsAll(t *testing.T) {
	p := netpolDoc("shop", "p", `  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress:
    - {}
    - from: []
      ports: [{port: 443}]
    - from: [{ipBlock: {cidr: 10.0.0.0/8}}, {ipBlock: {cidr: "::/0"}}]
  egress:
    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]
`)
	expectFindings(t, scanText(t, "networkpolicy-allows-all", netWorld+p),
		"spec.ingress[0]", "spec.ingress[1]", "spec.ingress[2].from[1].ipBlock.cidr", "spec.egress[0].to[0].ipBlock.cidr")
	// Egress rules of a policy whose policyTypes leave Egress out are
	// ignored, as the API server ignores them.
	ingressOnly := netpolDoc("shop", "p", "  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{from: [{podSelector: {}}]}]\n  egress: [{}]\n")
	expectFindings(t, scanText(t, "networkpolicy-allows-all", netWorld+ingressOnly))
}

func TestMetadataAPIReachable(t *testing.T) {
	deny := netpolDoc("shop", "deny", "  podSelector: {}\n  policyTypes: [Egress]\n")
	open := netpolDoc("shop", "open", "  podSelector: {matchLabels: {app: api}}\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n")
	got := scanText(t, "metadata-api-reachable", netWorld+deny+open)
	expectFindings(t, got, "spec.template.metadata.labels", "metadata.labels")
	if msg := got[0].Message; !strings.Contains(msg, `spec.egress[0] of NetworkPolicy "open"`) {
		t.Errorf("message does not name the rule: %s", msg)
	}
	// Many admitting rules: the message names three and counts the rest.
	var many string
	for _, name := range []string{"o1", "o2", "o3", "o4", "o5"} {
		many += netpolDoc("shop", name, "  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n")
	}
	got = scanText(t, "metadata-api-reachable", netWorld+many)
	if msg := got[0].Message; !strings.Contains(msg, `spec.egress[0] of NetworkPolicy "o1", spec.egress[0] of NetworkPolicy "o2", spec.egress[0] of NetworkPolicy "o3" and 2 more admit it`) {
		t.Errorf("message does not name three rules and count the others: %s", msg)
	}
	// Near misses: the address excepted, another port, no rule at all.
	guarded := netpolDoc("shop", "open", "  podSelector: {matchLabels: {app: api}}\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]\n")
	https := netpolDoc("shop", "open", "  podSelector: {matchLabels: {app: api}}\n  egress: [{to: [{ipBlock: {cidr: 169.254.0.0/16}}], ports: [{port: 443}]}]\n")
	toolDeny := netpolDoc("default", "deny", "  podSelector: {}\n  policyTypes: [Egress]\n")
	for _, p := range []string{guarded, https, deny} {
		expectFindings(t, scanText(t, "metadata-api-reachable", netWorld+deny+p+toolDeny))
	}
	// The host network bypasses policies.
	host := "---\napiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: shop}\nspec: {hostNetwork: true, containers: [{name: a, image: a:1}]}\n"
	expectFindings(t, scanText(t, "metadata-api-reachable", netWorld+deny+toolDeny+host), "metadata.labels")
}

// The checks that read the network policy engine run in parallel and
// share one engine (check.TestEnginesSharedOnce checks it is built once;
// run with -race to check the sharing).
func TestNetworkChecksRunTogether(t *testing.T) {
	ids := []string{"namespace-no-default-deny-ingress", "namespace-no-default-deny-egress", "pod-not-isolated-ingress", "pod-not-isolated-egress",
		"networkpolicy-selects-nothing", "networkpolicy-allows-all", "metadata-api-reachable", "service-selects-nothing", "service-port-mismatch", "mtls-not-strict"}
	var checks []*check.Check
	for _, id := range ids {
		checks = append(checks, check.Default.Get(id))
	}
	res := manifest.Load([]string{manifest.Stdin}, manifest.Options{Stdin: strings.NewReader(netWorld + meshWorld + meshWorkloads)})
	inv := inventory.New(res.Objects)
	findings, failures, _ := check.Run(context.Background(), inv, checks, check.Env{})
	if len(failures) > 0 || len(findings) == 0 {
		t.Fatalf("failures %v, %d findings", failures, len(findings))
	}
}
