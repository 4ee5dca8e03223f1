// Package bootstrap holds the RBAC objects the Kubernetes API server
// creates at start (its bootstrap policy: cluster-admin, admin, edit, view,
// the system: roles and the bindings of the control plane's components),
// one data set per Kubernetes minor version.
//
// Each set, v1.MINOR.yaml in this folder, is what the API server of that
// version serves on an empty cluster, aggregated ClusterRoles filled in by
// the controller manager's aggregation controller. The integration tests
// generate it from the real binaries and fail when it differs from what
// they serve: hack/dump-bootstrap-rbac.sh [VERSION] writes or refreshes a
// set.
package bootstrap

import (
	"bytes"
	"cmp"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/version"
	"sigs.k8s.io/yaml"
)

// Label marks the objects of the bootstrap policy on a cluster. kube4c
// never trusts it (anyone may set it): it compares content with the data
// set.
const Label = "kubernetes.io/bootstrapping"

// Set is the bootstrap policy of one Kubernetes version.
type Set struct {
	// Version is the minor version the set is for, e.g. v1.37.
	Version string `json:"-"`
	// Source is the exact version of the API server the set was read
	// from, e.g. v1.37.2.
	Source              string                      `json:"source"`
	ClusterRoles        []rbacv1.ClusterRole        `json:"clusterRoles"`
	ClusterRoleBindings []rbacv1.ClusterRoleBinding `json:"clusterRoleBindings"`
	Roles               []rbacv1.Role               `json:"roles"`
	RoleBindings        []rbacv1.RoleBinding        `json:"roleBindings"`
}

//go:embed v1.*.yaml
var files embed.FS

// fileName is the data file of a minor version.
func fileName(minor string) string { return minor + ".yaml" }

// Versions returns the minor versions with a data set, oldest first.
func Versions() []string {
	names, _ := fs.Glob(files, "v1.*.yaml")
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, strings.TrimSuffix(n, ".yaml"))
	}
	slices.SortFunc(out, func(a, b string) int {
		c, _ := version.MustParseGeneric(a).Compare(b)
		return c
	})
	return out
}

// Latest returns the newest minor version with a data set.
func Latest() string {
	vs := Versions()
	return vs[len(vs)-1]
}

// Minor returns the minor version ("v1.37") of a Kubernetes version
// written v1.37, 1.37 or v1.37.2 (a patch level, pre-release or build
// part is dropped).
func Minor(v string) (string, error) {
	parsed, err := version.ParseGeneric(v)
	if err != nil {
		return "", fmt.Errorf("%q is not a Kubernetes version such as v1.37", v)
	}
	return fmt.Sprintf("v%d.%d", parsed.Major(), parsed.Minor()), nil
}

// Resolve returns the minor version of a data set for a requested
// Kubernetes version ("" means the newest), or an error that names the
// versions shipped.
func Resolve(requested string) (string, error) {
	if requested == "" {
		return Latest(), nil
	}
	minor, err := Minor(requested)
	if err != nil {
		return "", err
	}
	if !slices.Contains(Versions(), minor) {
		return "", fmt.Errorf("no built-in RBAC data for Kubernetes %s: kube4c ships %s", minor, strings.Join(Versions(), ", "))
	}
	return minor, nil
}

// loaded parses each data set once.
var loaded sync.Map // minor version → func() (*Set, error)

// Load returns the data set of a minor version (as Resolve returns it).
// The set is shared: callers must not change it.
func Load(minor string) (*Set, error) {
	once, _ := loaded.LoadOrStore(minor, sync.OnceValues(func() (*Set, error) { return parse(minor) }))
	return once.(func() (*Set, error))()
}

func parse(minor string) (*Set, error) {
	data, err := files.ReadFile(fileName(minor))
	if err != nil {
		return nil, fmt.Errorf("no built-in RBAC data for Kubernetes %s: kube4c ships %s", minor, strings.Join(Versions(), ", "))
	}
	var s Set
	if err := yaml.UnmarshalStrict(data, &s); err != nil {
		return nil, fmt.Errorf("built-in RBAC data %s: %v", fileName(minor), err)
	}
	s.Version = minor
	return &s, nil
}

// Raw returns the data file of a minor version as shipped.
func Raw(minor string) ([]byte, error) { return files.ReadFile(fileName(minor)) }

// Encode writes a set in the form of the data files: a header comment,
// then the objects of each kind sorted by namespace and name, with only
// the metadata that says what they are (name, namespace, labels and
// annotations), so that a file changes only when the policy does.
func Encode(s *Set) ([]byte, error) {
	sorted := *s
	sorted.ClusterRoles = sortedByName(s.ClusterRoles, func(r *rbacv1.ClusterRole) *metav1.ObjectMeta { return &r.ObjectMeta })
	sorted.ClusterRoleBindings = sortedByName(s.ClusterRoleBindings, func(b *rbacv1.ClusterRoleBinding) *metav1.ObjectMeta { return &b.ObjectMeta })
	sorted.Roles = sortedByName(s.Roles, func(r *rbacv1.Role) *metav1.ObjectMeta { return &r.ObjectMeta })
	sorted.RoleBindings = sortedByName(s.RoleBindings, func(b *rbacv1.RoleBinding) *metav1.ObjectMeta { return &b.ObjectMeta })
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&sorted)
	if err != nil {
		return nil, err
	}
	for _, list := range []string{"clusterRoles", "clusterRoleBindings", "roles", "roleBindings"} {
		items, _ := content[list].([]any)
		for _, item := range items {
			trimMetadata(item.(map[string]any))
		}
	}
	body, err := yaml.Marshal(content)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# The RBAC bootstrap policy of Kubernetes %s, as kube-apiserver %s serves it on an empty\n", s.Version, s.Source)
	b.WriteString("# cluster after ClusterRole aggregation. Generated by hack/dump-bootstrap-rbac.sh: do not edit.\n")
	b.Write(body)
	return b.Bytes(), nil
}

// sortedByName returns a copy of items sorted by namespace and name, each
// with its metadata reduced to what describes it.
func sortedByName[T any](items []T, meta func(*T) *metav1.ObjectMeta) []T {
	out := slices.Clone(items)
	for i := range out {
		m := meta(&out[i])
		*m = metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, Labels: m.Labels, Annotations: m.Annotations}
	}
	slices.SortFunc(out, func(a, b T) int {
		ma, mb := meta(&a), meta(&b)
		return cmp.Or(cmp.Compare(ma.Namespace, mb.Namespace), cmp.Compare(ma.Name, mb.Name))
	})
	return out
}

// trimMetadata removes the zero creation time the converter writes.
func trimMetadata(item map[string]any) {
	if m, ok := item["metadata"].(map[string]any); ok {
		delete(m, "creationTimestamp")
	}
}
