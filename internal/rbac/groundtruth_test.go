package rbac_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/component-helpers/auth/rbac/validation"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/rbac"
	"github.com/kube4c/kube4c/internal/rbac/rbactest"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

// reference is an authorizer written apart from the engine, on the typed
// objects of a world: it resolves bindings as the upstream rule resolver
// does (ClusterRoleBindings, then the RoleBindings of the request's
// namespace) and asks k8s.io/component-helpers' validation.Covers, the API
// server's own rule-coverage helper, whether the rules cover the request.
type reference struct {
	clusterRoles map[string]*rbacv1.ClusterRole
	roles        map[string]*rbacv1.Role // by namespace/name
	crbs         []*rbacv1.ClusterRoleBinding
	rbs          map[string][]*rbacv1.RoleBinding
}

func newReference(objs []runtime.Object) *reference {
	r := &reference{clusterRoles: map[string]*rbacv1.ClusterRole{}, roles: map[string]*rbacv1.Role{}, rbs: map[string][]*rbacv1.RoleBinding{}}
	for _, o := range objs {
		switch o := o.(type) {
		case *rbacv1.ClusterRole:
			r.clusterRoles[o.Name] = o.DeepCopy()
		case *rbacv1.Role:
			r.roles[o.Namespace+"/"+o.Name] = o
		case *rbacv1.ClusterRoleBinding:
			r.crbs = append(r.crbs, o)
		case *rbacv1.RoleBinding:
			r.rbs[o.Namespace] = append(r.rbs[o.Namespace], o)
		}
	}
	r.aggregate()
	return r
}

// aggregate fills in aggregated ClusterRoles until nothing changes.
func (r *reference) aggregate() {
	for changed := true; changed; {
		changed = false
		for _, target := range r.clusterRoles {
			if target.AggregationRule == nil {
				continue
			}
			set := map[string]rbacv1.PolicyRule{}
			for _, sel := range target.AggregationRule.ClusterRoleSelectors {
				s, err := metav1.LabelSelectorAsSelector(&sel)
				if err != nil {
					panic(err)
				}
				for _, src := range r.clusterRoles {
					if src.Name != target.Name && s.Matches(labels.Set(src.Labels)) {
						for _, rule := range src.Rules {
							set[fmt.Sprint(rule)] = rule
						}
					}
				}
			}
			if len(set) != len(target.Rules) {
				target.Rules = target.Rules[:0]
				for _, rule := range set {
					target.Rules = append(target.Rules, rule)
				}
				changed = true
			}
		}
	}
}

func (r *reference) Authorize(_ context.Context, id rbac.Identity, q rbac.Query) (bool, error) {
	if slices.Contains(id.Groups, "system:masters") {
		return true, nil
	}
	for _, b := range r.crbs {
		if cr := r.clusterRoles[b.RoleRef.Name]; b.RoleRef.Kind == "ClusterRole" && cr != nil && applies(id, b.Subjects, "") && covers(cr.Rules, q) {
			return true, nil
		}
	}
	if q.Namespace == "" {
		return false, nil
	}
	for _, b := range r.rbs[q.Namespace] {
		var rules []rbacv1.PolicyRule
		switch b.RoleRef.Kind {
		case "ClusterRole":
			if cr := r.clusterRoles[b.RoleRef.Name]; cr != nil {
				rules = cr.Rules
			}
		case "Role":
			if role := r.roles[q.Namespace+"/"+b.RoleRef.Name]; role != nil {
				rules = role.Rules
			}
		}
		if applies(id, b.Subjects, q.Namespace) && covers(rules, q) {
			return true, nil
		}
	}
	return false, nil
}

func applies(id rbac.Identity, subjects []rbacv1.Subject, namespace string) bool {
	for _, s := range subjects {
		switch s.Kind {
		case "User":
			if id.User == s.Name {
				return true
			}
		case "Group":
			if slices.Contains(id.Groups, s.Name) {
				return true
			}
		case "ServiceAccount":
			ns := s.Namespace
			if ns == "" {
				ns = namespace
			}
			if ns != "" && id.User == "system:serviceaccount:"+ns+":"+s.Name {
				return true
			}
		}
	}
	return false
}

func covers(rules []rbacv1.PolicyRule, q rbac.Query) bool {
	want := rbacv1.PolicyRule{Verbs: []string{q.Verb}}
	if q.NonResource() {
		want.NonResourceURLs = []string{q.URL}
	} else {
		want.APIGroups = []string{q.Group}
		want.Resources = []string{q.Resource}
		if q.Subresource != "" {
			want.Resources[0] += "/" + q.Subresource
		}
		if q.Name != "" {
			want.ResourceNames = []string{q.Name}
		}
	}
	ok, _ := validation.Covers(rules, []rbacv1.PolicyRule{want})
	return ok
}

var groundTruthSeeds = []uint64{1, 2, 3, 4, 5}

func generate(seed uint64) *rbactest.World {
	return rbactest.Generate(rbactest.Options{Seed: seed, Roles: 120, Bindings: 120, Cases: 2000})
}

// TestGroundTruth compares the engine, who-can and can with the reference
// authorizer, and who-can with can, on random worlds of 240 roles and
// bindings and 2,000 cases each. A live test plugs the API server's
// SubjectAccessReview in as the reference.
func TestGroundTruth(t *testing.T) {
	ctx := context.Background()
	for _, seed := range groundTruthSeeds {
		w := generate(seed)
		e := rbac.New(w.Inventory(), rbac.Options{})
		ref := newReference(w.Objects)
		pairs := []struct {
			name      string
			want, got rbactest.Authorizer
		}{
			{"engine vs reference", ref, rbactest.Engine(e)},
			{"who-can vs reference", ref, rbactest.WhoCan(e)},
			{"can vs reference", ref, rbactest.Can(e)},
			{"who-can vs can", rbactest.Can(e), rbactest.WhoCan(e)},
		}
		for _, p := range pairs {
			rep, err := rbactest.Compare(ctx, p.want, p.got, w.Cases)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Cases < 2000 || rep.Allowed < rep.Cases/10 || rep.Allowed > rep.Cases*9/10 {
				t.Errorf("seed %d %s: %d cases, %d allowed: the world does not discriminate", seed, p.name, rep.Cases, rep.Allowed)
			}
			for i, d := range rep.Disagreements {
				if i == 5 {
					t.Errorf("... %d more", len(rep.Disagreements)-5)
					break
				}
				t.Errorf("seed %d %s: %s", seed, p.name, d)
			}
			if p.name == "engine vs reference" {
				t.Logf("seed %d: %d objects, %d cases, %d allowed, agreement %.2f%%", seed, len(w.Objects), rep.Cases, rep.Allowed, 100*rep.Agreement())
			}
		}
	}
}

// TestWhoCanListsOnlySubjectsCanAllows checks the subjects themselves:
// every subject who-can lists for a query, taken as an identity, is
// allowed the query by its can rules.
func TestWhoCanListsOnlySubjectsCanAllows(t *testing.T) {
	for _, seed := range groundTruthSeeds {
		w := generate(seed)
		e := rbac.New(w.Inventory(), rbac.Options{})
		checked := 0
		can := rbactest.Can(e)
		for _, c := range w.Cases {
			for _, g := range e.WhoCan(c.Query, false) {
				id := rbac.IdentityOf(g.Subject)
				if g.Implicit() {
					id = rbac.IdentityOf(rbac.Subject{Kind: "User", Name: "root"}, rbac.GroupMasters)
				}
				checked++
				if ok, _ := can.Authorize(context.Background(), id, c.Query); !ok {
					t.Fatalf("seed %d: who-can %s lists %s, whose can rules do not allow it", seed, c.Query.String(), g.Subject)
				}
			}
		}
		if checked < 2000 {
			t.Errorf("seed %d: only %d listed subjects", seed, checked)
		}
	}
}

// TestWorldManifestRoundTrip writes a world as YAML, loads it as files are
// loaded, and expects the same answers.
func TestWorldManifestRoundTrip(t *testing.T) {
	w := generate(7)
	text, err := w.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{manifest.Stdin}, manifest.Options{Stdin: bytes.NewReader(text)})
	if len(res.Errors) > 0 || len(res.Objects) != len(w.Objects) {
		t.Fatalf("%d objects, errors %v", len(res.Objects), res.Errors)
	}
	rep, err := rbactest.Compare(context.Background(), rbactest.Engine(rbac.New(w.Inventory(), rbac.Options{})), rbactest.Engine(rbac.New(inventory.New(res.Objects), rbac.Options{})), w.Cases)
	if err != nil || len(rep.Disagreements) > 0 {
		t.Fatalf("%v: %v", err, rep.Disagreements)
	}
}

func TestWorldIsLargeAndVaried(t *testing.T) {
	w := generate(1)
	kinds := map[string]int{}
	var aggregated, urlRules, named, wildcards, subresources int
	for _, o := range w.Objects {
		kinds[o.GetObjectKind().GroupVersionKind().Kind]++
		var rules []rbacv1.PolicyRule
		switch o := o.(type) {
		case *rbacv1.ClusterRole:
			rules = o.Rules
			if o.AggregationRule != nil {
				aggregated++
			}
		case *rbacv1.Role:
			rules = o.Rules
		}
		for _, r := range rules {
			urlRules += min(len(r.NonResourceURLs), 1)
			named += min(len(r.ResourceNames), 1)
			if slices.Contains(r.Verbs, "*") || slices.Contains(r.Resources, "*") || slices.Contains(r.APIGroups, "*") {
				wildcards++
			}
			if slices.ContainsFunc(r.Resources, func(s string) bool { return bytes.ContainsRune([]byte(s), '/') }) {
				subresources++
			}
		}
	}
	if len(w.Objects) < 200 || aggregated == 0 || urlRules == 0 || named == 0 || wildcards == 0 || subresources == 0 || len(kinds) != 4 {
		t.Errorf("world: %d objects %v, %d aggregated, %d URL rules, %d named, %d wildcard, %d subresource", len(w.Objects), kinds, aggregated, urlRules, named, wildcards, subresources)
	}
}

// TestGroundTruthExercisesEveryRule makes sure the allowed cases of the
// worlds go through every matching rule, so that agreement means something.
func TestGroundTruthExercisesEveryRule(t *testing.T) {
	features := map[string]func(g *rbac.Grant, rule *rbacv1.PolicyRule) bool{
		"verb *":                     func(_ *rbac.Grant, r *rbacv1.PolicyRule) bool { return slices.Contains(r.Verbs, "*") },
		"apiGroup *":                 func(_ *rbac.Grant, r *rbacv1.PolicyRule) bool { return slices.Contains(r.APIGroups, "*") },
		"resource *":                 func(_ *rbac.Grant, r *rbacv1.PolicyRule) bool { return slices.Contains(r.Resources, "*") },
		"resource */sub":             func(_ *rbac.Grant, r *rbacv1.PolicyRule) bool { return hasPrefix(r.Resources, "*/") },
		"resourceNames":              func(_ *rbac.Grant, r *rbacv1.PolicyRule) bool { return len(r.ResourceNames) > 0 },
		"URL prefix":                 func(_ *rbac.Grant, r *rbacv1.PolicyRule) bool { return hasSuffix(r.NonResourceURLs, "*") },
		"aggregated role":            func(g *rbac.Grant, _ *rbacv1.PolicyRule) bool { return g.Role.Aggregated },
		"RoleBinding to ClusterRole": func(g *rbac.Grant, _ *rbacv1.PolicyRule) bool { return g.Scope != "" && g.Role.Kind == "ClusterRole" },
		"service account group": func(g *rbac.Grant, _ *rbacv1.PolicyRule) bool {
			return hasPrefix([]string{g.Subject.Name}, "system:serviceaccounts")
		},
		"defaulted SA namespace": func(g *rbac.Grant, _ *rbacv1.PolicyRule) bool { return defaultedNamespace(g) },
	}
	seen := map[string]int{}
	for _, seed := range groundTruthSeeds {
		w := generate(seed)
		e := rbac.New(w.Inventory(), rbac.Options{})
		for _, c := range w.Cases {
			for _, g := range e.WhoCan(c.Query, false) {
				if g.Implicit() || !g.Allows(c.Identity) {
					continue
				}
				for _, i := range g.Rules {
					for name, has := range features {
						if has(&g, &g.Role.Rules[i]) {
							seen[name]++
						}
					}
				}
			}
		}
	}
	for name := range features {
		if seen[name] == 0 {
			t.Errorf("no allowed case goes through %s", name)
		}
	}
	t.Logf("allowed grants by feature: %v", seen)
}

func hasPrefix(list []string, prefix string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

func hasSuffix(list []string, suffix string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.HasSuffix(s, suffix) })
}

// defaultedNamespace reports whether the grant's subject is a service
// account whose namespace the RoleBinding left out.
func defaultedNamespace(g *rbac.Grant) bool {
	b, ok := g.Binding.Object.Obj.(*rbacv1.RoleBinding)
	if !ok || g.Subject.Kind != "ServiceAccount" {
		return false
	}
	return slices.ContainsFunc(b.Subjects, func(s rbacv1.Subject) bool {
		return s.Kind == "ServiceAccount" && s.Name == g.Subject.Name && s.Namespace == ""
	})
}
