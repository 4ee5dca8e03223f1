package graph_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/graph"
	"github.com/kube4c/kube4c/internal/pipeline"
)

// world builds the graph of manifests (the files of a directory, or YAML
// text written to one).
func world(t *testing.T, dir string) *graph.Graph {
	t.Helper()
	plan, err := pipeline.NewPlan(pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := plan.Analyze(context.Background(), pipeline.Request{Source: pipeline.Files{Paths: []string{dir}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Input.Errors) > 0 {
		t.Fatalf("input errors: %v", a.Input.Errors)
	}
	return graph.Build(a.Inventory, a.Engines, append(a.Kept, a.Suppressed...))
}

// worldOf writes manifests to a directory and builds their graph.
func worldOf(t *testing.T, manifests string) *graph.Graph {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "world.yaml"), []byte(manifests), 0o644); err != nil {
		t.Fatal(err)
	}
	return world(t, dir)
}

// chains words paths as "from > node > node ... (possible)", sorted.
func chains(g *graph.Graph, paths []graph.Path) []string {
	var out []string
	for _, p := range paths {
		parts := []string{g.Nodes()[p.From].ID}
		for _, i := range p.Edges {
			parts = append(parts, g.Nodes()[g.Edges()[i].To].ID)
		}
		s := strings.Join(parts, " > ")
		if p.Possible {
			s += " (possible)"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// A world: manifests, the paths asked for, the chains expected (every
// one, so that a path that must not exist fails the test), and the fix
// that must come first.
type testWorld struct {
	name      string
	manifests string
	opts      graph.Options
	want      []string
	// firstFix is "check object-name" of the first choke point; "" when
	// no path is expected.
	firstFix string
}

const webApp = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: web}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      serviceAccountName: app
      containers:
        - name: app
          image: registry.example.com/app:1
          ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: web}
spec:
  type: LoadBalancer
  selector: {app: app}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: web}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: kube-system}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app-reads-secrets, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects: [{kind: ServiceAccount, name: app, namespace: web}]
`

const adminController = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller, namespace: kube-system}
spec:
  selector: {matchLabels: {app: controller}}
  template:
    metadata: {labels: {app: controller}}
    spec:
      serviceAccountName: controller
      containers: [{name: c, image: registry.example.com/controller:1}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: controller, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: controller-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: controller, namespace: kube-system}]
`

// workloadWithAccount is a Deployment of namespace ns named name that
// runs as the service account of the same name, with a ClusterRole of
// rules bound to it cluster-wide.
func workloadWithAccount(ns, name, rules string) string {
	return fmt.Sprintf(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: %[2]s, namespace: %[1]s}
spec:
  selector: {matchLabels: {app: %[2]s}}
  template:
    metadata: {labels: {app: %[2]s}}
    spec:
      serviceAccountName: %[2]s
      containers: [{name: c, image: registry.example.com/%[2]s:1}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: %[2]s, namespace: %[1]s}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: %[2]s}
rules: %[3]s
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: %[2]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %[2]s}
subjects: [{kind: ServiceAccount, name: %[2]s, namespace: %[1]s}]
`, ns, name, rules)
}

var worlds = []testWorld{
	{
		name:      "internet-facing app reads kube-system secrets",
		manifests: webApp,
		opts:      graph.Options{To: []string{"kube-system-secrets"}},
		want: []string{
			"internet > service:web/app > workload:web/Deployment/app > sa:web/app > secrets:kube-system",
			"pods:web > workload:web/Deployment/app > sa:web/app > secrets:kube-system",
		},
		firstFix: "rbac-read-secrets app-reads-secrets",
	},
	{
		name: "the same behind a default-deny ingress policy",
		manifests: webApp + `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: web}
spec: {podSelector: {}, policyTypes: [Ingress]}
`,
		opts:     graph.Options{To: []string{"kube-system-secrets"}},
		want:     []string{"pods:web > workload:web/Deployment/app > sa:web/app > secrets:kube-system"},
		firstFix: "rbac-read-secrets app-reads-secrets",
	},
	{
		name: "privileged DaemonSet reachable from another namespace",
		manifests: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: a}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      automountServiceAccountToken: false
      containers: [{name: c, image: registry.example.com/client:1}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: b}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: agent
          image: registry.example.com/agent:1
          ports: [{containerPort: 9100}]
          securityContext: {privileged: true}
`,
		opts:     graph.Options{From: []string{"pods:a"}, To: []string{"node"}},
		want:     []string{"pods:a > workload:a/Deployment/client > pod-network > workload:b/DaemonSet/agent > node:*"},
		firstFix: "privileged-container agent",
	},
	{
		name: "CI account that creates pods in kube-system takes a controller's account",
		manifests: adminController + `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: runner, namespace: ci}
spec:
  selector: {matchLabels: {app: runner}}
  template:
    metadata: {labels: {app: runner}}
    spec:
      serviceAccountName: runner
      containers: [{name: c, image: registry.example.com/runner:1}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: kube-system}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: runner-deploys, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: ServiceAccount, name: runner, namespace: ci}]
`,
		opts: graph.Options{From: []string{"pods:ci"}, To: []string{"cluster-admin"}},
		want: []string{
			"pods:ci > workload:ci/Deployment/runner > sa:ci/runner > accounts:kube-system > sa:kube-system/controller > cluster-admin",
		},
		firstFix: "rbac-cluster-admin controller-admin",
	},
	{
		name: "impersonation and bind lead to cluster-admin",
		manifests: workloadWithAccount("ops", "impersonator", `[{apiGroups: [""], resources: [users, groups], verbs: [impersonate]}]`) + "---\n" +
			workloadWithAccount("ops", "binder", `[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}, `+
				`{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}]`),
		opts: graph.Options{From: []string{"pods:ops"}, To: []string{"cluster-admin"}},
		want: []string{
			"pods:ops > workload:ops/Deployment/binder > sa:ops/binder > cluster-admin",
			"pods:ops > workload:ops/Deployment/impersonator > sa:ops/impersonator > cluster-admin",
		},
		firstFix: "rbac-bind binder",
	},
	{
		name: "host network reaches the metadata API and the cloud identity",
		manifests: `
apiVersion: v1
kind: Node
metadata: {name: ip-10-0-1-17.ec2.internal}
spec: {providerID: "aws:///eu-west-1a/i-0abc"}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app: exporter}}
  template:
    metadata: {labels: {app: exporter}}
    spec:
      hostNetwork: true
      automountServiceAccountToken: false
      containers: [{name: e, image: registry.example.com/exporter:1}]
`,
		opts:     graph.Options{From: []string{"pods:monitoring"}, To: []string{"cloud-identity"}},
		want:     []string{"pods:monitoring > workload:monitoring/DaemonSet/exporter > cloud-identity"},
		firstFix: "metadata-api-reachable exporter",
	},
	{
		name: "a way that only a NetworkPolicy cell the inputs leave open allows",
		manifests: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: front}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      automountServiceAccountToken: false
      containers: [{name: web, image: registry.example.com/web:1, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: front}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: debug, namespace: back}
spec:
  selector: {matchLabels: {app: debug}}
  template:
    metadata: {labels: {app: debug}}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: debug
          image: registry.example.com/debug:1
          ports: [{containerPort: 9000}]
          securityContext: {privileged: true}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-front, namespace: back}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: front}}}]}]
`,
		opts:     graph.Options{From: []string{"internet"}, To: []string{"node"}},
		want:     []string{"internet > service:front/web > workload:front/Deployment/web > workload:back/Deployment/debug > node:* (possible)"},
		firstFix: "privileged-container debug",
	},
	{
		name: "reading a namespace's secrets yields a long-lived token of an admin account",
		manifests: workloadWithAccount("data", "admin-bot", `[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]`) + `---
apiVersion: v1
kind: Secret
metadata:
  name: admin-bot-token
  namespace: data
  annotations: {kubernetes.io/service-account.name: admin-bot}
type: kubernetes.io/service-account-token
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reader, namespace: app}
spec:
  selector: {matchLabels: {app: reader}}
  template:
    metadata: {labels: {app: reader}}
    spec:
      serviceAccountName: reader
      containers: [{name: c, image: registry.example.com/reader:1}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: app}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-secrets, namespace: data}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-reads, namespace: data}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-secrets}
subjects: [{kind: ServiceAccount, name: reader, namespace: app}]
`,
		opts:     graph.Options{From: []string{"pods:app"}, To: []string{"cluster-admin"}},
		want:     []string{"pods:app > workload:app/Deployment/reader > sa:app/reader > secrets:data > sa:data/admin-bot > cluster-admin"},
		firstFix: "rbac-cluster-admin admin-bot",
	},
	{
		name: "anonymous requests read every secret",
		manifests: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: open-secrets}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: open-secrets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: open-secrets}
subjects: [{kind: User, name: "system:anonymous"}]
`,
		opts:     graph.Options{From: []string{"anonymous"}, To: []string{"kube-system-secrets"}},
		want:     []string{"anonymous > user:system:anonymous > secrets:*"},
		firstFix: "rbac-read-secrets open-secrets",
	},
}

func TestWorlds(t *testing.T) {
	for _, w := range worlds {
		t.Run(w.name, func(t *testing.T) {
			g := worldOf(t, w.manifests)
			paths, err := g.Paths(w.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := chains(g, paths); !slices.Equal(got, w.want) {
				t.Errorf("paths:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w.want, "\n"))
			}
			fixes := g.ChokePoints(paths, 0)
			got := ""
			if len(fixes) > 0 {
				got = fixes[0].Evidence.CheckID + " " + fixes[0].Evidence.Object.Name()
			}
			if got != w.firstFix {
				t.Errorf("first fix %q, want %q", got, w.firstFix)
			}
		})
	}
}

// On examples/: the storefront's way from the internet to the cloud
// identity (its egress lets it reach the metadata API), the build
// runner's to cluster-admin, and the docker.sock mount and the "*"
// ClusterRole among the fixes.
func TestExamplesPaths(t *testing.T) {
	g := world(t, "../../examples")
	paths, err := g.Paths(graph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := chains(g, paths)
	for _, want := range []string{
		"internet > service:shop/storefront > workload:shop/Deployment/storefront > cloud-identity (possible)",
		"pods:ci > workload:ci/Deployment/build-runner > sa:ci/build-runner > cluster-admin",
		"pods:logging > workload:logging/DaemonSet/log-agent > node:*",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("no path %s in\n%s", want, strings.Join(got, "\n"))
		}
	}
	var fixes []string
	for _, c := range g.ChokePoints(paths, 0) {
		fixes = append(fixes, c.Evidence.CheckID+" "+c.Evidence.Object.Name()+" "+c.Evidence.Path)
	}
	for _, want := range []string{
		"rbac-cluster-admin build-runner subjects[0]",
		"container-runtime-socket build-runner spec.template.spec.volumes[0].hostPath.path",
	} {
		if !slices.Contains(fixes, want) {
			t.Errorf("fixes %q lack %q", fixes, want)
		}
	}
}
