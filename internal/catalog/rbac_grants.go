package catalog

import (
	"fmt"
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/rbac"
)

// rbacKinds are the kinds the RBAC checks read.
var rbacKinds = []string{"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}

// privilegedScope reports whether a grant's scope is privileged: cluster-wide
// ("") or kube-system, where the control plane's credentials live.
func privilegedScope(scope string) bool { return scope == "" || scope == "kube-system" }

// probe is a request that a risky permission lets a subject make.
type probe struct {
	verbs []string
	group string
	// resources are "resource" or "resource/subresource"; "resource/*"
	// stands for any subresource.
	resources []string
	// name is the object name the request carries ("" for none).
	name string
	// anyName: the request always names an object (exec, proxy, update),
	// so a rule limited to names still grants it, for those objects.
	anyName bool
	// clusterScoped: the resource is cluster-scoped, so only cluster-wide
	// grants (ClusterRoleBindings) reach it.
	clusterScoped bool
}

// allows reports whether the rule lets a grant of the scope make one of the
// probe's requests.
func (p *probe) allows(r *rbacv1.PolicyRule, scope string) bool {
	if p.clusterScoped && scope != "" {
		return false
	}
	for _, verb := range p.verbs {
		for _, res := range p.resources {
			q := rbac.Query{Verb: verb, Group: p.group, Name: p.name}
			q.Resource, q.Subresource, _ = strings.Cut(res, "/")
			if p.anyName && len(r.ResourceNames) > 0 {
				q.Name = r.ResourceNames[0]
			}
			if q.Subresource == "*" {
				if anySubresource(r, q) {
					return true
				}
				continue
			}
			if rbac.RuleAllows(r, &q) {
				return true
			}
		}
	}
	return false
}

// anySubresource reports whether the rule allows q for some subresource
// of q's resource: the rule names one ("R/S" or "*/S") or all ("*").
func anySubresource(r *rbacv1.PolicyRule, q rbac.Query) bool {
	for _, res := range r.Resources {
		head, sub, ok := strings.Cut(res, "/")
		switch {
		case res == rbacv1.ResourceAll:
			q.Subresource = "any"
		case ok && (head == q.Resource || head == rbacv1.ResourceAll):
			q.Subresource = sub
		default:
			continue
		}
		if rbac.RuleAllows(r, &q) {
			return true
		}
	}
	return false
}

// risk is what a check built on grants looks for.
type risk struct {
	// what completes "SUBJECT can ...", e.g. "read secrets".
	what   string
	probes []probe
	// scopes limits the grant scopes that count; nil counts all.
	scopes func(scope string) bool
	// severity gives a severity by scope; nil keeps the check's.
	severity func(scope string) check.Severity
	// judge, when set, rates a grant itself: its severity (zero keeps
	// severity's), what it lets the subject do and a note for the message.
	judge func(ctx *check.Context, g grant) (sev check.Severity, what, note string)

	// id and defaultSeverity are the check's, set by registerRisk.
	id              string
	defaultSeverity check.Severity
}

// risks are the registered risks, for rating what an account can do.
var risks []*risk

// severityIn returns the severity of the risk granted in scope.
func (k *risk) severityIn(scope string) check.Severity {
	if k.severity != nil {
		return k.severity(scope)
	}
	return k.defaultSeverity
}

func (k *risk) allows(r *rbacv1.PolicyRule, scope string) bool {
	if k.scopes != nil && !k.scopes(scope) {
		return false
	}
	for i := range k.probes {
		if k.probes[i].allows(r, scope) {
			return true
		}
	}
	return false
}

// run reports every subject a binding grants the risk to.
func (k *risk) run(ctx *check.Context) {
	e := ctx.RBAC()
	for _, g := range grantsWhere(e, k.allows) {
		sev, what, note := check.Unset, k.what, ""
		if k.judge != nil {
			sev, what, note = k.judge(ctx, g)
		}
		if sev == check.Unset {
			sev = k.severityIn(g.binding.Scope())
		}
		reportSubject(ctx, g.binding, g.subject, check.Finding{Severity: sev, Message: grantMessage(g, what) + note, Folded: &check.Folded{Summary: what}})
	}
}

// registerRisk registers a cluster-layer check that reports the subjects a
// binding grants the risk to.
func registerRisk(c *check.Check, k *risk) {
	c.Run = k.run
	k.id, k.defaultSeverity = c.ID, c.Severity
	risks = append(risks, k)
	registerRBAC(c)
}

// registerRBAC registers a check of the RBAC layer; a check that judges
// grants joins their fold.
func registerRBAC(c *check.Check) {
	c.Layer = check.LayerCluster
	c.Reads = rbacKinds
	// A RoleBinding grants a ClusterRole, to subjects of any namespace.
	c.Scope = check.ScopeCluster
	c.Fold = foldOf(c.ID)
	check.Register(c)
}

// grant is one subject of a binding together with the rules of the bound
// role that matter.
type grant struct {
	binding *rbac.Binding
	subject int
	rules   []int
}

// grantsWhere returns, for every binding whose role has a rule that match
// accepts, each subject of the binding with those rules. The group
// system:masters is left out (its members are superusers whatever the
// bindings say), and so are subjects that name nobody.
func grantsWhere(e *rbac.Engine, match func(r *rbacv1.PolicyRule, scope string) bool) []grant {
	type roleScope struct {
		role  *rbac.Role
		scope string
	}
	memo := map[roleScope][]int{}
	var out []grant
	for _, b := range e.Bindings() {
		if b.Role == nil {
			continue
		}
		key := roleScope{b.Role, b.Scope()}
		rules, ok := memo[key]
		if !ok {
			for i := range b.Role.Rules {
				if match(&b.Role.Rules[i], b.Scope()) {
					rules = append(rules, i)
				}
			}
			memo[key] = rules
		}
		if len(rules) == 0 {
			continue
		}
		for i, s := range b.Subjects {
			if reportable(s) {
				out = append(out, grant{binding: b, subject: i, rules: rules})
			}
		}
	}
	return out
}

func reportable(s rbac.Subject) bool {
	return s.Matchable() && !(s.Kind == rbacv1.GroupKind && s.Name == rbac.GroupMasters)
}

// reportGrant reports the grant on the binding's subject, naming the
// binding, the role and the rules.
func reportGrant(ctx *check.Context, g grant, what string, sev check.Severity) {
	reportSubject(ctx, g.binding, g.subject, check.Finding{Severity: sev, Message: grantMessage(g, what), Folded: &check.Folded{Summary: what}})
}

// reportSubject reports f at subject i of binding b. What Kubernetes'
// bootstrap policy grants by design (b.Expected(i)) is reported only with
// --include-builtin, at info, saying so: a gate must be able to pass on a
// cluster that holds nothing else.
func reportSubject(ctx *check.Context, b *rbac.Binding, i int, f check.Finding) {
	f.Object, f.Path = b.Object, subjectPath(i)
	switch {
	case b.Expected(i):
		if !ctx.IncludeBuiltin {
			return
		}
		f.Severity = check.Info
		f.Message += " (built-in, expected: the bootstrap policy of Kubernetes " + b.Role.BuiltinVersion + " grants it)"
	case b.AddedSubject(i):
		f.Message += " (the subject was added to a built-in binding)"
	}
	ctx.ReportFinding(f)
}

// grantMessage says who can do what where, and through which chain.
func grantMessage(g grant, what string) string {
	b := g.binding
	return subjectPhrase(b.Subjects[g.subject]) + " can " + what + " " + scopePhrase(b.Scope()) + ": " + chain(b, g.rules)
}

func subjectPath(i int) string { return "subjects[" + strconv.Itoa(i) + "]" }

// subjectPhrase names a subject in a message: ServiceAccount "ns/name".
func subjectPhrase(s rbac.Subject) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		return s.Kind + " " + quote(s.Namespace+"/"+s.Name)
	}
	return s.Kind + " " + quote(s.Name)
}

func scopePhrase(scope string) string {
	if scope == "" {
		return "cluster-wide"
	}
	return "in namespace " + quote(scope)
}

// maxChainRules is how many rules a message spells out.
const maxChainRules = 3

// chain describes binding → role → rules, with where aggregated rules
// are written.
func chain(b *rbac.Binding, rules []int) string {
	r := b.Role
	var parts []string
	for _, idx := range rules[:min(len(rules), maxChainRules)] {
		part := "rules[" + strconv.Itoa(idx) + "]"
		if o := r.Origins[idx]; o.Role != r {
			part += fmt.Sprintf(" (aggregated from %s rules[%d])", rolePhrase(o.Role), o.Index)
		}
		parts = append(parts, part+": "+rbac.RuleString(&r.Rules[idx]))
	}
	if more := len(rules) - maxChainRules; more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return fmt.Sprintf("%s %s → %s %s", b.Kind, quote(refName(b.Namespace, b.Name)), rolePhrase(r), strings.Join(parts, "; "))
}

// rolePhrase names a role in a message, saying when it is built in to
// Kubernetes (supplied by kube4c when the input lacks it) or changes a
// built-in role: `built-in ClusterRole "admin"`.
func rolePhrase(r *rbac.Role) string {
	name := r.Kind + " " + quote(refName(r.Namespace, r.Name))
	switch r.Builtin {
	case rbac.BuiltinSupplied, rbac.BuiltinAsShipped:
		return "built-in " + name
	case rbac.BuiltinChanged:
		return name + " (changed from the built-in one)"
	}
	return name
}

func refName(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// verbsOf lists verbs for probes, to keep tables short.
func verbsOf(s string) []string { return strings.Fields(s) }
