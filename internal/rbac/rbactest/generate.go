// Package rbactest generates random RBAC worlds and compares authorizers
// on them: kube4c's engine, its who-can and can views, and (against a
// live cluster) the API server's SubjectAccessReview.
package rbactest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/rbac"
)

// Options size a generated world.
type Options struct {
	// Seed makes the world reproducible.
	Seed uint64
	// Roles and Bindings are how many of each to generate (of both kinds).
	Roles, Bindings int
	// Cases is how many (identity, query) pairs to generate.
	Cases int
}

// World is a generated set of RBAC objects with identities and queries to
// ask about them. Every object is valid for the API server, so the world
// can be applied to a real cluster.
type World struct {
	// Objects are Roles, ClusterRoles, RoleBindings and ClusterRoleBindings
	// (rbac/v1), roles first.
	Objects []runtime.Object
	// Identities are the users the cases ask about, with their groups.
	Identities []rbac.Identity
	// Cases pair an identity with a query.
	Cases []Case
}

// Case is one question: may the identity make the query?
type Case struct {
	Identity rbac.Identity
	Query    rbac.Query
}

// The vocabulary worlds are drawn from. Names are prefixed so that a world
// applied to a cluster does not collide with the cluster's own objects.
var (
	namespaces = []string{"default", "kube-system", "team-a", "team-b"}
	verbs      = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "approve"}
	groups     = []string{"", "apps", "batch", "rbac.authorization.k8s.io", "certificates.k8s.io", "example.com"}
	resources  = []string{"pods", "secrets", "configmaps", "deployments", "jobs", "roles", "nodes", "widgets", "serviceaccounts"}
	subs       = []string{"exec", "log", "status", "scale", "token"}
	objNames   = []string{"a", "b", "aws-auth"}
	urls       = []string{"/metrics", "/healthz", "/healthz/ready", "/api", "/apis/apps", "/logs/x", "/version"}
	ruleURLs   = []string{"/metrics", "/healthz", "/healthz/*", "/api*", "/apis/*", "/logs/", "/version", "*"}
	users      = []string{"alice", "bob", "carol", "erin", "frank", rbac.ServiceAccountUser("team-a", "builder")}
	userGroups = []string{"devs", "ops", "auditors"}
	sysGroups  = []string{rbac.GroupAuthenticated, rbac.GroupServiceAccounts, "system:serviceaccounts:team-a", rbac.GroupUnauthenticated}
	sas        = [][2]string{{"team-a", "builder"}, {"team-a", "default"}, {"team-b", "deployer"}, {"kube-system", "default"}}
	labelKeys  = []string{"k4c.test/agg-a", "k4c.test/agg-b", "k4c.test/tier"}
	labelVals  = []string{"true", "x", "y"}
)

type generator struct {
	r       *rand.Rand
	cluster []string            // ClusterRole names
	roles   map[string][]string // Role names by namespace
}

// Generate builds a world. The same options give the same world.
func Generate(opts Options) *World {
	g := &generator{r: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)), roles: map[string][]string{}}
	w := &World{}
	for i := range opts.Roles {
		w.Objects = append(w.Objects, g.role(i))
	}
	for i := range opts.Bindings {
		w.Objects = append(w.Objects, g.binding(i))
	}
	w.Identities = g.identities()
	for range opts.Cases {
		w.Cases = append(w.Cases, Case{Identity: w.Identities[g.r.IntN(len(w.Identities))], Query: g.query()})
	}
	return w
}

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g *generator, list []T) T { return list[g.r.IntN(len(list))] }

// some returns 1 to max distinct items of list, with the wildcard (if not
// "") instead of them now and then.
func (g *generator) some(list []string, max int, wildcard string) []string {
	if wildcard != "" && g.chance(0.03) {
		return []string{wildcard}
	}
	n := 1 + g.r.IntN(max)
	var out []string
	for _, i := range g.r.Perm(len(list))[:min(n, len(list))] {
		out = append(out, list[i])
	}
	return out
}

func (g *generator) role(i int) runtime.Object {
	name := "k4c-role-" + strconv.Itoa(i)
	if g.chance(0.35) {
		ns := pick(g, namespaces)
		g.roles[ns] = append(g.roles[ns], name)
		return &rbacv1.Role{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: rbac.KindRole},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Rules:      g.rules(false),
		}
	}
	name = "k4c-cr-" + strconv.Itoa(i)
	g.cluster = append(g.cluster, name)
	cr := &rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: rbac.KindClusterRole},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: g.labels()},
	}
	if g.chance(0.08) {
		cr.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: g.selectors()}
	} else {
		cr.Rules = g.rules(true)
	}
	return cr
}

func (g *generator) labels() map[string]string {
	out := map[string]string{}
	for _, k := range labelKeys {
		if g.chance(0.15) {
			out[k] = pick(g, labelVals)
		}
	}
	return out
}

func (g *generator) selectors() []metav1.LabelSelector {
	var out []metav1.LabelSelector
	for range 1 + g.r.IntN(2) {
		var s metav1.LabelSelector
		if g.chance(0.5) {
			s.MatchLabels = map[string]string{pick(g, labelKeys): pick(g, labelVals)}
		} else {
			req := metav1.LabelSelectorRequirement{Key: pick(g, labelKeys)}
			switch g.r.IntN(4) {
			case 0:
				req.Operator, req.Values = metav1.LabelSelectorOpIn, g.some(labelVals, 2, "")
			case 1:
				req.Operator, req.Values = metav1.LabelSelectorOpNotIn, g.some(labelVals, 2, "")
			case 2:
				req.Operator = metav1.LabelSelectorOpExists
			default:
				req.Operator = metav1.LabelSelectorOpDoesNotExist
			}
			s.MatchExpressions = []metav1.LabelSelectorRequirement{req}
			// NotIn and DoesNotExist alone match most roles.
			if req.Operator == metav1.LabelSelectorOpNotIn || req.Operator == metav1.LabelSelectorOpDoesNotExist || g.chance(0.3) {
				s.MatchLabels = map[string]string{pick(g, labelKeys): "true"}
			}
		}
		out = append(out, s)
	}
	return out
}

func (g *generator) rules(cluster bool) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, 1+g.r.IntN(3))
	for i := range out {
		out[i] = g.rule(cluster)
	}
	return out
}

func (g *generator) rule(cluster bool) rbacv1.PolicyRule {
	if cluster && g.chance(0.15) {
		return rbacv1.PolicyRule{Verbs: g.some(verbs, 2, "*"), NonResourceURLs: g.some(ruleURLs, 2, "")}
	}
	r := rbacv1.PolicyRule{Verbs: g.some(verbs, 3, "*"), APIGroups: g.some(groups, 2, "*")}
	for range 1 + g.r.IntN(3) {
		res := pick(g, resources)
		switch n := g.r.IntN(10); {
		case n == 0:
			res = "*"
		case n < 3:
			res += "/" + pick(g, subs)
		case n == 3:
			res = "*/" + pick(g, subs)
		}
		r.Resources = append(r.Resources, res)
	}
	if g.chance(0.2) {
		r.ResourceNames = g.some(objNames, 2, "")
	}
	return r
}

func (g *generator) binding(i int) runtime.Object {
	subjects := g.subjects()
	if g.chance(0.4) {
		return &rbacv1.ClusterRoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: rbac.KindClusterRoleBinding},
			ObjectMeta: metav1.ObjectMeta{Name: "k4c-crb-" + strconv.Itoa(i)},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: rbac.KindClusterRole, Name: g.clusterRoleName()},
			Subjects:   withNamespaces(subjects, ""),
		}
	}
	ns := pick(g, namespaces)
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: rbac.KindClusterRole, Name: g.clusterRoleName()}
	if local := g.roles[ns]; len(local) > 0 && g.chance(0.5) {
		ref.Kind, ref.Name = rbac.KindRole, pick(g, local)
	}
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: rbac.KindRoleBinding},
		ObjectMeta: metav1.ObjectMeta{Name: "k4c-rb-" + strconv.Itoa(i), Namespace: ns},
		RoleRef:    ref,
		Subjects:   withNamespaces(subjects, ns),
	}
}

// clusterRoleName names a generated ClusterRole, or now and then one that
// does not exist.
func (g *generator) clusterRoleName() string {
	if len(g.cluster) == 0 || g.chance(0.05) {
		return "k4c-missing"
	}
	return pick(g, g.cluster)
}

func (g *generator) subjects() []rbacv1.Subject {
	out := make([]rbacv1.Subject, 1+g.r.IntN(3))
	for i := range out {
		switch n := g.r.IntN(40); {
		case n < 16:
			out[i] = rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: pick(g, users)}
		case n < 24:
			out[i] = rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: pick(g, userGroups)}
		case n < 25:
			out[i] = rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: pick(g, sysGroups)}
		default:
			sa := pick(g, sas)
			out[i] = rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: sa[0], Name: sa[1]}
			if g.chance(0.3) {
				out[i].Namespace = "" // the binding's namespace, in a RoleBinding
			}
		}
	}
	return out
}

// withNamespaces makes the subjects valid for the API server: a
// ClusterRoleBinding's service accounts need a namespace.
func withNamespaces(subjects []rbacv1.Subject, bindingNamespace string) []rbacv1.Subject {
	for i := range subjects {
		if subjects[i].Kind == rbacv1.ServiceAccountKind && subjects[i].Namespace == "" && bindingNamespace == "" {
			subjects[i].Namespace = "team-a"
		}
	}
	return subjects
}

func (g *generator) identities() []rbac.Identity {
	var out []rbac.Identity
	for _, u := range []string{"alice", "bob", "carol", "dave"} {
		out = append(out, rbac.IdentityOf(rbac.Subject{Kind: rbacv1.UserKind, Name: u}))
	}
	for _, sa := range sas {
		out = append(out, rbac.IdentityOf(rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: sa[0], Name: sa[1]}))
	}
	out = append(out,
		rbac.IdentityOf(rbac.Subject{Kind: rbacv1.UserKind, Name: "erin"}, "devs"),
		rbac.IdentityOf(rbac.Subject{Kind: rbacv1.UserKind, Name: "frank"}, "ops", "auditors"),
		rbac.IdentityOf(rbac.Subject{Kind: rbacv1.UserKind, Name: "grace"}, "auditors"),
		rbac.IdentityOf(rbac.Subject{Kind: rbacv1.UserKind, Name: rbac.UserAnonymous}),
		rbac.IdentityOf(rbac.Subject{Kind: rbacv1.UserKind, Name: "root"}, rbac.GroupMasters),
	)
	return out
}

func (g *generator) query() rbac.Query {
	q := rbac.Query{Verb: pick(g, verbs)}
	if g.chance(0.03) {
		q.Verb = "*"
	}
	if g.chance(0.12) {
		q.URL = pick(g, urls)
		return q
	}
	q.Group, q.Resource = pick(g, groups), pick(g, resources)
	if g.chance(0.25) {
		q.Subresource = pick(g, subs)
	}
	if g.chance(0.3) {
		q.Name = pick(g, objNames)
	}
	if g.chance(0.8) {
		q.Namespace = pick(g, namespaces)
	}
	return q
}

// Inventory returns the world's objects as an inventory.
func (w *World) Inventory() *inventory.Inventory {
	objs := make([]*inventory.Object, len(w.Objects))
	for i, o := range w.Objects {
		meta, err := metaOf(o)
		if err != nil {
			panic(err)
		}
		objs[i] = &inventory.Object{GVK: o.GetObjectKind().GroupVersionKind(), Obj: o, Meta: meta}
	}
	return inventory.New(objs)
}

func metaOf(o runtime.Object) (metav1.Object, error) {
	m, ok := o.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("%T has no metadata", o)
	}
	return m, nil
}

// Manifest returns the world's objects as a multi-document YAML stream,
// ready for kubectl apply or kube4c.
func (w *World) Manifest() ([]byte, error) {
	var buf bytes.Buffer
	for _, o := range w.Objects {
		b, err := yaml.Marshal(o)
		if err != nil {
			return nil, err
		}
		buf.WriteString("---\n")
		buf.Write(b)
	}
	return buf.Bytes(), nil
}
