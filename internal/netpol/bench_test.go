package netpol

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kube4c/kube4c/internal/inventory"
)

// syntheticInventory builds namespaces × perNS Deployments and, per
// namespace, a default deny plus policies up to the policy count: each
// admits ingress from a neighbour app and from a team's namespaces on a
// named port or a port range, and egress to DNS and the internet without
// the metadata address.
func syntheticInventory(namespaces, perNS, policies int) *inventory.Inventory {
	var objs []*inventory.Object
	tcp := corev1.ProtocolTCP
	udp := corev1.ProtocolUDP
	for n := range namespaces {
		ns := fmt.Sprintf("ns%02d", n)
		nsObj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"team": fmt.Sprintf("t%d", n%5)}}}
		objs = append(objs, &inventory.Object{GVK: corev1.SchemeGroupVersion.WithKind("Namespace"), Obj: nsObj, Meta: nsObj})
		for i := range perNS {
			d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("app%02d", i), Namespace: ns}}
			d.Spec.Template.Labels = map[string]string{"app": fmt.Sprintf("app%02d", i), "tier": fmt.Sprintf("tier%d", i%3)}
			d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: int32(8000 + i)}}}}
			objs = append(objs, &inventory.Object{GVK: appsv1.SchemeGroupVersion.WithKind("Deployment"), Obj: d, Meta: d})
		}
	}
	np := func(ns, name string, spec networkingv1.NetworkPolicySpec) {
		p := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: spec}
		objs = append(objs, &inventory.Object{GVK: networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"), Obj: p, Meta: p})
	}
	for n := range namespaces {
		np(fmt.Sprintf("ns%02d", n), "deny", networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{"Ingress", "Egress"}})
	}
	http, dns, lo, hi := intstr.FromString("http"), intstr.FromInt32(53), intstr.FromInt32(8000), int32(8100)
	for k := range policies - namespaces {
		ns, app := fmt.Sprintf("ns%02d", k%namespaces), k/namespaces%perNS
		np(ns, fmt.Sprintf("allow%03d", k), networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("app%02d", app)}},
			Ingress: []networkingv1.NetworkPolicyIngressRule{
				{From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("app%02d", (app+1)%perNS)}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &http}}},
				{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": fmt.Sprintf("t%d", k%5)}},
					PodSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"tier0", "tier1"}}}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &lo, EndPort: &hi}}},
			},
			Egress: []networkingv1.NetworkPolicyEgressRule{
				{To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{NameLabel: "kube-system"}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &dns}}},
				{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"169.254.169.254/32", "10.0.0.0/8"}}}}},
				{To: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}, Ports: []networkingv1.NetworkPolicyPort{{Port: &http}}},
			},
		})
	}
	return inventory.New(objs)
}

// BenchmarkReachMatrix builds the engine and evaluates every pair of 2,000
// workloads plus the internet and the metadata service, under 500 policies.
func BenchmarkReachMatrix(b *testing.B) {
	inv := syntheticInventory(50, 40, 500)
	b.ResetTimer()
	for b.Loop() {
		e := Build(inv, Options{})
		eps := e.Endpoints()
		allowed := 0
		e.Matrix(eps, eps, func(r Reach) {
			if r.Verdict != Denied {
				allowed++
			}
		})
		if len(e.Pods()) != 2000 || len(e.Policies()) != 500 || allowed == 0 {
			b.Fatalf("%d pods, %d policies, %d allowed", len(e.Pods()), len(e.Policies()), allowed)
		}
	}
}

// BenchmarkBuild measures indexing and precomputation alone.
func BenchmarkBuild(b *testing.B) {
	inv := syntheticInventory(50, 40, 500)
	b.ResetTimer()
	for b.Loop() {
		Build(inv, Options{})
	}
}
