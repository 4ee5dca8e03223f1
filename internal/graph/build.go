package graph

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
	"github.com/kube4c/kube4c/internal/rbac"
)

// findingKey finds the findings of a check about an object.
type findingKey struct {
	check string
	ref   inventory.Ref
}

// builder builds one graph.
type builder struct {
	g   *Graph
	inv *inventory.Inventory
	net *netpol.Engine
	rbc *rbac.Engine
	// findings by check and object, and by check alone.
	findings map[findingKey][]*check.Finding
	byCheck  map[string][]*check.Finding
	// pods maps a workload object to its NetworkPolicy view.
	pods map[inventory.Ref]*netpol.Workload
	// nodes are the cluster's Node objects, when the input has them.
	nodes []*inventory.Object
	// class is the node class of each workload object ("" any node), when
	// it has none.
	class map[inventory.Ref]string
	// accounts are the service accounts of each namespace the graph knows.
	accounts map[string]map[string]bool
}

// Build makes the attack graph of an inventory from its engines and the
// findings of a scan, kept and suppressed alike: an exception accepts a
// risk, it does not close the way.
func Build(inv *inventory.Inventory, engines *check.Engines, findings []*check.Finding) *Graph {
	b := &builder{g: newGraph(), inv: inv, net: engines.NetworkPolicies(), rbc: engines.RBAC(),
		findings: map[findingKey][]*check.Finding{}, byCheck: map[string][]*check.Finding{},
		pods: map[inventory.Ref]*netpol.Workload{}, class: map[inventory.Ref]string{}, accounts: map[string]map[string]bool{}}
	for _, f := range findings {
		b.byCheck[f.CheckID] = append(b.byCheck[f.CheckID], f)
		if f.Object != nil {
			k := findingKey{f.CheckID, f.Object.Ref()}
			b.findings[k] = append(b.findings[k], f)
		}
	}
	for _, p := range b.net.Pods() {
		b.pods[p.View.Object.Ref()] = p
	}
	for _, s := range inv.ByKind("Secret") {
		b.g.secrets[s.Namespace()+"/"+s.Name()] = true
	}
	b.g.node(Node{ID: InternetID, Kind: Entry, Label: "the internet"})
	b.g.node(Node{ID: AnonymousID, Kind: Entry, Label: "anonymous requests"})
	b.g.node(Node{ID: AuthenticatedID, Kind: Entry, Label: "any authenticated user"})
	b.workloads()
	b.exposure()
	b.grants()
	b.memberships()
	b.legacyTokens()
	b.cloud()
	b.fillGroups()
	b.lateral()
	b.g.sortOut()
	return b.g
}

// finding returns the evidence of the first finding of check about obj
// (and container, when given); ok is false when there is none.
func (b *builder) finding(checkID string, obj *inventory.Object, container string) (Evidence, bool) {
	for _, f := range b.findings[findingKey{checkID, obj.Ref()}] {
		if container == "" || f.Container == container {
			return fromFinding(f), true
		}
	}
	return Evidence{}, false
}

// fromFinding is the evidence of a finding.
func fromFinding(f *check.Finding) Evidence {
	return Evidence{CheckID: f.CheckID, Object: f.Object, Path: f.Path, Location: f.Location, Finding: f}
}

// fact is the evidence of a field of an object that no check reports.
func fact(obj *inventory.Object, path string) Evidence {
	loc, _ := obj.Locate(path)
	return Evidence{Object: obj, Path: path, Location: loc}
}

// workloadNode returns the node of a workload.
func (b *builder) workloadNode(w *inventory.Workload) int {
	return b.g.node(Node{ID: workloadID(w.Object), Kind: WorkloadNode, Label: label(w.Object), Object: w.Object, Namespace: w.Object.Namespace()})
}

// accountNode returns the node of a service account.
func (b *builder) accountNode(namespace, name string) int {
	if b.accounts[namespace] == nil {
		b.accounts[namespace] = map[string]bool{}
	}
	b.accounts[namespace][name] = true
	n := Node{ID: accountID(namespace, name), Kind: Identity, Label: "ServiceAccount " + namespace + "/" + name, Namespace: namespace}
	n.Object = b.inv.Get(serviceAccountKind, namespace, name)
	return b.g.node(n)
}

// workloads adds every workload: code an attacker in its namespace's pods
// runs, the service account token it holds, and its escapes to the node.
func (b *builder) workloads() {
	for _, obj := range b.inv.ByKind("Node") {
		if _, ok := obj.Obj.(*corev1.Node); ok {
			b.nodes = append(b.nodes, obj)
			b.g.node(Node{ID: "node:" + obj.Name(), Kind: HostNode, Label: "Node " + obj.Name(), Object: obj})
		}
	}
	if len(b.nodes) == 0 {
		b.g.node(Node{ID: hostID(""), Kind: HostNode, Label: hostLabel("")})
	}
	for _, w := range b.inv.Workloads() {
		ns := w.Object.Namespace()
		wn := b.workloadNode(w)
		entry := b.g.node(Node{ID: podsID(ns), Kind: Entry, Label: "code running in a pod of namespace " + ns, Namespace: ns})
		foothold := Edge{From: entry, To: wn, Step: "runs code in", Evidence: fact(w.Object, w.MetaPath)}
		if ev, ok := b.finding("image-vulnerability", w.Object, ""); ok && ev.Finding.Severity >= check.Critical {
			// A critical vulnerability of its image makes it an easier way in.
			foothold.Cost, foothold.Evidence = easyCost, ev
		}
		b.g.edge(foothold)

		sa := accountOf(w)
		san := b.accountNode(ns, sa)
		if b.tokenMounted(w, ns, sa) {
			ev, ok := b.finding("service-account-token-automount", w.Object, "")
			if !ok {
				ev = fact(w.Object, w.Field("serviceAccountName"))
			}
			b.g.edge(Edge{From: wn, To: san, Step: "holds the token of", Evidence: ev})
		}
		hosts, _ := b.hostsOf(w)
		for _, esc := range b.escapes(w) {
			for _, host := range hosts {
				esc.From, esc.To = wn, host
				b.g.edge(esc)
			}
		}
	}
	b.kubeletTokens()
}

// kubeletTokens joins each node to the service accounts of the pods that
// may run there: the kubelet's credentials get their tokens.
func (b *builder) kubeletTokens() {
	const step = "takes, with the kubelet's credentials, the token of"
	for _, w := range b.inv.Workloads() {
		sa := b.g.edgeTarget(b.workloadNode(w), "holds the token of")
		if sa < 0 {
			sa = b.accountNode(w.Object.Namespace(), accountOf(w))
		}
		ev := fact(w.Object, w.Field("serviceAccountName"))
		if len(b.nodes) > 0 {
			hosts, sure := b.hostsOf(w)
			for _, h := range hosts {
				b.g.edge(Edge{From: h, To: sa, Step: step, Possible: !sure, Evidence: ev})
			}
			continue
		}
		// Classes of nodes: a class holds the pods of its selector, and
		// may hold those of workloads that can run anywhere.
		wc := b.class[w.Object.Ref()]
		for _, hn := range b.hosts() {
			hc := strings.TrimPrefix(b.g.nodes[hn].ID, "node:")
			if hc == "*" {
				hc = ""
			}
			if wc != "" && hc != "" && wc != hc {
				continue
			}
			b.g.edge(Edge{From: hn, To: sa, Step: step, Possible: wc != hc, Evidence: ev})
		}
	}
}

// hostsOf returns the nodes a workload's pods may run on, and whether
// they run on each of them. With the cluster's Node objects known, those
// its nodeSelector and required node affinity match (a DaemonSet runs on
// each; another workload on one of them, so on each possibly, unless
// there is one); without them, one abstract node for the class of nodes
// its nodeSelector names.
func (b *builder) hostsOf(w *inventory.Workload) (hosts []int, sure bool) {
	if len(b.nodes) == 0 {
		class := nodeClass(w.Spec)
		b.class[w.Object.Ref()] = class
		return []int{b.g.node(Node{ID: hostID(class), Kind: HostNode, Label: hostLabel(class)})}, true
	}
	pod := &corev1.Pod{Spec: *w.Spec}
	affinity := nodeaffinity.GetRequiredNodeAffinity(pod)
	for _, obj := range b.nodes {
		node := obj.Obj.(*corev1.Node)
		if ok, err := affinity.Match(node); err != nil || !ok {
			continue
		}
		hosts = append(hosts, b.g.node(Node{ID: "node:" + obj.Name(), Kind: HostNode, Label: "Node " + obj.Name(), Object: obj}))
	}
	return hosts, w.Object.Kind() == "DaemonSet" || len(hosts) == 1
}

// edgeTarget returns the target of the first edge of step leaving n, or -1.
func (g *Graph) edgeTarget(n int, step string) int {
	for _, i := range g.out[n] {
		if g.edges[i].Step == step {
			return g.edges[i].To
		}
	}
	return -1
}

// hosts returns the node indexes of the cluster's nodes.
func (b *builder) hosts() []int {
	var out []int
	for i, n := range b.g.nodes {
		if n.Kind == HostNode {
			out = append(out, i)
		}
	}
	return out
}

// accountOf names the service account a workload's pods run as.
func accountOf(w *inventory.Workload) string {
	return cmp.Or(w.Spec.ServiceAccountName, w.Spec.DeprecatedServiceAccount, "default")
}

var serviceAccountKind = corev1.SchemeGroupVersion.WithKind("ServiceAccount").GroupKind()

// tokenMounted reports whether the pods get their service account's
// token: the pod's automountServiceAccountToken, else the account's, else
// yes.
func (b *builder) tokenMounted(w *inventory.Workload, ns, sa string) bool {
	if v := w.Spec.AutomountServiceAccountToken; v != nil {
		return *v
	}
	if o := b.inv.Get(serviceAccountKind, ns, sa); o != nil {
		if acct, ok := o.Obj.(*corev1.ServiceAccount); ok && acct.AutomountServiceAccountToken != nil {
			return *acct.AutomountServiceAccountToken
		}
	}
	return true
}

// nodeClass names the nodes a pod can run on by its nodeSelector; "" is
// any node.
func nodeClass(spec *corev1.PodSpec) string {
	if len(spec.NodeSelector) == 0 {
		return ""
	}
	return labels.Set(spec.NodeSelector).String()
}

func hostLabel(class string) string {
	if class == "" {
		return "a node"
	}
	return "a node with " + class
}

// escapeChecks are the checks whose findings are ways out of a container
// onto its node; possible marks those that need more than the finding
// says (hostPID needs a capability to act on what it sees).
var escapeChecks = []struct {
	id       string
	possible bool
}{
	{"privileged-container", false},
	{"container-runtime-socket", false},
	{"dangerous-capabilities", false},
	{"windows-host-process", false},
	{"sensitive-host-path", false},
	{"host-pid", true},
	{"proc-mount-unmasked", true},
}

// escapes returns the ways out of w's containers onto the node, from the
// findings of the escape checks. A read-only mount of /var/log is no way
// out: it only shows logs.
func (b *builder) escapes(w *inventory.Workload) []Edge {
	var out []Edge
	for _, c := range escapeChecks {
		for _, f := range b.findings[findingKey{c.id, w.Object.Ref()}] {
			if c.id == "sensitive-host-path" && !escapeMount(w, f.Container) {
				continue
			}
			out = append(out, Edge{Step: "escapes to", Possible: c.possible, Evidence: fromFinding(f)})
		}
	}
	return out
}

// escapeMount reports whether a container mounts a host path that gives
// the node away: a writable one, or one holding credentials or the host's
// configuration.
func escapeMount(w *inventory.Workload, container string) bool {
	volumes := map[string]string{}
	for _, v := range w.Spec.Volumes {
		if v.HostPath != nil {
			volumes[v.Name] = v.HostPath.Path
		}
	}
	for _, c := range w.Containers() {
		if container != "" && c.Name != container {
			continue
		}
		for _, m := range c.VolumeMounts {
			host, ok := volumes[m.Name]
			if !ok {
				continue
			}
			if !m.ReadOnly || credentialPath(host) {
				return true
			}
		}
	}
	return false
}

// credentialPath reports whether a host path holds the node's credentials
// or lets a reader act as root: /, /etc, /root, /var/lib/kubelet, the
// runtimes' state.
func credentialPath(p string) bool {
	p = "/" + strings.Trim(p, "/")
	for _, dir := range []string{"/etc", "/root", "/var/lib/kubelet", "/var/lib/docker", "/var/lib/containerd", "/etc/kubernetes", "/home"} {
		if p == dir || strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return p == "/"
}

// exposure adds the ways in from the internet: Services of type
// LoadBalancer and NodePort and with external IPs (as the checks that
// report them say), Ingresses, and the workloads they select where the
// NetworkPolicies let the internet in on the target port.
func (b *builder) exposure() {
	internet := b.g.Node(InternetID)
	services := map[string]int{} // by namespace/name
	for _, obj := range b.inv.ByKind("Service") {
		svc, ok := obj.Obj.(*corev1.Service)
		if !ok {
			continue
		}
		sn := b.g.node(Node{ID: "service:" + obj.Namespace() + "/" + obj.Name(), Kind: Exposure, Label: label(obj), Object: obj, Namespace: obj.Namespace()})
		services[obj.Namespace()+"/"+obj.Name()] = sn
		for _, id := range []string{"service-loadbalancer-open", "service-nodeport", "service-external-ips"} {
			if ev, ok := b.finding(id, obj, ""); ok {
				b.g.edge(Edge{From: internet, To: sn, Step: "is let in by", Possible: id == "service-nodeport", Evidence: ev})
			}
		}
		b.selects(sn, obj, svc)
	}
	for _, obj := range b.inv.ByKind("Ingress") {
		ing, ok := obj.Obj.(*networkingv1.Ingress)
		if !ok {
			continue
		}
		in := b.g.node(Node{ID: "ingress:" + obj.Namespace() + "/" + obj.Name(), Kind: Exposure, Label: label(obj), Object: obj, Namespace: obj.Namespace()})
		if !privateIngress(ing) {
			ev, ok := b.finding("ingress-no-tls", obj, "")
			if !ok {
				ev = fact(obj, "spec")
			}
			b.g.edge(Edge{From: internet, To: in, Step: "is let in by", Evidence: ev})
		}
		for path, svc := range ingressBackends(ing) {
			if sn, ok := services[obj.Namespace()+"/"+svc]; ok {
				b.g.edge(Edge{From: in, To: sn, Step: "forwards to", Evidence: fact(obj, path)})
			}
		}
	}
}

// privateIngress reports whether an Ingress says its load balancer has
// only a private address: GKE's gce-internal class, the AWS Load Balancer
// Controller's internal scheme, or Azure Application Gateway's private IP.
// Any other Ingress is taken to face the internet, as ingress controllers
// usually do; only an explicit setting counts, since a default can be
// changed where the Ingress does not show it (an IngressClass's
// parameters).
func privateIngress(ing *networkingv1.Ingress) bool {
	a := ing.Annotations
	return a["kubernetes.io/ingress.class"] == "gce-internal" ||
		ing.Spec.IngressClassName != nil && *ing.Spec.IngressClassName == "gce-internal" ||
		a["alb.ingress.kubernetes.io/scheme"] == "internal" ||
		a["appgw.ingress.kubernetes.io/use-private-ip"] == "true"
}

// ingressBackends returns the Services an Ingress forwards to, by the
// field path of each backend.
func ingressBackends(ing *networkingv1.Ingress) map[string]string {
	out := map[string]string{}
	if d := ing.Spec.DefaultBackend; d != nil && d.Service != nil {
		out["spec.defaultBackend.service.name"] = d.Service.Name
	}
	for i, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for j, p := range r.HTTP.Paths {
			if p.Backend.Service != nil {
				out[fmt.Sprintf("spec.rules[%d].http.paths[%d].backend.service.name", i, j)] = p.Backend.Service.Name
			}
		}
	}
	return out
}

// selects joins a Service to the workloads it selects, where the
// NetworkPolicies let traffic from outside the cluster in on the port it
// targets: surely, or possibly for a cell the policies leave open.
func (b *builder) selects(sn int, obj *inventory.Object, svc *corev1.Service) {
	if len(svc.Spec.Selector) == 0 {
		return
	}
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	for _, p := range b.net.Pods() {
		if p.Namespace.Name != obj.Namespace() || !sel.Matches(p.Labels) {
			continue
		}
		r := b.net.Reach(netpol.Internet, netpol.PodEndpointOf(p))
		verdict := netpol.Denied
		for _, sp := range svc.Spec.Ports {
			port, ok := targetPort(p, sp)
			d := r.Verdict
			if ok {
				d = r.Allows(cmpProtocol(sp.Protocol), port)
			} else if d == netpol.Allowed {
				d = netpol.Unknown
			}
			verdict = max(verdict, d)
		}
		if verdict == netpol.Denied {
			continue
		}
		b.g.edge(Edge{From: sn, To: b.workloadNode(p.View), Step: "sends traffic to", Possible: verdict == netpol.Unknown,
			Evidence: fact(obj, "spec.selector")})
	}
}

func cmpProtocol(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}

// targetPort resolves a Service port's target on a workload: a number, or
// the name of a port its containers declare.
func targetPort(p *netpol.Workload, sp corev1.ServicePort) (int32, bool) {
	tp := sp.TargetPort
	switch {
	case tp.StrVal != "":
		for _, cp := range p.Ports() {
			if cp.Name == tp.StrVal {
				return cp.Port, true
			}
		}
		return 0, false
	case tp.IntVal != 0:
		return tp.IntVal, true
	}
	return sp.Port, true
}

// grantTargets say where an RBAC risk leads, by check: what the subjects
// of a binding can reach with it.
var grantTargets = map[string]func(b *builder, bd *rbac.Binding) []int{
	"rbac-cluster-admin":   inScope((*builder).adminOf),
	"rbac-wildcard":        inScope((*builder).adminOf),
	"rbac-bind":            inScope((*builder).adminOf),
	"rbac-escalate":        inScope((*builder).adminOf),
	"rbac-impersonate":     (*builder).impersonated,
	"rbac-approve-csr":     inScope((*builder).adminOf),
	"rbac-eks-aws-auth":    inScope((*builder).adminOf),
	"rbac-webhook-control": inScope((*builder).adminOf),
	"rbac-read-secrets": inScope(func(b *builder, scope string) []int {
		return []int{b.secretsNode(scope)}
	}),
	"rbac-create-workloads":     inScope((*builder).accountsOf),
	"rbac-create-tokens":        inScope((*builder).accountsOf),
	"rbac-pod-exec":             inScope((*builder).workloadsOf),
	"rbac-ephemeral-containers": inScope((*builder).workloadsOf),
	"rbac-nodes-proxy": inScope(func(b *builder, _ string) []int {
		if len(b.nodes) > 0 {
			return b.hosts()
		}
		return []int{b.g.node(Node{ID: hostID(""), Kind: HostNode, Label: hostLabel("")})}
	}),
}

// inScope makes a grant target of what a grant leads to in its binding's
// scope ("" every namespace).
func inScope(targets func(b *builder, scope string) []int) func(*builder, *rbac.Binding) []int {
	return func(b *builder, bd *rbac.Binding) []int { return targets(b, bd.Scope()) }
}

// impersonated returns whom the subjects of a binding can act as: anyone
// in its scope (its admin) where a rule names no identity, else the users,
// groups and service accounts its rules' resourceNames name. Users and
// groups are cluster-scoped: only a ClusterRoleBinding grants them.
// Impersonating a UID or user extras alone makes the subject nobody else.
func (b *builder) impersonated(bd *rbac.Binding) []int {
	if bd.Role == nil {
		return nil
	}
	scope := bd.Scope()
	kinds := []string{"serviceaccounts"}
	if scope == "" {
		kinds = append(kinds, "users", "groups")
	}
	var out []int
	for i := range bd.Role.Rules {
		rule := &bd.Role.Rules[i]
		for _, kind := range kinds {
			q := rbac.Query{Verb: "impersonate", Resource: kind}
			if rbac.RuleAllows(rule, &q) {
				// No resourceNames: any identity of the kind.
				return b.adminOf(scope)
			}
			for _, name := range rule.ResourceNames {
				if q.Name = name; rbac.RuleAllows(rule, &q) {
					out = append(out, b.identityNodes(kind, scope, name)...)
				}
			}
		}
	}
	return out
}

// identityNodes returns the nodes of an identity a subject may impersonate
// by name: a user, a group (system:masters is cluster-admin), or the
// service accounts of that name in scope (every namespace the graph knows
// for ""). A user name of a service account (system:serviceaccount:NS:NAME)
// is none: the API server checks impersonating it against serviceaccounts.
func (b *builder) identityNodes(kind, scope, name string) []int {
	switch kind {
	case "users":
		if _, _, ok := rbac.ServiceAccountOf(name); ok {
			return nil
		}
		return []int{b.subjectNode(rbac.Subject{Kind: rbacv1.UserKind, Name: name})}
	case "groups":
		if name == rbac.GroupMasters {
			return b.adminOf("")
		}
		return []int{b.subjectNode(rbac.Subject{Kind: rbacv1.GroupKind, Name: name})}
	}
	if scope != "" {
		return []int{b.accountNode(scope, name)}
	}
	// The accounts of that name the inputs hold, and those the graph
	// knows from workloads and bindings.
	for _, o := range b.inv.ByKind(serviceAccountKind.Kind) {
		if o.Name() == name {
			b.accountNode(o.Namespace(), name)
		}
	}
	var out []int
	for _, ns := range sortedKeys(b.accounts) {
		if b.accounts[ns][name] {
			out = append(out, b.accountNode(ns, name))
		}
	}
	return out
}

// adminOf is what full power over a scope gives: cluster-admin for the
// cluster, a namespace's accounts and secrets for a namespace.
func (b *builder) adminOf(scope string) []int {
	if scope == "" {
		return []int{b.g.node(Node{ID: ClusterAdminID, Kind: ClusterAdmin, Label: "cluster-admin"})}
	}
	return append(b.accountsOf(scope), b.secretsNode(scope))
}

// secretsNode returns the node of a scope's secrets.
func (b *builder) secretsNode(scope string) int {
	if scope == "" {
		return b.g.node(Node{ID: AllSecretsID, Kind: SecretsNode, Label: "the secrets of every namespace"})
	}
	return b.g.node(Node{ID: secretsID(scope), Kind: SecretsNode, Label: "the secrets of namespace " + scope, Namespace: scope})
}

// accountsOf returns the node that stands for every service account of
// a scope ("" every namespace); fillGroups joins it to them.
func (b *builder) accountsOf(scope string) []int {
	return []int{b.groupNode("accounts", scope, "service account")}
}

// workloadsOf returns the node that stands for every workload of a scope;
// fillGroups joins it to them.
func (b *builder) workloadsOf(scope string) []int {
	return []int{b.groupNode("workloads", scope, "workload")}
}

// groupNode returns the group node of what in a scope.
func (b *builder) groupNode(what, scope, noun string) int {
	if scope == "" {
		return b.g.node(Node{ID: what + ":*", Kind: Group, Label: "every " + noun})
	}
	return b.g.node(Node{ID: what + ":" + scope, Kind: Group, Label: "every " + noun + " of namespace " + scope, Namespace: scope})
}

// fillGroups joins the group nodes of accounts and workloads to their
// members, once every account the graph knows is in it.
func (b *builder) fillGroups() {
	member := func(group string, scope, ns string, to int) {
		if scope == "*" || scope == ns {
			b.g.edge(Edge{From: b.g.Node(group), To: to, Step: "includes", Cost: freeCost})
		}
	}
	for _, n := range slices.Clone(b.g.nodes) {
		if n.Kind != Group {
			continue
		}
		what, scope, _ := strings.Cut(n.ID, ":")
		switch what {
		case "accounts":
			for _, ns := range sortedKeys(b.accounts) {
				for _, name := range sortedKeys(b.accounts[ns]) {
					member(n.ID, scope, ns, b.g.Node(accountID(ns, name)))
				}
			}
		case "workloads":
			for _, w := range b.inv.Workloads() {
				member(n.ID, scope, w.Object.Namespace(), b.workloadNode(w))
			}
		}
	}
}

// grants adds what RBAC lets each subject do, from the findings of the
// RBAC checks, each at the binding subject it names.
func (b *builder) grants() {
	bindings := map[inventory.Ref]*rbac.Binding{}
	for _, bd := range b.rbc.Bindings() {
		if bd.Object != nil {
			bindings[bd.Object.Ref()] = bd
		}
	}
	for _, id := range sortedKeys(grantTargets) {
		for _, f := range b.byCheck[id] {
			if f.Object == nil {
				continue
			}
			bd := bindings[f.Object.Ref()]
			i, ok := subjectIndex(f.Path)
			if bd == nil || !ok || i >= len(bd.Subjects) {
				continue
			}
			from := b.subjectNode(bd.Subjects[i])
			for _, to := range grantTargets[id](b, bd) {
				b.g.edge(Edge{From: from, To: to, Step: grantStep(id), Evidence: fromFinding(f)})
			}
		}
	}
}

// grantStep words what a grant lets a subject do to the next node.
func grantStep(checkID string) string {
	switch checkID {
	case "rbac-read-secrets":
		return "can read"
	case "rbac-create-workloads":
		return "can run pods as"
	case "rbac-create-tokens":
		return "can mint tokens of"
	case "rbac-pod-exec", "rbac-ephemeral-containers":
		return "can run commands in"
	case "rbac-nodes-proxy":
		return "can reach the kubelet of"
	case "rbac-impersonate":
		return "can act as"
	case "rbac-bind", "rbac-escalate":
		return "can grant itself"
	}
	return "has the power of"
}

// subjectIndex reads i from a finding path "subjects[i]".
func subjectIndex(path string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "subjects[")
	if !ok {
		return 0, false
	}
	n, ok := strings.CutSuffix(rest, "]")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	return i, err == nil
}

// subjectNode returns the node of an RBAC subject.
func (b *builder) subjectNode(s rbac.Subject) int {
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		return b.accountNode(s.Namespace, s.Name)
	case rbacv1.UserKind:
		return b.g.node(Node{ID: "user:" + s.Name, Kind: Identity, Label: "User " + s.Name})
	}
	return b.g.node(Node{ID: "group:" + s.Name, Kind: Identity, Label: "Group " + s.Name})
}

// memberships joins the entries and the service accounts to the groups
// the authenticator puts them in, for the groups grants name.
func (b *builder) memberships() {
	group := func(name string) int { return b.g.Node("group:" + name) }
	if g := group(rbac.GroupAuthenticated); g >= 0 {
		b.g.edge(Edge{From: b.g.Node(AuthenticatedID), To: g, Step: "is in"})
	}
	for _, id := range []string{"user:" + rbac.UserAnonymous, "group:" + rbac.GroupUnauthenticated} {
		if n := b.g.Node(id); n >= 0 {
			b.g.edge(Edge{From: b.g.Node(AnonymousID), To: n, Step: "is"})
		}
	}
	for _, ns := range sortedKeys(b.accounts) {
		for _, name := range sortedKeys(b.accounts[ns]) {
			sa := b.g.Node(accountID(ns, name))
			for _, gname := range []string{rbac.GroupServiceAccounts, "system:serviceaccounts:" + ns, rbac.GroupAuthenticated} {
				if g := group(gname); g >= 0 {
					b.g.edge(Edge{From: sa, To: g, Step: "is in"})
				}
			}
		}
	}
}

// legacyTokens joins a namespace's secrets to the service accounts whose
// long-lived token Secrets are among them.
func (b *builder) legacyTokens() {
	for _, f := range b.byCheck["legacy-sa-token-secret"] {
		if f.Object == nil {
			continue
		}
		name := f.Object.Meta.GetAnnotations()[corev1.ServiceAccountNameKey]
		if name == "" {
			continue
		}
		sa := b.accountNode(f.Object.Namespace(), name)
		for _, scope := range []string{f.Object.Namespace(), ""} {
			b.g.edge(Edge{From: b.secretsNode(scope), To: sa, Step: "holds the long-lived token of", Evidence: fromFinding(f)})
		}
	}
}

// workloadIdentityAnnotations name a service account's own cloud identity.
var workloadIdentityAnnotations = []string{"eks.amazonaws.com/role-arn", "iam.gke.io/gcp-service-account", "azure.workload.identity/client-id"}

// cloud adds the ways to a cloud identity: workloads that reach the
// metadata API (which hands out the node's), service accounts federated
// with a cloud identity, and the nodes themselves when the scan shows a
// cloud.
func (b *builder) cloud() {
	var cloud int = -1
	target := func() int {
		if cloud < 0 {
			cloud = b.g.node(Node{ID: CloudIdentityID, Kind: CloudIdentity, Label: "a cloud identity"})
		}
		return cloud
	}
	// The scan shows a cloud when a check judged one (cloud-node-identity
	// only reports on a cloud), a service account is federated with one,
	// or a Node names its provider.
	onCloud := len(b.byCheck["cloud-node-identity"]) > 0
	for _, obj := range b.inv.ByKind("Node") {
		if n, ok := obj.Obj.(*corev1.Node); ok && n.Spec.ProviderID != "" {
			onCloud = true
		}
	}
	for _, obj := range b.inv.ByKind("ServiceAccount") {
		for _, a := range workloadIdentityAnnotations {
			if _, ok := obj.Meta.GetAnnotations()[a]; ok {
				onCloud = true
				b.g.edge(Edge{From: b.accountNode(obj.Namespace(), obj.Name()), To: target(), Step: "is federated with",
					Evidence: fact(obj, "metadata.annotations["+a+"]")})
			}
		}
	}
	// A workload that reaches the metadata API borrows its node's
	// identity: surely on a cloud, possibly when the scan does not show one.
	for _, id := range []string{"cloud-node-identity", "metadata-api-reachable"} {
		for _, f := range b.byCheck[id] {
			if f.Object == nil {
				continue
			}
			b.g.edge(Edge{From: b.g.node(Node{ID: workloadID(f.Object), Kind: WorkloadNode, Label: label(f.Object), Object: f.Object, Namespace: f.Object.Namespace()}),
				To: target(), Step: "borrows through the metadata API", Possible: !onCloud, Evidence: fromFinding(f)})
		}
	}
	if !onCloud {
		return
	}
	for _, hn := range b.hosts() {
		b.g.edge(Edge{From: hn, To: target(), Step: "borrows through the metadata API", Possible: true})
	}
}

// lateral adds the connections from workload to workload that lead
// somewhere: into the workloads that have a way onward (a token worth
// having, an escape, the metadata API) and declare a port, where the
// NetworkPolicies let the source reach one. Sources whose egress is open
// reach a target through a node that stands for many: the pod network when
// the target admits everyone, else the peers of each ingress rule that
// opens one of its ports (a set of pods shared by every target the rule
// guards). Sources whose egress policies choose their peers are judged one
// by one.
func (b *builder) lateral() {
	type target struct {
		pod  *netpol.Workload
		node int
		ev   Evidence
	}
	var targets []target
	for _, p := range b.net.Pods() {
		if n := b.g.Node(workloadID(p.View.Object)); n >= 0 && len(p.Ports()) > 0 && b.leadsOn(n) {
			targets = append(targets, target{pod: p, node: n, ev: fact(p.View.Object, p.View.SpecPath)})
		}
	}
	if len(targets) == 0 {
		return
	}
	var restricted []*netpol.Workload
	for _, src := range b.net.Pods() {
		if !src.Open(netpol.Egress) {
			restricted = append(restricted, src)
		}
	}
	network := -1
	peers := map[string]int{} // peer-set node by the set's key
	for _, dst := range targets {
		sets, all := b.net.IngressPeerSets(dst.pod)
		if all {
			if network < 0 {
				network = b.g.node(Node{ID: "pod-network", Kind: Group, Label: "the pod network (pods whose NetworkPolicies let every connection through)"})
				for _, src := range b.net.Pods() {
					if src.Open(netpol.Egress) {
						b.g.edge(Edge{From: b.g.Node(workloadID(src.View.Object)), To: network, Step: "is on", Cost: freeCost,
							Evidence: fact(src.View.Object, src.View.SpecPath)})
					}
				}
			}
			b.g.edge(Edge{From: network, To: dst.node, Step: "can connect to", Evidence: dst.ev})
		}
		for _, set := range sets {
			hub, ok := peers[set.Key]
			if !ok {
				rule := set.Rule
				id := "peers:" + rule.Policy.Namespace.Name + "/" + rule.Policy.Name + "/" + rule.Path
				what := "the pods NetworkPolicy " + rule.Policy.Namespace.Name + "/" + rule.Policy.Name + " " + rule.Path + " admits"
				if set.Verdict == netpol.Unknown {
					id, what = id+"?", what+" possibly"
				}
				hub = b.g.node(Node{ID: id, Kind: Group, Label: what, Object: rule.Policy.Object})
				peers[set.Key] = hub
				set.Each(b.net, func(src *netpol.Workload) {
					if src.Open(netpol.Egress) {
						b.g.edge(Edge{From: b.g.Node(workloadID(src.View.Object)), To: hub, Step: "is among", Cost: freeCost,
							Evidence: fact(rule.Policy.Object, rule.Path)})
					}
				})
			}
			b.g.edge(Edge{From: hub, To: dst.node, Step: "can connect to", Possible: set.Verdict == netpol.Unknown, Evidence: dst.ev})
		}
		for _, src := range restricted {
			if src == dst.pod {
				continue
			}
			d := reachDeclared(b.net.Reach(netpol.PodEndpointOf(src), netpol.PodEndpointOf(dst.pod)), dst.pod)
			if d == netpol.Denied {
				continue
			}
			b.g.edge(Edge{From: b.g.Node(workloadID(src.View.Object)), To: dst.node, Step: "can connect to", Possible: d == netpol.Unknown,
				Evidence: dst.ev})
		}
	}
}

// leadsOn reports whether a workload node has a way onward: an escape, the
// metadata API, or a token of an account that can do something.
func (b *builder) leadsOn(n int) bool {
	for _, i := range b.g.out[n] {
		e := b.g.edges[i]
		switch b.g.nodes[e.To].Kind {
		case HostNode, CloudIdentity:
			return true
		case Identity:
			if len(b.g.out[e.To]) > 0 {
				return true
			}
		}
	}
	return false
}

// reachDeclared judges a reach on the ports the target declares: allowed
// when one surely is open, unknown when one may be. A target that
// declares no port listens on none kube4c knows of.
func reachDeclared(r netpol.Reach, dst *netpol.Workload) netpol.Decision {
	if r.Verdict == netpol.Denied {
		return netpol.Denied
	}
	best := netpol.Denied
	for _, p := range dst.Ports() {
		best = max(best, r.Allows(cmpProtocol(p.Protocol), p.Port))
	}
	return best
}
