package controlplane

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	apiserverv1 "k8s.io/apiserver/pkg/apis/apiserver/v1"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	kubeproxyv1alpha1 "k8s.io/kube-proxy/config/v1alpha1"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	"sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Kinds of the configuration objects kube4c reads.
const (
	KubeletConfigKind    = "KubeletConfiguration"
	EncryptionConfigKind = "EncryptionConfiguration"
	AuditPolicyKind      = "Policy"
	KubeProxyConfigKind  = "KubeProxyConfiguration"
)

// KubeProxyConfigMap is the kube-system ConfigMap kubeadm keeps kube-proxy's
// configuration in, and KubeProxyConfigKey its key.
const (
	KubeProxyConfigMap = "kube-proxy"
	KubeProxyConfigKey = "config.conf"
)

// Kinds lists every kind the control-plane checks read.
var Kinds = []string{"Pod", "Node", HostKind, KubeletConfigKind, EncryptionConfigKind, AuditPolicyKind}

// Typed is a configuration object decoded into its upstream type, beside
// the inventory object it came from (for locating findings).
type Typed[T any] struct {
	Object *inventory.Object
	Value  *T
}

// View is the control-plane configuration visible in one inventory: a
// node's files (with a Host object) or a live cluster's kube-system.
type View struct {
	// Components maps component names to the first static pod running it.
	Components map[string]*Component
	// Host is the node's host object; nil for a live cluster.
	Host *inventory.Object
	// Kubelet is the kubelet's configuration; nil without a Host.
	Kubelet *Kubelet
	// Encryption and Audit are the files the API server's flags name, when
	// they were read (files only).
	Encryption *Typed[apiserverv1.EncryptionConfiguration]
	Audit      *Typed[auditv1.Policy]
	// KubeProxy is kube-proxy's configuration: a KubeProxyConfiguration
	// file, or the kube-system/kube-proxy ConfigMap of a live cluster.
	KubeProxy *Typed[kubeproxyv1alpha1.KubeProxyConfiguration]
	// KubeProxyPath locates the configuration in KubeProxy.Object.
	KubeProxyPath string
	// Managed names the managed platform (EKS, GKE, AKS) when the
	// cluster's nodes show one; its control plane is not visible.
	Managed string
}

// Namespace is where a live cluster's control-plane static pods and
// kube-proxy's ConfigMap are.
const Namespace = "kube-system"

// NewView returns the control-plane configuration inv shows.
func NewView(inv *inventory.Inventory) *View {
	v := &View{Components: map[string]*Component{}}
	hosts := inv.ByKind(HostKind)
	for _, obj := range inv.ByKind("Pod") {
		// Without a node's files, only kube-system pods are taken for the
		// control plane, so that an application's own etcd is not.
		if len(hosts) == 0 && obj.Namespace() != Namespace {
			continue
		}
		if c := ComponentOf(obj); c != nil && v.Components[c.Name] == nil {
			v.Components[c.Name] = c
		}
	}
	if len(hosts) > 0 {
		v.Host = hosts[0]
		host := v.Host.Obj.(*Host)
		v.Kubelet = &Kubelet{Host: v.Host, Flags: host.KubeletFlags}
		v.Kubelet.Config = decodeFirst[kubeletv1beta1.KubeletConfiguration](inv, KubeletConfigKind, kubeletv1beta1.SchemeGroupVersion.Group)
	}
	v.Encryption = decodeFirst[apiserverv1.EncryptionConfiguration](inv, EncryptionConfigKind, apiserverv1.SchemeGroupVersion.Group)
	v.Audit = decodeFirst[auditv1.Policy](inv, AuditPolicyKind, auditv1.SchemeGroupVersion.Group)
	v.KubeProxy = decodeFirst[kubeproxyv1alpha1.KubeProxyConfiguration](inv, KubeProxyConfigKind, kubeproxyv1alpha1.SchemeGroupVersion.Group)
	if v.KubeProxy == nil {
		v.KubeProxy = kubeProxyConfigMap(inv)
		v.KubeProxyPath = "data[" + KubeProxyConfigKey + "]"
	}
	v.Managed = managedPlatform(inv)
	return v
}

// kubeProxyConfigMap decodes kube-proxy's configuration from the
// kube-system/kube-proxy ConfigMap, or returns nil.
func kubeProxyConfigMap(inv *inventory.Inventory) *Typed[kubeproxyv1alpha1.KubeProxyConfiguration] {
	obj := inv.Get(corev1.SchemeGroupVersion.WithKind("ConfigMap").GroupKind(), Namespace, KubeProxyConfigMap)
	if obj == nil {
		return nil
	}
	cm, ok := obj.Obj.(*corev1.ConfigMap)
	if !ok {
		return nil
	}
	out := &kubeproxyv1alpha1.KubeProxyConfiguration{}
	if err := yaml.Unmarshal([]byte(cm.Data[KubeProxyConfigKey]), out); err != nil || cm.Data[KubeProxyConfigKey] == "" {
		return nil
	}
	return &Typed[kubeproxyv1alpha1.KubeProxyConfiguration]{Object: obj, Value: out}
}

// decodeFirst decodes the first object of the kind in the API group into
// its typed form, or returns nil.
func decodeFirst[T any](inv *inventory.Inventory, kind, group string) *Typed[T] {
	for _, obj := range inv.ByKind(kind) {
		if obj.GVK.Group != group {
			continue
		}
		if out, err := decode[T](obj); err == nil {
			return &Typed[T]{Object: obj, Value: out}
		}
	}
	return nil
}

// decode converts an object read as unstructured into its upstream type.
func decode[T any](obj *inventory.Object) (*T, error) {
	if t, ok := obj.Obj.(any).(*T); ok {
		return t, nil
	}
	u, ok := obj.Obj.(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("%s is not a %T", obj.Ref(), new(T))
	}
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Validate decodes obj into its upstream type when it is one of the
// configuration kinds kube4c reads, and returns why it does not decode
// (nil for other kinds), so that a file with a field of the wrong type is
// an input error rather than silently ignored.
func Validate(obj *inventory.Object) error {
	var err error
	switch obj.GVK.GroupKind() {
	case kubeletv1beta1.SchemeGroupVersion.WithKind(KubeletConfigKind).GroupKind():
		_, err = decode[kubeletv1beta1.KubeletConfiguration](obj)
	case apiserverv1.SchemeGroupVersion.WithKind(EncryptionConfigKind).GroupKind():
		_, err = decode[apiserverv1.EncryptionConfiguration](obj)
	case auditv1.SchemeGroupVersion.WithKind(AuditPolicyKind).GroupKind():
		_, err = decode[auditv1.Policy](obj)
	case kubeproxyv1alpha1.SchemeGroupVersion.WithKind(KubeProxyConfigKind).GroupKind():
		_, err = decode[kubeproxyv1alpha1.KubeProxyConfiguration](obj)
	}
	return err
}
