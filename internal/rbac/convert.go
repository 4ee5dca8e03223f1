package rbac

import (
	"encoding/json"

	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1alpha1 "k8s.io/api/rbac/v1alpha1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Kinds of the RBAC API.
const (
	KindRole               = "Role"
	KindClusterRole        = "ClusterRole"
	KindRoleBinding        = "RoleBinding"
	KindClusterRoleBinding = "ClusterRoleBinding"
)

// roleObject is a Role or ClusterRole of any RBAC version, in rbac/v1 terms.
type roleObject struct {
	rules       []rbacv1.PolicyRule
	aggregation *rbacv1.AggregationRule
}

// bindingObject is a RoleBinding or ClusterRoleBinding of any RBAC version,
// in rbac/v1 terms.
type bindingObject struct {
	roleRef  rbacv1.RoleRef
	subjects []rbacv1.Subject
}

// asRole reads a Role or ClusterRole of rbac/v1, v1beta1 or v1alpha1.
func asRole(obj *inventory.Object) (roleObject, bool) {
	switch r := obj.Obj.(type) {
	case *rbacv1.Role:
		return roleObject{rules: r.Rules}, true
	case *rbacv1.ClusterRole:
		return roleObject{rules: r.Rules, aggregation: r.AggregationRule}, true
	case *rbacv1beta1.Role, *rbacv1alpha1.Role:
		var v1 rbacv1.Role
		ok := toV1(r, &v1)
		return roleObject{rules: v1.Rules}, ok
	case *rbacv1beta1.ClusterRole, *rbacv1alpha1.ClusterRole:
		var v1 rbacv1.ClusterRole
		ok := toV1(r, &v1)
		return roleObject{rules: v1.Rules, aggregation: v1.AggregationRule}, ok
	}
	return roleObject{}, false
}

// asBinding reads a RoleBinding or ClusterRoleBinding of rbac/v1, v1beta1
// or v1alpha1.
func asBinding(obj *inventory.Object) (bindingObject, bool) {
	switch b := obj.Obj.(type) {
	case *rbacv1.RoleBinding:
		return bindingObject{roleRef: b.RoleRef, subjects: b.Subjects}, true
	case *rbacv1.ClusterRoleBinding:
		return bindingObject{roleRef: b.RoleRef, subjects: b.Subjects}, true
	case *rbacv1beta1.RoleBinding, *rbacv1alpha1.RoleBinding, *rbacv1beta1.ClusterRoleBinding, *rbacv1alpha1.ClusterRoleBinding:
		// Bindings of every kind and version share these fields.
		var v1 rbacv1.RoleBinding
		ok := toV1(b, &v1)
		return bindingObject{roleRef: v1.RoleRef, subjects: v1.Subjects}, ok
	}
	return bindingObject{}, false
}

// toV1 converts an rbac/v1beta1 or v1alpha1 object to its rbac/v1 twin
// through JSON: the versions differ in no field the authorizer reads (a
// v1alpha1 subject's apiVersion is dropped; RBAC ignores it).
func toV1(in, out any) bool {
	data, err := json.Marshal(in)
	return err == nil && json.Unmarshal(data, out) == nil
}
