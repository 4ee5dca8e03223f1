package apilifecycle

import "k8s.io/apimachinery/pkg/runtime/schema"

// gone lists removed kinds whose Go types k8s.io/api (or the client-go
// scheme) no longer has, with the releases that deprecated and removed
// them, from the Kubernetes deprecated API migration guide
// (https://kubernetes.io/docs/reference/using-api/deprecation-guide/).
// A zero Deprecated means the guide does not say.
var gone = map[schema.GroupVersionKind]Status{
	// v1.26
	{Group: "autoscaling", Version: "v2beta2", Kind: "HorizontalPodAutoscaler"}: {
		Deprecated: Version{1, 23}, Removed: Version{1, 26},
		Replacement: schema.GroupVersionKind{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"},
	},
	// v1.25
	{Group: "autoscaling", Version: "v2beta1", Kind: "HorizontalPodAutoscaler"}: {
		Deprecated: Version{1, 22}, Removed: Version{1, 25},
		Replacement: schema.GroupVersionKind{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"},
	},
	{Group: "policy", Version: "v1beta1", Kind: "PodSecurityPolicy"}: {
		Deprecated: Version{1, 21}, Removed: Version{1, 25},
		Instead: "enforce the Pod Security Standards with Pod Security Admission (namespace labels pod-security.kubernetes.io/enforce) or a policy engine",
	},
	// v1.22
	{Group: "apiextensions.k8s.io", Version: "v1beta1", Kind: "CustomResourceDefinition"}: {
		Deprecated: Version{1, 16}, Removed: Version{1, 22},
		Replacement: schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"},
	},
	{Group: "apiregistration.k8s.io", Version: "v1beta1", Kind: "APIService"}: {
		Deprecated: Version{1, 19}, Removed: Version{1, 22},
		Replacement: schema.GroupVersionKind{Group: "apiregistration.k8s.io", Version: "v1", Kind: "APIService"},
	},
	// v1.16
	{Group: "extensions", Version: "v1beta1", Kind: "PodSecurityPolicy"}: {
		Removed:     Version{1, 16},
		Replacement: schema.GroupVersionKind{Group: "policy", Version: "v1beta1", Kind: "PodSecurityPolicy"},
	},
	// v1.14 (release notes: initializers were removed in favour of
	// admission webhooks; the guide starts with v1.16).
	{Group: "admissionregistration.k8s.io", Version: "v1alpha1", Kind: "InitializerConfiguration"}: {
		Removed: Version{1, 14},
		Instead: "use a MutatingWebhookConfiguration (admissionregistration.k8s.io/v1)",
	},
}
