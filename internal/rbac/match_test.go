package rbac

import (
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

func TestRuleAllows(t *testing.T) {
	res := func(verbs, groups, resources, names []string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources, ResourceNames: names}
	}
	url := func(verbs, urls []string) rbacv1.PolicyRule {
		return rbacv1.PolicyRule{Verbs: verbs, NonResourceURLs: urls}
	}
	l := func(s ...string) []string { return s }
	core := l("")
	tests := []struct {
		name string
		rule rbacv1.PolicyRule
		q    Query
		want bool
	}{
		{"exact", res(l("get"), core, l("pods"), nil), Query{Verb: "get", Resource: "pods"}, true},
		{"other verb", res(l("get"), core, l("pods"), nil), Query{Verb: "list", Resource: "pods"}, false},
		{"verb *", res(l("*"), core, l("pods"), nil), Query{Verb: "escalate", Resource: "pods"}, true},
		{"query verb * needs rule *", res(l("get", "list"), core, l("pods"), nil), Query{Verb: "*", Resource: "pods"}, false},
		{"core group is empty string", res(l("get"), core, l("deployments"), nil), Query{Verb: "get", Group: "apps", Resource: "deployments"}, false},
		{"group *", res(l("get"), l("*"), l("deployments"), nil), Query{Verb: "get", Group: "apps", Resource: "deployments"}, true},
		{"group * covers core", res(l("get"), l("*"), l("pods"), nil), Query{Verb: "get", Resource: "pods"}, true},
		{"named group", res(l("get"), l("apps"), l("deployments"), nil), Query{Verb: "get", Group: "apps", Resource: "deployments"}, true},
		{"no groups", res(l("get"), nil, l("pods"), nil), Query{Verb: "get", Resource: "pods"}, false},
		{"resource *", res(l("get"), core, l("*"), nil), Query{Verb: "get", Resource: "secrets"}, true},
		{"resource * covers subresources", res(l("create"), core, l("*"), nil), Query{Verb: "create", Resource: "pods", Subresource: "exec"}, true},
		{"resource does not cover its subresource", res(l("create"), core, l("pods"), nil), Query{Verb: "create", Resource: "pods", Subresource: "exec"}, false},
		{"res/sub", res(l("create"), core, l("pods/exec"), nil), Query{Verb: "create", Resource: "pods", Subresource: "exec"}, true},
		{"res/sub is not the resource", res(l("get"), core, l("pods/log"), nil), Query{Verb: "get", Resource: "pods"}, false},
		{"res/sub of another resource", res(l("update"), l("apps"), l("deployments/scale"), nil), Query{Verb: "update", Group: "apps", Resource: "statefulsets", Subresource: "scale"}, false},
		{"*/scale", res(l("update"), l("apps"), l("*/scale"), nil), Query{Verb: "update", Group: "apps", Resource: "statefulsets", Subresource: "scale"}, true},
		{"*/scale is not status", res(l("update"), l("apps"), l("*/scale"), nil), Query{Verb: "update", Group: "apps", Resource: "deployments", Subresource: "status"}, false},
		{"*/scale is not the resource", res(l("get"), l("apps"), l("*/scale"), nil), Query{Verb: "get", Group: "apps", Resource: "deployments"}, false},
		{"res/* is literal", res(l("create"), core, l("pods/*"), nil), Query{Verb: "create", Resource: "pods", Subresource: "exec"}, false},
		{"*/* is literal", res(l("create"), core, l("*/*"), nil), Query{Verb: "create", Resource: "pods", Subresource: "exec"}, false},
		{"names allow a named get", res(l("get"), core, l("secrets"), l("tls")), Query{Verb: "get", Resource: "secrets", Name: "tls"}, true},
		{"names refuse other names", res(l("get"), core, l("secrets"), l("tls")), Query{Verb: "get", Resource: "secrets", Name: "db"}, false},
		{"names refuse list", res(l("get", "list"), core, l("secrets"), l("tls")), Query{Verb: "list", Resource: "secrets"}, false},
		{"names refuse watch", res(l("watch"), core, l("secrets"), l("tls")), Query{Verb: "watch", Resource: "secrets"}, false},
		{"names refuse create", res(l("create"), core, l("configmaps"), l("cm")), Query{Verb: "create", Resource: "configmaps"}, false},
		{"names refuse deletecollection", res(l("deletecollection"), core, l("pods"), l("p")), Query{Verb: "deletecollection", Resource: "pods"}, false},
		{"names on a subresource", res(l("create"), core, l("pods/exec"), l("web")), Query{Verb: "create", Resource: "pods", Subresource: "exec", Name: "web"}, true},
		{"no names allow any name", res(l("get"), core, l("secrets"), nil), Query{Verb: "get", Resource: "secrets", Name: "db"}, true},
		{"resource rule is not a URL rule", res(l("*"), l("*"), l("*"), nil), Query{Verb: "get", URL: "/metrics"}, false},
		{"URL exact", url(l("get"), l("/metrics")), Query{Verb: "get", URL: "/metrics"}, true},
		{"URL exact is not a prefix", url(l("get"), l("/healthz")), Query{Verb: "get", URL: "/healthz/ready"}, false},
		{"URL *", url(l("get"), l("*")), Query{Verb: "get", URL: "/debug/pprof"}, true},
		{"URL prefix", url(l("get"), l("/healthz/*")), Query{Verb: "get", URL: "/healthz/etcd"}, true},
		{"URL prefix needs the slash", url(l("get"), l("/healthz/*")), Query{Verb: "get", URL: "/healthz"}, false},
		{"URL prefix without slash", url(l("get"), l("/api*")), Query{Verb: "get", URL: "/apis/apps"}, true},
		{"URL prefix with stars", url(l("get"), l("/logs**")), Query{Verb: "get", URL: "/logs/x"}, true},
		{"URL verb", url(l("get"), l("*")), Query{Verb: "post", URL: "/metrics"}, false},
		{"URL rule is not a resource rule", url(l("*"), l("*")), Query{Verb: "get", Resource: "pods"}, false},
		{"URL rule ignores names", rbacv1.PolicyRule{Verbs: l("get"), NonResourceURLs: l("/metrics"), ResourceNames: l("x")}, Query{Verb: "get", URL: "/metrics"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RuleAllows(&tt.rule, &tt.q); got != tt.want {
				t.Errorf("RuleAllows(%s, %s) = %t, want %t", RuleString(&tt.rule), tt.q.String(), got, tt.want)
			}
		})
	}
}

func TestParseSubjectAndIdentity(t *testing.T) {
	tests := []struct {
		in      string
		want    Subject
		user    string
		groups  []string
		wantErr bool
	}{
		{in: "user:alice", want: Subject{Kind: "User", Name: "alice"}, user: "alice", groups: []string{GroupAuthenticated}},
		{in: "group:system:masters", want: Subject{Kind: "Group", Name: GroupMasters}, groups: []string{GroupMasters, GroupAuthenticated}},
		{in: "sa:ci/deployer", want: Subject{Kind: "ServiceAccount", Namespace: "ci", Name: "deployer"},
			user: "system:serviceaccount:ci:deployer", groups: []string{GroupServiceAccounts, "system:serviceaccounts:ci", GroupAuthenticated}},
		{in: "system:serviceaccount:ci:deployer", want: Subject{Kind: "ServiceAccount", Namespace: "ci", Name: "deployer"},
			user: "system:serviceaccount:ci:deployer", groups: []string{GroupServiceAccounts, "system:serviceaccounts:ci", GroupAuthenticated}},
		{in: "user:system:anonymous", want: Subject{Kind: "User", Name: UserAnonymous}, user: UserAnonymous, groups: []string{GroupUnauthenticated}},
		{in: "group:system:unauthenticated", want: Subject{Kind: "Group", Name: GroupUnauthenticated}, groups: []string{GroupUnauthenticated}},
		{in: "alice", wantErr: true},
		{in: "sa:deployer", wantErr: true},
		{in: "robot:x", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseSubject(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseSubject(%q) = %v, %v", tt.in, got, err)
			continue
		}
		if err != nil {
			continue
		}
		id := IdentityOf(got)
		if id.User != tt.user || !slices.Equal(id.Groups, tt.groups) {
			t.Errorf("IdentityOf(%v) = %v, want user %q groups %q", got, id, tt.user, tt.groups)
		}
	}
}
