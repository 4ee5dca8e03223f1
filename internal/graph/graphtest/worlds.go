// Package graphtest holds the attack-graph worlds that the unit tests
// judge from files and the integration tests from a live API server: each
// a set of manifests, the paths asked for, the chains expected and the
// first fix.
package graphtest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kube4c/kube4c/internal/graph"
)

// Chains words paths as "from > node > node ... (possible)", sorted.
func Chains(g *graph.Graph, paths []graph.Path) []string {
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
type World struct {
	Name      string
	Manifests string
	Opts      graph.Options
	Want      []string
	// FirstFix is "check object-name" of the first choke point; "" when
	// no path is expected.
	FirstFix string
	// Absent are chains that must not be found.
	Absent []string
	// FilesOnly marks a world whose paths hold for files alone: a live
	// cluster has objects the files lack (a Namespace with its labels).
	FilesOnly bool
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

// ingressApp is a Deployment of namespace lb named name (with no
// declared port), its Service and an Ingress to it with the annotations
// (a flow mapping).
func ingressApp(name, annotations string) string {
	return fmt.Sprintf(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: lb}
spec:
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      automountServiceAccountToken: false
      containers: [{name: c, image: registry.example.com/%[1]s:1}]
---
apiVersion: v1
kind: Service
metadata: {name: %[1]s, namespace: lb}
spec:
  selector: {app: %[1]s}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: %[1]s, namespace: lb, annotations: %[2]s}
spec:
  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: %[1]s, port: {number: 80}}}}]}}]
`, name, annotations)
}

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

var Worlds = []World{
	{
		Name:      "internet-facing app reads kube-system secrets",
		Manifests: webApp,
		Opts:      graph.Options{To: []string{"kube-system-secrets"}},
		Want: []string{
			"internet > service:web/app > workload:web/Deployment/app > sa:web/app > secrets:kube-system",
			"pods:web > workload:web/Deployment/app > sa:web/app > secrets:kube-system",
		},
		FirstFix: "rbac-read-secrets app-reads-secrets",
	},
	{
		Name: "the same behind a default-deny ingress policy",
		Manifests: webApp + `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: web}
spec: {podSelector: {}, policyTypes: [Ingress]}
`,
		Opts:     graph.Options{To: []string{"kube-system-secrets"}},
		Want:     []string{"pods:web > workload:web/Deployment/app > sa:web/app > secrets:kube-system"},
		Absent:   []string{"internet > service:web/app > workload:web/Deployment/app > sa:web/app > secrets:kube-system"},
		FirstFix: "rbac-read-secrets app-reads-secrets",
	},
	{
		Name: "privileged DaemonSet reachable from another namespace",
		Manifests: `
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
		Opts:     graph.Options{From: []string{"pods:a"}, To: []string{"node"}},
		Want:     []string{"pods:a > workload:a/Deployment/client > pod-network > workload:b/DaemonSet/agent > node:*"},
		FirstFix: "privileged-container agent",
	},
	{
		Name: "CI account that creates pods in kube-system takes a controller's account",
		Manifests: adminController + `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: runner, namespace: builds}
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
metadata: {name: runner, namespace: builds}
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
subjects: [{kind: ServiceAccount, name: runner, namespace: builds}]
`,
		Opts: graph.Options{From: []string{"pods:builds"}, To: []string{"cluster-admin"}},
		Want: []string{
			"pods:builds > workload:builds/Deployment/runner > sa:builds/runner > accounts:kube-system > sa:kube-system/controller > cluster-admin",
		},
		FirstFix: "rbac-cluster-admin controller-admin",
	},
	{
		Name: "impersonation and bind lead to cluster-admin",
		Manifests: workloadWithAccount("ops", "impersonator", `[{apiGroups: [""], resources: [users, groups], verbs: [impersonate]}]`) + "---\n" +
			workloadWithAccount("ops", "binder", `[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}, `+
				`{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}]`),
		Opts: graph.Options{From: []string{"pods:ops"}, To: []string{"cluster-admin"}},
		Want: []string{
			"pods:ops > workload:ops/Deployment/binder > sa:ops/binder > cluster-admin",
			"pods:ops > workload:ops/Deployment/impersonator > sa:ops/impersonator > cluster-admin",
		},
		FirstFix: "rbac-bind binder",
	},
	{
		Name: "impersonation limited by resourceNames reaches only the identities it names",
		Manifests: workloadWithAccount("ops", "alice-maker", `[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [alice]}]`) + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
---` + workloadWithAccount("ops", "bob-maker", `[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [bob]}]`) + "---\n" +
			workloadWithAccount("ops", "sa-maker", `[{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [controller]}]`) + "---\n" +
			// The API server checks a service account's user name against
			// serviceaccounts, not users.
			workloadWithAccount("ops", "sa-user-maker", `[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: ["system:serviceaccount:kube-system:controller"]}]`) + "---\n" +
			adminController,
		Opts: graph.Options{From: []string{"pods:ops"}, To: []string{"cluster-admin"}},
		Want: []string{
			"pods:ops > workload:ops/Deployment/alice-maker > sa:ops/alice-maker > user:alice > cluster-admin",
			"pods:ops > workload:ops/Deployment/sa-maker > sa:ops/sa-maker > sa:kube-system/controller > cluster-admin",
		},
		Absent: []string{
			"pods:ops > workload:ops/Deployment/alice-maker > sa:ops/alice-maker > cluster-admin",
			"pods:ops > workload:ops/Deployment/bob-maker > sa:ops/bob-maker > cluster-admin",
			"pods:ops > workload:ops/Deployment/sa-maker > sa:ops/sa-maker > cluster-admin",
			"pods:ops > workload:ops/Deployment/sa-user-maker > sa:ops/sa-user-maker > sa:kube-system/controller > cluster-admin",
			"pods:ops > workload:ops/Deployment/sa-user-maker > sa:ops/sa-user-maker > cluster-admin",
		},
		FirstFix: "rbac-cluster-admin alice-admin",
	},
	{
		Name:      "impersonating the group system:masters is cluster-admin",
		Manifests: workloadWithAccount("ops", "masters-maker", `[{apiGroups: [""], resources: [groups], verbs: [impersonate], resourceNames: ["system:masters"]}]`),
		Opts:      graph.Options{From: []string{"pods:ops"}, To: []string{"cluster-admin"}},
		Want:      []string{"pods:ops > workload:ops/Deployment/masters-maker > sa:ops/masters-maker > cluster-admin"},
		FirstFix:  "rbac-impersonate masters-maker",
	},
	{
		Name: "an Ingress that asks for a private load balancer is no way in from the internet",
		Manifests: ingressApp("public", "{}") + "---" + ingressApp("alb-internal", "{alb.ingress.kubernetes.io/scheme: internal}") + "---" +
			ingressApp("gce-internal", "{kubernetes.io/ingress.class: gce-internal}") + "---" +
			ingressApp("appgw-private", `{appgw.ingress.kubernetes.io/use-private-ip: "true"}`),
		Opts: graph.Options{From: []string{"internet"}, To: []string{"Deployment/lb/public", "Deployment/lb/alb-internal", "Deployment/lb/gce-internal", "Deployment/lb/appgw-private"}},
		// The workloads declare no port, so none is reached from another
		// over the pod network (in a shared cluster neither).
		Want: []string{"internet > ingress:lb/public > service:lb/public > workload:lb/Deployment/public"},
		Absent: []string{
			"internet > ingress:lb/alb-internal > service:lb/alb-internal > workload:lb/Deployment/alb-internal",
			"internet > ingress:lb/gce-internal > service:lb/gce-internal > workload:lb/Deployment/gce-internal",
			"internet > ingress:lb/appgw-private > service:lb/appgw-private > workload:lb/Deployment/appgw-private",
		},
		FirstFix: "ingress-no-tls public",
	},
	{
		Name: "host network reaches the metadata API and the cloud identity",
		Manifests: `
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
		Opts:     graph.Options{From: []string{"pods:monitoring"}, To: []string{"cloud-identity"}},
		Want:     []string{"pods:monitoring > workload:monitoring/DaemonSet/exporter > cloud-identity"},
		FirstFix: "metadata-api-reachable exporter",
	},
	{
		Name: "the cluster's nodes: an escape reaches the nodes a selector allows, and their pods' accounts",
		Manifests: `
apiVersion: v1
kind: Node
metadata: {name: gpu-1, labels: {pool: gpu}}
---
apiVersion: v1
kind: Node
metadata: {name: general-1, labels: {pool: general}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: gpu-agent, namespace: gpu}
spec:
  selector: {matchLabels: {app: gpu-agent}}
  template:
    metadata: {labels: {app: gpu-agent}}
    spec:
      nodeSelector: {pool: gpu}
      automountServiceAccountToken: false
      containers: [{name: a, image: registry.example.com/gpu-agent:1, securityContext: {privileged: true}}]
` + "---\n" + workloadWithAccount("ml", "trainer", `[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]`) + `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pinned, namespace: ml}
spec:
  selector: {matchLabels: {app: pinned}}
  template:
    metadata: {labels: {app: pinned}}
    spec:
      serviceAccountName: trainer
      automountServiceAccountToken: false
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [gpu]}]}]
      containers: [{name: c, image: registry.example.com/pinned:1}]
`,
		Opts: graph.Options{From: []string{"pods:gpu"}, To: []string{"cluster-admin", "node"}},
		Want: []string{
			"pods:gpu > workload:gpu/DaemonSet/gpu-agent > node:gpu-1",
			"pods:gpu > workload:gpu/DaemonSet/gpu-agent > node:gpu-1 > sa:ml/trainer > cluster-admin",
		},
		Absent:   []string{"pods:gpu > workload:gpu/DaemonSet/gpu-agent > node:general-1"},
		FirstFix: "privileged-container gpu-agent",
	},
	{
		Name:      "a way that only a NetworkPolicy cell the inputs leave open allows",
		FilesOnly: true,
		Manifests: `
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
		Opts:     graph.Options{From: []string{"internet"}, To: []string{"node"}},
		Want:     []string{"internet > service:front/web > workload:front/Deployment/web > peers:back/from-front/spec.ingress[0]? > workload:back/Deployment/debug > node:* (possible)"},
		FirstFix: "privileged-container debug",
	},
	{
		Name: "reading a namespace's secrets yields a long-lived token of an admin account",
		Manifests: workloadWithAccount("data", "admin-bot", `[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]`) + `---
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
		Opts:     graph.Options{From: []string{"pods:app"}, To: []string{"cluster-admin"}},
		Want:     []string{"pods:app > workload:app/Deployment/reader > sa:app/reader > secrets:data > sa:data/admin-bot > cluster-admin"},
		FirstFix: "rbac-cluster-admin admin-bot",
	},
	{
		Name: "anonymous requests read every secret",
		Manifests: `
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
		Opts:     graph.Options{From: []string{"anonymous"}, To: []string{"kube-system-secrets"}},
		Want:     []string{"anonymous > user:system:anonymous > secrets:*"},
		FirstFix: "rbac-read-secrets open-secrets",
	},
}
