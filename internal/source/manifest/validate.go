package manifest

import (
	"strconv"

	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1alpha1 "k8s.io/api/rbac/v1alpha1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
)

// rejected returns the field path and the reason when the API server
// would refuse obj in a way that changes what kube4c concludes from it
// (kube4c does not validate objects in general), and ok false otherwise.
// Such a document is an input error: scanning it as written would report
// on an object that cannot exist.
func rejected(obj runtime.Object) (path, reason string, ok bool) {
	switch b := obj.(type) {
	case *rbacv1.ClusterRoleBinding:
		return serviceAccountWithoutNamespace(len(b.Subjects), func(i int) (string, string) { return b.Subjects[i].Kind, b.Subjects[i].Namespace })
	case *rbacv1beta1.ClusterRoleBinding:
		return serviceAccountWithoutNamespace(len(b.Subjects), func(i int) (string, string) { return b.Subjects[i].Kind, b.Subjects[i].Namespace })
	case *rbacv1alpha1.ClusterRoleBinding:
		return serviceAccountWithoutNamespace(len(b.Subjects), func(i int) (string, string) { return b.Subjects[i].Kind, b.Subjects[i].Namespace })
	}
	return "", "", false
}

// serviceAccountWithoutNamespace finds the first ServiceAccount subject of
// a ClusterRoleBinding that has no namespace. A RoleBinding's subject
// takes the binding's namespace; a ClusterRoleBinding has none to give,
// and the API server requires it.
func serviceAccountWithoutNamespace(n int, subject func(i int) (kind, namespace string)) (path, reason string, ok bool) {
	for i := range n {
		if kind, ns := subject(i); kind == rbacv1.ServiceAccountKind && ns == "" {
			p := "subjects[" + strconv.Itoa(i) + "]"
			return p, p + ".namespace: required: a ServiceAccount subject of a ClusterRoleBinding needs a namespace, " +
				"and the API server rejects the binding without one; name the service account's namespace", true
		}
	}
	return "", "", false
}
