package rbac

import (
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Well-known groups and users of the Kubernetes authenticators.
const (
	// GroupMasters is the group whose members are superusers: the API
	// server allows them everything before RBAC is asked.
	GroupMasters = "system:masters"
	// GroupAuthenticated holds every authenticated user.
	GroupAuthenticated = "system:authenticated"
	// GroupUnauthenticated holds anonymous requests.
	GroupUnauthenticated = "system:unauthenticated"
	// GroupServiceAccounts holds every service account.
	GroupServiceAccounts = "system:serviceaccounts"
	// UserAnonymous is the user name of anonymous requests.
	UserAnonymous = "system:anonymous"

	serviceAccountUserPrefix  = "system:serviceaccount:"
	serviceAccountGroupPrefix = "system:serviceaccounts:"
)

// Subject is a subject of a binding: a User, a Group or a ServiceAccount.
// The namespace of a ServiceAccount subject of a RoleBinding defaults to the
// binding's namespace, as the authorizer does.
type Subject struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// String formats the subject as User/NAME, Group/NAME or
// ServiceAccount/NAMESPACE/NAME.
func (s Subject) String() string {
	if s.Kind == rbacv1.ServiceAccountKind {
		return s.Kind + "/" + s.Namespace + "/" + s.Name
	}
	return s.Kind + "/" + s.Name
}

// Matchable reports whether the subject can name anyone: a User, a Group,
// or a ServiceAccount with a namespace. The authorizer ignores other kinds
// and a ClusterRoleBinding's service accounts without a namespace.
func (s Subject) Matchable() bool {
	switch s.Kind {
	case rbacv1.UserKind, rbacv1.GroupKind:
		return true
	case rbacv1.ServiceAccountKind:
		return s.Namespace != ""
	}
	return false
}

// Compare orders subjects by kind, namespace and name.
func (s Subject) Compare(o Subject) int {
	if c := strings.Compare(s.Kind, o.Kind); c != 0 {
		return c
	}
	if c := strings.Compare(s.Namespace, o.Namespace); c != 0 {
		return c
	}
	return strings.Compare(s.Name, o.Name)
}

// ParseSubject reads the command-line form of a subject: user:NAME,
// group:NAME or sa:NAMESPACE/NAME (also serviceaccount:NAMESPACE/NAME, and
// the username system:serviceaccount:NAMESPACE:NAME).
func ParseSubject(s string) (Subject, error) {
	if ns, name, ok := ServiceAccountOf(s); ok {
		return Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}, nil
	}
	prefix, rest, ok := strings.Cut(s, ":")
	if ok && rest != "" {
		switch strings.ToLower(prefix) {
		case "user", "u":
			return Subject{Kind: rbacv1.UserKind, Name: rest}, nil
		case "group", "g":
			return Subject{Kind: rbacv1.GroupKind, Name: rest}, nil
		case "sa", "serviceaccount":
			if ns, name, ok := strings.Cut(rest, "/"); ok && ns != "" && name != "" && !strings.Contains(name, "/") {
				return Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}, nil
			}
		}
	}
	return Subject{}, fmt.Errorf("subject %q should be user:NAME, group:NAME or sa:NAMESPACE/NAME", s)
}

// ServiceAccountUser returns the user name of a service account.
func ServiceAccountUser(namespace, name string) string {
	return serviceAccountUserPrefix + namespace + ":" + name
}

// ServiceAccountOf splits a service account user name into its namespace
// and name.
func ServiceAccountOf(user string) (namespace, name string, ok bool) {
	rest, ok := strings.CutPrefix(user, serviceAccountUserPrefix)
	if !ok {
		return "", "", false
	}
	namespace, name, ok = strings.Cut(rest, ":")
	return namespace, name, ok && namespace != "" && name != ""
}

// Identity is who makes a request, as the authenticator hands it to the
// authorizer: a user name and the groups the user is in.
type Identity struct {
	User   string   `json:"user,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// IdentityOf returns the identity of a subject, with the groups the
// authenticators add: every service account is in system:serviceaccounts,
// system:serviceaccounts:NAMESPACE and system:authenticated; every other
// user but system:anonymous is in system:authenticated. For a group it is
// a member of the group with no other name. extraGroups are added.
func IdentityOf(s Subject, extraGroups ...string) Identity {
	var id Identity
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		id.User = ServiceAccountUser(s.Namespace, s.Name)
	case rbacv1.UserKind:
		id.User = s.Name
	case rbacv1.GroupKind:
		id.Groups = []string{s.Name}
	}
	id.Groups = append(id.Groups, extraGroups...)
	id.Groups = append(id.Groups, ImplicitGroups(id.User, id.Groups)...)
	return id
}

// ImplicitGroups returns the groups the authenticators add to a user who
// is already in groups, leaving out those already there.
func ImplicitGroups(user string, groups []string) []string {
	var out []string
	add := func(g string) {
		if !slices.Contains(groups, g) && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	if ns, _, ok := ServiceAccountOf(user); ok {
		add(GroupServiceAccounts)
		add(serviceAccountGroupPrefix + ns)
	}
	if user == UserAnonymous || slices.Contains(groups, GroupUnauthenticated) {
		add(GroupUnauthenticated)
	} else {
		add(GroupAuthenticated)
	}
	return out
}

// Superuser reports whether the identity is in system:masters.
func (id Identity) Superuser() bool { return slices.Contains(id.Groups, GroupMasters) }

// Matches reports whether a binding subject names the identity: the
// authorizer's rule, with the subject's namespace already defaulted.
func (id Identity) Matches(s Subject) bool {
	switch s.Kind {
	case rbacv1.UserKind:
		return id.User == s.Name
	case rbacv1.GroupKind:
		return slices.Contains(id.Groups, s.Name)
	case rbacv1.ServiceAccountKind:
		return s.Namespace != "" && id.User == ServiceAccountUser(s.Namespace, s.Name)
	}
	return false
}

// String formats the identity as the user name and its groups.
func (id Identity) String() string {
	return fmt.Sprintf("user %q groups %q", id.User, id.Groups)
}
