package netpol

import (
	"github.com/kube4c/kube4c/internal/testutil/fixture"

	"net/netip"
	"testing"

	"github.com/kube4c/kube4c/internal/inventory"
)

// load reads YAML documents into an inventory.
func load(t testing.TB, text string) *inventory.Inventory {
	t.Helper()
	return fixture.Inventory(t, text)
}

// build loads YAML and builds an engine, with cluster CIDRs if given.
func build(t testing.TB, text string, clusterCIDRs ...string) *Engine {
	t.Helper()
	var opts Options
	for _, c := range clusterCIDRs {
		opts.ClusterCIDRs = append(opts.ClusterCIDRs, netip.MustParsePrefix(c))
	}
	return Build(load(t, text), opts)
}

// endpoint looks an endpoint up or fails.
func endpoint(t testing.TB, e *Engine, name string) Endpoint {
	t.Helper()
	ep, err := e.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// world is the fixture the policy cases add their policies to: two
// namespaces with Namespace objects, one without (labels unknown), and
// workloads with named ports.
const world = `apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {team: a, env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {team: b, env: dev}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}, {name: dns, containerPort: 5353, protocol: UDP}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: prod}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db, tier: back}}
    spec: {containers: [{name: pg, image: pg:16, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cache, namespace: prod, labels: {app: cache}}
spec: {containers: [{name: c, image: redis:7}]}
---
apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: prod}
spec: {containers: [{name: c, image: busybox:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: dev}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: client:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: dev}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1, ports: [{name: http, containerPort: 80}]}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: client, namespace: other}
spec:
  template:
    metadata: {labels: {app: client}}
    spec: {restartPolicy: Never, containers: [{name: c, image: client:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: plain, labels: {app: plain}}
spec: {containers: [{name: c, image: busybox:1}]}
`

// policy writes a NetworkPolicy document; spec is its indented spec.
func policy(ns, name, spec string) string {
	meta := "{name: " + name + "}"
	if ns != "" {
		meta = "{name: " + name + ", namespace: " + ns + "}"
	}
	return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: " + meta + "\nspec:\n" + spec
}
