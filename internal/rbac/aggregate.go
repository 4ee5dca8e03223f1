package rbac

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// aggregate fills in the rules of ClusterRoles that have an aggregation
// rule and no rules written, as the aggregation controller would: the
// rules of every other ClusterRole a selector matches, selector by
// selector, roles by name, without duplicates. Aggregated roles may feed
// each other (admin gathers edit, which gathers view), so it repeats until
// nothing changes. A role whose selector does not parse keeps no rules, as
// the controller gives up on it.
func (e *Engine) aggregate() {
	var targets []*aggregation
	for _, r := range e.roles {
		if r.Kind != KindClusterRole || r.aggregation == nil || len(r.Rules) > 0 {
			continue
		}
		sels, err := selectorsOf(r.aggregation)
		if err != nil {
			e.warnings = append(e.warnings, fmt.Sprintf("%s: aggregationRule: %v; its rules stay empty", r.Ref(), err))
			continue
		}
		r.Aggregated = true
		targets = append(targets, &aggregation{role: r, selectors: sels})
	}
	if len(targets) == 0 {
		return
	}
	byRole := map[*Role]*aggregation{}
	for _, t := range targets {
		byRole[t.role] = t
		t.findSources(e.byName())
	}
	for changed, round := true, 0; changed && round <= len(targets); round++ {
		changed = false
		for _, t := range targets {
			changed = t.gather(byRole, len(e.distinct)) || changed
		}
	}
	for _, t := range targets {
		t.fill()
	}
}

// origin is a written rule with the ID of its content.
type origin struct {
	RuleOrigin
	id int32
}

// aggregation is the state of one aggregated ClusterRole.
type aggregation struct {
	role      *Role
	selectors []labels.Selector
	sources   []*Role // matching roles, selector by selector, by name
	rules     []origin
}

func (a *aggregation) findSources(clusterRoles []*Role) {
	seen := map[*Role]bool{}
	for _, sel := range a.selectors {
		for _, src := range clusterRoles {
			if src != a.role && sel.Matches(labels.Set(src.Object.Meta.GetLabels())) {
				a.sources = append(a.sources, src)
				if !seen[src] {
					seen[src] = true
					a.role.AggregatedFrom = append(a.role.AggregatedFrom, src)
				}
			}
		}
	}
}

// gather recomputes the role's rules from its sources' current rules and
// reports whether they changed.
func (a *aggregation) gather(targets map[*Role]*aggregation, nIDs int) bool {
	seen := make([]bool, nIDs)
	var rules []origin
	add := func(o origin) {
		if !seen[o.id] {
			seen[o.id] = true
			rules = append(rules, o)
		}
	}
	for _, src := range a.sources {
		if t := targets[src]; t != nil {
			for _, o := range t.rules {
				add(o)
			}
			continue
		}
		for i, id := range src.ruleIDs {
			add(origin{RuleOrigin: src.Origins[i], id: id})
		}
	}
	changed := len(rules) != len(a.rules)
	a.rules = rules
	return changed
}

func (a *aggregation) fill() {
	r := a.role
	r.Rules = make([]rbacv1.PolicyRule, len(a.rules))
	r.Origins = make([]RuleOrigin, len(a.rules))
	r.ruleIDs = make([]int32, len(a.rules))
	for i, o := range a.rules {
		r.Rules[i] = o.Role.Rules[o.Index]
		r.Origins[i] = o.RuleOrigin
		r.ruleIDs[i] = o.id
	}
}

// byName returns the ClusterRoles sorted by name.
func (e *Engine) byName() []*Role {
	if e.clusterRolesByName == nil {
		for _, r := range e.roles {
			if r.Kind == KindClusterRole {
				e.clusterRolesByName = append(e.clusterRolesByName, r)
			}
		}
		slices.SortStableFunc(e.clusterRolesByName, func(a, b *Role) int { return strings.Compare(a.Name, b.Name) })
	}
	return e.clusterRolesByName
}

func selectorsOf(agg *rbacv1.AggregationRule) ([]labels.Selector, error) {
	out := make([]labels.Selector, 0, len(agg.ClusterRoleSelectors))
	for i := range agg.ClusterRoleSelectors {
		sel, err := metav1.LabelSelectorAsSelector(&agg.ClusterRoleSelectors[i])
		if err != nil {
			return nil, err
		}
		out = append(out, sel)
	}
	return out, nil
}

// intern gives every distinct written rule an ID, so that rules copied by
// aggregation are matched once per query.
func (e *Engine) intern() {
	ids := map[string]int32{}
	for _, r := range e.roles {
		r.ruleIDs = make([]int32, len(r.Rules))
		for i := range r.Rules {
			k := ruleKey(&r.Rules[i])
			id, ok := ids[k]
			if !ok {
				id = int32(len(e.distinct))
				ids[k] = id
				e.distinct = append(e.distinct, &r.Rules[i])
			}
			r.ruleIDs[i] = id
		}
	}
}

// ruleKey identifies a rule by its content.
func ruleKey(r *rbacv1.PolicyRule) string {
	var b strings.Builder
	for _, list := range [][]string{r.Verbs, r.APIGroups, r.Resources, r.ResourceNames, r.NonResourceURLs} {
		for _, v := range list {
			b.WriteString(v)
			b.WriteByte(0)
		}
		b.WriteByte(1)
	}
	return b.String()
}
