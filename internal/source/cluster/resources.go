// Package cluster collects the objects kube4c checks from a live cluster:
// read-only, paginated, in parallel, and never reading Secret data.
package cluster

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Resource is one kind of object kube4c lists from a cluster.
type Resource struct {
	// Group and Kind name the resource; Versions are the API versions
	// kube4c can decode, in order of preference. Resource is the plural
	// name used in URLs.
	Group    string
	Versions []string
	Resource string
	Kind     string
	// Namespaced resources are listed per namespace when a scan is limited
	// to one.
	Namespaced bool
	// MetadataOnly resources are listed through the metadata API
	// (PartialObjectMetadataList): kube4c never receives their content.
	MetadataOnly bool
	// Custom resources are collected when their CRD is installed; they are
	// decoded as unstructured objects.
	Custom bool
	// Name, as namespace/name, makes the collector get that one object,
	// content included, rather than list the resource: a check that needs
	// the data of one object whose kind is otherwise listed by metadata
	// only (the EKS aws-auth ConfigMap).
	Name string
}

// GroupResource names the resource.
func (r Resource) GroupResource() schema.GroupResource {
	return schema.GroupResource{Group: r.Group, Resource: r.Resource}
}

// String names the resource in reports: group/resource, and the object
// when only one is read ("configmaps kube-system/aws-auth").
func (r Resource) String() string {
	if r.Name != "" {
		return r.GroupResource().String() + " " + r.Name
	}
	return r.GroupResource().String()
}

// Resources are what the checks read. Secrets and ConfigMaps are listed by
// metadata only: no check needs the values of Secrets, so kube4c never asks
// for them, and of ConfigMaps only eks-aws-auth-mapping needs one, which is
// read alone.
var Resources = []Resource{
	{Group: "", Versions: []string{"v1"}, Resource: "namespaces", Kind: "Namespace"},
	{Group: "", Versions: []string{"v1"}, Resource: "nodes", Kind: "Node"},
	{Group: "", Versions: []string{"v1"}, Resource: "pods", Kind: "Pod", Namespaced: true},
	{Group: "", Versions: []string{"v1"}, Resource: "podtemplates", Kind: "PodTemplate", Namespaced: true},
	{Group: "", Versions: []string{"v1"}, Resource: "replicationcontrollers", Kind: "ReplicationController", Namespaced: true},
	{Group: "", Versions: []string{"v1"}, Resource: "services", Kind: "Service", Namespaced: true},
	{Group: "", Versions: []string{"v1"}, Resource: "serviceaccounts", Kind: "ServiceAccount", Namespaced: true},
	{Group: "", Versions: []string{"v1"}, Resource: "secrets", Kind: "Secret", Namespaced: true, MetadataOnly: true},
	{Group: "", Versions: []string{"v1"}, Resource: "configmaps", Kind: "ConfigMap", Namespaced: true, MetadataOnly: true},
	{Group: "", Versions: []string{"v1"}, Resource: "configmaps", Kind: "ConfigMap", Namespaced: true, Name: "kube-system/aws-auth"},
	{Group: "apps", Versions: []string{"v1"}, Resource: "deployments", Kind: "Deployment", Namespaced: true},
	{Group: "apps", Versions: []string{"v1"}, Resource: "statefulsets", Kind: "StatefulSet", Namespaced: true},
	{Group: "apps", Versions: []string{"v1"}, Resource: "daemonsets", Kind: "DaemonSet", Namespaced: true},
	{Group: "apps", Versions: []string{"v1"}, Resource: "replicasets", Kind: "ReplicaSet", Namespaced: true},
	{Group: "batch", Versions: []string{"v1"}, Resource: "jobs", Kind: "Job", Namespaced: true},
	{Group: "batch", Versions: []string{"v1", "v1beta1"}, Resource: "cronjobs", Kind: "CronJob", Namespaced: true},
	{Group: "autoscaling", Versions: []string{"v2", "v1"}, Resource: "horizontalpodautoscalers", Kind: "HorizontalPodAutoscaler", Namespaced: true},
	{Group: "networking.k8s.io", Versions: []string{"v1"}, Resource: "ingresses", Kind: "Ingress", Namespaced: true},
	{Group: "networking.k8s.io", Versions: []string{"v1"}, Resource: "networkpolicies", Kind: "NetworkPolicy", Namespaced: true},
	{Group: "rbac.authorization.k8s.io", Versions: []string{"v1"}, Resource: "roles", Kind: "Role", Namespaced: true},
	{Group: "rbac.authorization.k8s.io", Versions: []string{"v1"}, Resource: "rolebindings", Kind: "RoleBinding", Namespaced: true},
	{Group: "rbac.authorization.k8s.io", Versions: []string{"v1"}, Resource: "clusterroles", Kind: "ClusterRole"},
	{Group: "rbac.authorization.k8s.io", Versions: []string{"v1"}, Resource: "clusterrolebindings", Kind: "ClusterRoleBinding"},
	{Group: "admissionregistration.k8s.io", Versions: []string{"v1"}, Resource: "validatingwebhookconfigurations", Kind: "ValidatingWebhookConfiguration"},
	{Group: "admissionregistration.k8s.io", Versions: []string{"v1"}, Resource: "mutatingwebhookconfigurations", Kind: "MutatingWebhookConfiguration"},
	{Group: "node.k8s.io", Versions: []string{"v1"}, Resource: "runtimeclasses", Kind: "RuntimeClass"},
	// Service meshes (mtls-not-strict).
	{Group: "security.istio.io", Versions: []string{"v1", "v1beta1"}, Resource: "peerauthentications", Kind: "PeerAuthentication", Namespaced: true, Custom: true},
	{Group: "policy.linkerd.io", Versions: []string{"v1beta3", "v1beta2", "v1beta1"}, Resource: "servers", Kind: "Server", Namespaced: true, Custom: true},
	{Group: "policy.linkerd.io", Versions: []string{"v1alpha1"}, Resource: "authorizationpolicies", Kind: "AuthorizationPolicy", Namespaced: true, Custom: true},
	{Group: "policy.linkerd.io", Versions: []string{"v1beta1"}, Resource: "serverauthorizations", Kind: "ServerAuthorization", Namespaced: true, Custom: true},
	{Group: "consul.hashicorp.com", Versions: []string{"v1alpha1"}, Resource: "servicedefaults", Kind: "ServiceDefaults", Namespaced: true, Custom: true},
	{Group: "consul.hashicorp.com", Versions: []string{"v1alpha1"}, Resource: "proxydefaults", Kind: "ProxyDefaults", Namespaced: true, Custom: true},
	{Group: "consul.hashicorp.com", Versions: []string{"v1alpha1"}, Resource: "meshes", Kind: "Mesh", Namespaced: true, Custom: true},
	{Group: "consul.hashicorp.com", Versions: []string{"v1alpha1"}, Resource: "serviceintentions", Kind: "ServiceIntentions", Namespaced: true, Custom: true},
	{Group: "cilium.io", Versions: []string{"v2"}, Resource: "ciliumnetworkpolicies", Kind: "CiliumNetworkPolicy", Namespaced: true, Custom: true},
	{Group: "cilium.io", Versions: []string{"v2"}, Resource: "ciliumclusterwidenetworkpolicies", Kind: "CiliumClusterwideNetworkPolicy", Custom: true},
}
