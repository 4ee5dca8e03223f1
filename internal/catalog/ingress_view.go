package catalog

import (
	"encoding/json"
	"fmt"

	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	networkingv1 "k8s.io/api/networking/v1"
	networkingv1beta1 "k8s.io/api/networking/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ingressView is what the Ingress checks read, the same for every Ingress
// version kube4c knows.
type ingressView struct {
	// hosts is the host of each rule, by rule index.
	hosts []string
	// tls holds the hosts of each tls entry.
	tls [][]string
	// backends are the Service backends: the default one, then those of
	// the rules' paths.
	backends []ingressBackend
}

// ingressBackend is a Service backend with the field paths of its parts.
type ingressBackend struct {
	service, servicePath string
	port                 intstr.IntOrString
	portPath             string
}

// backendFields are the names of the backend fields in one API version.
type backendFields struct {
	defaultBackend, name, number, portName string
}

var (
	v1Fields   = backendFields{defaultBackend: "spec.defaultBackend", name: ".service.name", number: ".service.port.number", portName: ".service.port.name"}
	betaFields = backendFields{defaultBackend: "spec.backend", name: ".serviceName", number: ".servicePort", portName: ".servicePort"}
)

// viewIngress reads networking.k8s.io/v1, networking.k8s.io/v1beta1 and
// extensions/v1beta1 Ingresses. Beta Ingresses are converted to v1 and
// keep the field paths of their own version.
func viewIngress(obj runtime.Object) (*ingressView, bool) {
	switch ing := obj.(type) {
	case *networkingv1.Ingress:
		return viewIngressSpec(&ing.Spec, v1Fields), true
	case *networkingv1beta1.Ingress:
		return viewIngressSpec(betaToV1(ing), betaFields), true
	case *extensionsv1beta1.Ingress:
		// The two beta versions share their JSON form.
		var beta networkingv1beta1.Ingress
		if data, err := json.Marshal(ing); err == nil && json.Unmarshal(data, &beta) == nil {
			return viewIngressSpec(betaToV1(&beta), betaFields), true
		}
	}
	return nil, false
}

func viewIngressSpec(spec *networkingv1.IngressSpec, f backendFields) *ingressView {
	v := &ingressView{}
	add := func(path string, b *networkingv1.IngressBackend) {
		if b == nil || b.Service == nil {
			return
		}
		port, portPath := intstr.FromInt32(b.Service.Port.Number), path+f.number
		if b.Service.Port.Name != "" {
			port, portPath = intstr.FromString(b.Service.Port.Name), path+f.portName
		}
		v.backends = append(v.backends, ingressBackend{service: b.Service.Name, servicePath: path + f.name, port: port, portPath: portPath})
	}
	add(f.defaultBackend, spec.DefaultBackend)
	for i, r := range spec.Rules {
		v.hosts = append(v.hosts, r.Host)
		if r.HTTP == nil {
			continue
		}
		for j := range r.HTTP.Paths {
			add(fmt.Sprintf("spec.rules[%d].http.paths[%d].backend", i, j), &r.HTTP.Paths[j].Backend)
		}
	}
	for _, t := range spec.TLS {
		v.tls = append(v.tls, t.Hosts)
	}
	return v
}

// betaToV1 converts the parts of a beta Ingress spec that the checks read.
func betaToV1(ing *networkingv1beta1.Ingress) *networkingv1.IngressSpec {
	backend := func(b *networkingv1beta1.IngressBackend) *networkingv1.IngressBackend {
		if b == nil || b.ServiceName == "" {
			return nil
		}
		svc := &networkingv1.IngressServiceBackend{Name: b.ServiceName}
		if b.ServicePort.Type == intstr.String {
			svc.Port.Name = b.ServicePort.StrVal
		} else {
			svc.Port.Number = b.ServicePort.IntVal
		}
		return &networkingv1.IngressBackend{Service: svc}
	}
	spec := &networkingv1.IngressSpec{DefaultBackend: backend(ing.Spec.Backend)}
	for _, r := range ing.Spec.Rules {
		rule := networkingv1.IngressRule{Host: r.Host}
		if r.HTTP != nil {
			rule.HTTP = &networkingv1.HTTPIngressRuleValue{}
			for _, p := range r.HTTP.Paths {
				var b networkingv1.IngressBackend
				if conv := backend(&p.Backend); conv != nil {
					b = *conv
				}
				rule.HTTP.Paths = append(rule.HTTP.Paths, networkingv1.HTTPIngressPath{Path: p.Path, Backend: b})
			}
		}
		spec.Rules = append(spec.Rules, rule)
	}
	for _, t := range ing.Spec.TLS {
		spec.TLS = append(spec.TLS, networkingv1.IngressTLS{Hosts: t.Hosts, SecretName: t.SecretName})
	}
	return spec
}
