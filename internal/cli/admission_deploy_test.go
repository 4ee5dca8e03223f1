package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/servingcert"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

const admissionManifests = "../../deploy/admission"

// kube4c's admission webhook install passes kube4c's own scan: no finding
// at or above medium with the default checks, none at all from the
// Restricted Pod Security Standard, and nothing suppressed but the image
// tag its annotation explains.
func TestDeployAdmissionPassesItsOwnScan(t *testing.T) {
	rep, err := pipeline.Scan(context.Background(), pipeline.Request{Source: pipeline.Files{Paths: []string{admissionManifests}}, FailOn: check.Medium})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range slices.Concat(rep.Errors, rep.Warnings) {
		t.Errorf("input problem: %s %s", p.Location, p.Message)
	}
	for _, f := range rep.Findings {
		if f.Severity >= check.Medium {
			t.Errorf("%s %s %s: %s", f.Severity, f.CheckID, f.Location, f.Message)
		}
	}
	for _, f := range rep.Suppressed {
		if f.CheckID != "image-latest-tag" || f.Object.Kind() != "Deployment" {
			t.Errorf("suppressed %s on %s: only the Deployment's image tag is excepted", f.CheckID, f.Object.Ref())
		}
	}

	rep, err = pipeline.Scan(context.Background(), pipeline.Request{Options: pipeline.Options{Only: []string{"pss-restricted", "missing-cpu-limit"}},
		Source: pipeline.Files{Paths: []string{admissionManifests}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		t.Errorf("%s %s: %s", f.CheckID, f.Location, f.Message)
	}
}

// The manifests agree with each other: names, ports, the exempt
// namespaces, the webhook's timeout and the kube4c configuration.
func TestDeployAdmissionManifestsAgree(t *testing.T) {
	res := manifest.Load([]string{admissionManifests}, manifest.Options{RequireObjects: true})
	if len(res.Errors) > 0 {
		t.Fatalf("cannot read the manifests: %v", res.Errors)
	}
	var (
		dep  *appsv1.Deployment
		svc  *corev1.Service
		cm   *corev1.ConfigMap
		vwc  *admissionregistrationv1.ValidatingWebhookConfiguration
		cert *unstructured.Unstructured
	)
	for _, o := range res.Objects {
		switch obj := o.Obj.(type) {
		case *appsv1.Deployment:
			dep = obj
		case *corev1.Service:
			svc = obj
		case *corev1.ConfigMap:
			cm = obj
		case *admissionregistrationv1.ValidatingWebhookConfiguration:
			vwc = obj
		case *unstructured.Unstructured:
			if o.Kind() == "Certificate" && o.Name() == "kube4c-admission" {
				cert = obj
			}
		}
	}
	if dep == nil || svc == nil || cm == nil || vwc == nil || cert == nil || len(vwc.Webhooks) != 1 {
		t.Fatal("deploy/admission lacks the Deployment, the Service, the ConfigMap, the webhook configuration or the Certificate")
	}
	hook := vwc.Webhooks[0]
	const name, ns, secret = "kube4c-admission", "kube4c-system", "kube4c-admission-tls"

	// The API server reaches the pods: webhook → Service → container port.
	ref := hook.ClientConfig.Service
	if ref == nil || ref.Name != name || ref.Namespace != ns || ref.Path == nil || *ref.Path != "/validate" || ref.Port == nil || *ref.Port != 443 {
		t.Errorf("clientConfig.service %+v, want %s/%s:443/validate", ref, ns, name)
	}
	if svc.Name != name || svc.Namespace != ns || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 443 {
		t.Errorf("Service %s/%s ports %+v", svc.Namespace, svc.Name, svc.Spec.Ports)
	}
	c := dep.Spec.Template.Spec.Containers[0]
	if len(c.Ports) != 1 || c.Ports[0].Name != svc.Spec.Ports[0].TargetPort.String() || c.Ports[0].ContainerPort != 8443 {
		t.Errorf("container ports %+v, Service targetPort %s", c.Ports, svc.Spec.Ports[0].TargetPort.String())
	}
	if args := strings.Join(c.Args, " "); !strings.Contains(args, "--listen :8443 ") {
		t.Errorf("args %q: the server does not listen on the container port", args)
	}
	if vwc.Annotations["cert-manager.io/inject-ca-from"] != ns+"/"+name {
		t.Errorf("inject-ca-from %q", vwc.Annotations["cert-manager.io/inject-ca-from"])
	}

	// The certificate: cert-manager's names are those of kube4c admission
	// certs, in the Secret the pods mount.
	want, err := servingcert.SANs(name, ns, nil)
	if err != nil {
		t.Fatal(err)
	}
	dnsNames, _, _ := unstructured.NestedStringSlice(cert.Object, "spec", "dnsNames")
	secretName, _, _ := unstructured.NestedString(cert.Object, "spec", "secretName")
	if !slices.Equal(dnsNames, want) || secretName != secret {
		t.Errorf("Certificate dnsNames %q secretName %q, want %q in %s", dnsNames, secretName, want, secret)
	}
	mounted := false
	for _, v := range dep.Spec.Template.Spec.Volumes {
		mounted = mounted || v.Secret != nil && v.Secret.SecretName == secret
	}
	if !mounted {
		t.Errorf("the Deployment does not mount the Secret %s", secret)
	}

	// The kube4c configuration: known checks, the same exempt namespaces
	// as the webhook configuration, a review deadline below its timeout.
	var cfg struct {
		Admission struct {
			Deny, Warn string
			Timeout    string
			Checks     map[string]string
			Exempt     struct{ Namespaces []string }
		}
	}
	if err := yaml.Unmarshal([]byte(cm.Data[".kube4c.yaml"]), &cfg); err != nil {
		t.Fatalf("the ConfigMap's .kube4c.yaml: %v", err)
	}
	known := pipeline.Known()
	for id, decision := range cfg.Admission.Checks {
		if !known.Has(id) {
			t.Errorf("admission.checks: %s", known.UnknownID(id))
		}
		if !slices.Contains([]string{"deny", "warn", "off"}, decision) {
			t.Errorf("admission.checks.%s: %q, want deny, warn or off", id, decision)
		}
	}
	for _, s := range []string{cfg.Admission.Deny, cfg.Admission.Warn} {
		if _, err := check.ParseSeverity(s); err != nil && s != "none" {
			t.Errorf("admission deny/warn: %v", err)
		}
	}
	if hook.TimeoutSeconds == nil {
		t.Fatal("the webhook sets no timeoutSeconds")
	}
	webhookTimeout := time.Duration(*hook.TimeoutSeconds) * time.Second
	if timeout, err := time.ParseDuration(cfg.Admission.Timeout); err != nil || timeout <= 0 || timeout > webhookTimeout/2 {
		t.Errorf("admission.timeout %q against the webhook's timeoutSeconds %d: keep the review within half of it", cfg.Admission.Timeout, *hook.TimeoutSeconds)
	}
	exempt := cfg.Admission.Exempt.Namespaces
	var selected []string
	for _, e := range hook.NamespaceSelector.MatchExpressions {
		if e.Key == corev1.LabelMetadataName && e.Operator == "NotIn" {
			selected = e.Values
		}
	}
	if !slices.Equal(exempt, selected) {
		t.Errorf("admission.exempt.namespaces %q, webhook namespaceSelector NotIn %q", exempt, selected)
	}
	celList := "[" + strings.Join(quoteAll(exempt), ", ") + "]"
	found := false
	for _, mc := range hook.MatchConditions {
		found = found || strings.Contains(mc.Expression, "request.namespace in "+celList)
	}
	if !found {
		t.Errorf("no matchCondition leaves out %s", celList)
	}
	if !slices.Contains(exempt, ns) || !slices.Contains(exempt, "kube-system") {
		t.Errorf("the exempt namespaces %q leave in the webhook's own namespace or kube-system", exempt)
	}
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "'" + strings.ReplaceAll(n, "'", `\'`) + "'"
	}
	return out
}
