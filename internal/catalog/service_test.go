package catalog

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

// svcWorld has a Deployment with named ports and Services in front of it.
const svcWorld = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api, tier: web}}
    spec:
      containers:
        - name: api
          image: api:1
          ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]
`

func service(name, spec string) string {
	return "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: shop}\nspec:\n" + spec
}

func TestServiceNodePort(t *testing.T) {
	expectFindings(t, scanText(t, "service-nodeport", svcWorld+service("np", "  type: NodePort\n  selector: {app: api}\n  ports: [{port: 80, targetPort: http}]\n")), "spec.type")
	expectFindings(t, scanText(t, "service-nodeport", svcWorld+service("c", "  selector: {app: api}\n  ports: [{port: 80, targetPort: http}]\n")))
}

func TestServiceExternalIPs(t *testing.T) {
	expectFindings(t, scanText(t, "service-external-ips", svcWorld+service("x", "  selector: {app: api}\n  ports: [{port: 53, protocol: UDP, targetPort: dns}]\n  externalIPs: [8.8.8.8]\n")), "spec.externalIPs")
	expectFindings(t, scanText(t, "service-external-ips", svcWorld+service("x", "  selector: {app: api}\n  ports: [{port: 80, targetPort: 8080}]\n  externalIPs: []\n")))
}

func TestServiceSelectsNothing(t *testing.T) {
	expectFindings(t, scanText(t, "service-selects-nothing", svcWorld+service("typo", "  selector: {app: apii}\n  ports: [{port: 80}]\n")), "spec.selector")
	// Near misses: a subset of the labels, no selector (manual endpoints),
	// ExternalName, and a namespace without workloads in the scan.
	expectFindings(t, scanText(t, "service-selects-nothing", svcWorld+
		service("ok", "  selector: {tier: web}\n  ports: [{port: 80}]\n")+
		service("manual", "  ports: [{port: 80}]\n")+
		service("ext", "  type: ExternalName\n  externalName: db.example.com\n  selector: {app: x}\n")+
		"---\napiVersion: v1\nkind: Service\nmetadata: {name: lone, namespace: billing}\nspec: {selector: {app: x}, ports: [{port: 80}]}\n"))
}

func TestServicePortMismatch(t *testing.T) {
	expectFindings(t, scanText(t, "service-port-mismatch", svcWorld+service("s", `  selector: {app: api}
  ports:
    - {name: a, port: 80, targetPort: http}
    - {name: b, port: 81, targetPort: htp}
    - {name: c, port: 82, targetPort: 9090}
    - {name: d, port: 8080}
    - {name: e, port: 53, targetPort: dns}
    - {name: f, port: 54, protocol: UDP, targetPort: dns}
    - {name: g, port: 55, protocol: SCTP, targetPort: 5000}
`)), "spec.ports[1].targetPort", "spec.ports[2].targetPort", "spec.ports[4].targetPort")

	// A selector that matches many workloads: five are named, the rest
	// counted.
	var many string
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		many += "---\napiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: shop, labels: {app: many}}\n" +
			"spec: {containers: [{name: c, image: c:1, ports: [{containerPort: 8080}]}]}\n"
	}
	got := scanText(t, "service-port-mismatch", many+service("s", "  selector: {app: many}\n  ports: [{port: 80, targetPort: 9090}]\n"))
	expectFindings(t, got, "spec.ports[0].targetPort")
	if want := `of Pod "a", Pod "b", Pod "c", Pod "d", Pod "e" and 2 more;`; !strings.Contains(got[0].Message, want) {
		t.Errorf("message %q does not contain %q", got[0].Message, want)
	}
}

// Services with different selectors get their own answers, also when the
// workloads they select begin alike.
func TestServicePortMismatchPerSelector(t *testing.T) {
	pod := func(name, labels string, port int) string {
		return fmt.Sprintf("---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: shop, labels: {%s}}\n"+
			"spec: {containers: [{name: c, image: c:1, ports: [{containerPort: %d}]}]}\n", name, labels, port)
	}
	world := pod("a", "app: x, tier: t", 8080) + pod("b", "app: x", 9090) + pod("c", "tier: t", 9090) +
		service("s1", "  selector: {app: x}\n  ports: [{port: 80, targetPort: 8080}]\n") +
		service("s2", "  selector: {tier: t}\n  ports: [{port: 80, targetPort: 8080}]\n")
	got := scanText(t, "service-port-mismatch", world)
	expectFindings(t, got, "spec.ports[0].targetPort", "spec.ports[0].targetPort")
	for _, f := range got {
		want := map[string]string{"s1": `of Pod "b";`, "s2": `of Pod "c";`}[f.Object.Name()]
		if !strings.Contains(f.Message, want) {
			t.Errorf("%s: message %q does not contain %q", f.Object.Name(), f.Message, want)
		}
	}
}

func TestIngressBackendMissing(t *testing.T) {
	ing := func(apiVersion, backend string) string {
		return "---\napiVersion: " + apiVersion + "\nkind: Ingress\nmetadata: {name: i, namespace: shop}\nspec:\n  tls: [{hosts: [a.example.com]}]\n  rules:\n    - host: a.example.com\n      http:\n        paths:\n" + backend
	}
	svc := service("api", "  selector: {app: api}\n  ports: [{name: web, port: 80, targetPort: http}]\n")
	v1 := func(name, port string) string {
		return "          - {path: /, pathType: Prefix, backend: {service: {name: " + name + ", port: " + port + "}}}\n"
	}
	expectFindings(t, scanText(t, "ingress-backend-missing", svcWorld+svc+ing("networking.k8s.io/v1", v1("apii", "{number: 80}")+v1("api", "{number: 8080}")+v1("api", "{name: http}")+v1("api", "{number: 80}")+v1("api", "{name: web}"))),
		"spec.rules[0].http.paths[0].backend.service.name", "spec.rules[0].http.paths[1].backend.service.port.number", "spec.rules[0].http.paths[2].backend.service.port.name")
	beta := "          - {path: /, backend: {serviceName: api, servicePort: 81}}\n          - {path: /x, backend: {serviceName: api, servicePort: web}}\n"
	expectFindings(t, scanText(t, "ingress-backend-missing", svcWorld+svc+ing("extensions/v1beta1", beta)), "spec.rules[0].http.paths[0].backend.servicePort")
	// Without Services of the namespace in the scan, a missing Service is
	// not judged.
	expectFindings(t, scanText(t, "ingress-backend-missing", svcWorld+ing("networking.k8s.io/v1", v1("elsewhere", "{number: 80}"))))
}

func TestSSHPortExposed(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 80}, {containerPort: 22}, {name: ssh, containerPort: 2222}]}]}\n"
	expectFindings(t, scanText(t, "ssh-port-exposed", pod+service("s", "  ports: [{port: 80}, {port: 22, targetPort: 2222}, {port: 2200, targetPort: 22}, {port: 2201, targetPort: ssh}]\n")),
		"spec.containers[0].ports[1].containerPort", "spec.containers[0].ports[2].containerPort", "spec.ports[1].port", "spec.ports[2].targetPort", "spec.ports[3].targetPort")
	expectFindings(t, scanText(t, "ssh-port-exposed", svcWorld+service("s", "  ports: [{port: 80, targetPort: http}]\n")))
}

// In a complete scan (a live cluster), what the inventory lacks does not
// exist, so references to it are reported even in namespaces the
// inventory has nothing of.
func TestCompleteScanReportsDanglingReferences(t *testing.T) {
	ingress := "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: empty}\nspec:\n  tls: [{}]\n" +
		"  defaultBackend: {service: {name: gone, port: {number: 80}}}\n"
	policy := netpolDoc("empty", "p", "  podSelector: {matchLabels: {app: gone}}\n")
	service := "---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: elsewhere}\nspec: {selector: {app: gone}, ports: [{port: 80}]}\n"
	res := manifest.Load([]string{manifest.Stdin}, manifest.Options{Stdin: strings.NewReader(ingress + policy + service)})
	inv := inventory.New(res.Objects)
	for _, id := range []string{"ingress-backend-missing", "networkpolicy-selects-nothing", "service-selects-nothing"} {
		for _, complete := range []bool{false, true} {
			findings, _, _ := check.Run(context.Background(), inv, []*check.Check{check.Default.Get(id)}, check.Env{Complete: complete})
			if got := len(findings) == 1; got != complete {
				t.Errorf("%s, complete=%v: %d findings", id, complete, len(findings))
			}
		}
	}
}

// ctrlWorld has a StatefulSet of three replicas, a Job and a Deployment,
// whose pods their controllers label beyond the templates.
const ctrlWorld = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec: {containers: [{name: r, image: redis:7}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  template:
    metadata: {labels: {app: migrate}}
    spec: {restartPolicy: Never, containers: [{name: m, image: m:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: a, image: a:1}]}
`

// Services select the labels controllers add to pods: one StatefulSet
// replica by its pod name or index, a Job's pods by job-name, a
// Deployment's by a template hash the cluster chooses. A replica or a
// Job that does not exist is still selected by nothing.
func TestServiceSelectsControllerLabels(t *testing.T) {
	selects := service("redis-0", "  selector: {app: redis, statefulset.kubernetes.io/pod-name: redis-0}\n  ports: [{port: 6379}]\n") +
		service("redis-2", "  selector: {apps.kubernetes.io/pod-index: '2', app: redis}\n  ports: [{port: 6379}]\n") +
		service("migrate", "  selector: {job-name: migrate}\n  ports: [{port: 80}]\n") +
		service("api", "  selector: {app: api, pod-template-hash: 5d8f9c}\n  ports: [{port: 80}]\n")
	expectFindings(t, scanText(t, "service-selects-nothing", ctrlWorld+selects))
	nothing := service("redis-3", "  selector: {app: redis, statefulset.kubernetes.io/pod-name: redis-3}\n  ports: [{port: 6379}]\n") +
		service("other-job", "  selector: {job-name: other}\n  ports: [{port: 80}]\n")
	expectFindings(t, scanText(t, "service-selects-nothing", ctrlWorld+nothing), "spec.selector", "spec.selector")
}

// A NetworkPolicy that selects one StatefulSet replica selects something,
// but does not isolate the StatefulSet's other pods.
func TestNetworkPolicySelectsOneReplica(t *testing.T) {
	policy := "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: redis-0, namespace: shop}\n" +
		"spec: {podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: redis-0}}, policyTypes: [Ingress]}\n"
	expectFindings(t, scanText(t, "networkpolicy-selects-nothing", ctrlWorld+policy))
	found := scanText(t, "namespace-no-default-deny-ingress", ctrlWorld+policy)
	if len(found) != 1 || !strings.Contains(found[0].Message, `StatefulSet "redis"`) {
		t.Errorf("the StatefulSet is not listed as not isolated, though only one replica is selected: %v", found)
	}
}
