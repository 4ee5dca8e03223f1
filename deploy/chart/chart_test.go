// Package chart_test renders the Helm chart in deploy/chart/kube4c with
// Helm's own SDK, as `helm install` would, and holds what it renders to
// kube4c's own scan and to the promises of its values: least-privilege
// RBAC, restricted pods, network policies, certificates that fit.
package chart_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsinstall "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/pipeline"
)

const (
	chartDir    = "kube4c"
	allOnValues = "kube4c/ci/all-on-values.yaml"
	release     = "kube4c"
	namespace   = "kube4c-system"
	kubeVersion = "v1.37.0"
)

// render installs the chart as a client-side dry run (what `helm template
// --include-crds` does), with the values of files and then of set, and
// returns the manifest. The values are validated against the chart's
// values.schema.json on the way.
func render(t *testing.T, set map[string]any, files ...string) (string, error) {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("loading the chart: %v", err)
	}
	vals := map[string]any{}
	for _, f := range files {
		v, err := common.ReadValuesFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		vals = loader.MergeMaps(vals, v)
	}
	vals = loader.MergeMaps(vals, set)
	kv, err := common.ParseKubeVersion(kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	install := action.NewInstall(action.NewConfiguration())
	install.DryRunStrategy = action.DryRunClient
	install.ReleaseName = release
	install.Namespace = namespace
	install.IncludeCRDs = true
	install.KubeVersion = kv
	rel, err := install.RunWithContext(context.Background(), chrt, vals)
	if err != nil {
		return "", err
	}
	r, ok := rel.(*releasev1.Release)
	if !ok {
		t.Fatalf("release of type %T", rel)
	}
	return r.Manifest, nil
}

func mustRender(t *testing.T, set map[string]any, files ...string) *objects {
	t.Helper()
	manifest, err := render(t, set, files...)
	if err != nil {
		t.Fatalf("rendering the chart: %v", err)
	}
	return parse(t, manifest)
}

// objects are the rendered objects, by kind and name.
type objects struct {
	manifest string
	all      []*unstructured.Unstructured
}

func parse(t *testing.T, manifest string) *objects {
	t.Helper()
	o := &objects{manifest: manifest}
	r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(manifest)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading the manifest: %v", err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			t.Fatalf("a rendered document is not YAML: %v\n%s", err, doc)
		}
		if len(m) == 0 {
			continue
		}
		o.all = append(o.all, &unstructured.Unstructured{Object: m})
	}
	return o
}

func (o *objects) find(kind, name string) *unstructured.Unstructured {
	for _, u := range o.all {
		if u.GetKind() == kind && u.GetName() == name {
			return u
		}
	}
	return nil
}

func (o *objects) ofKind(kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, u := range o.all {
		if u.GetKind() == kind {
			out = append(out, u)
		}
	}
	return out
}

// get converts the object kind/name into out, failing the test when it is
// missing.
func get[T any](t *testing.T, o *objects, kind, name string) *T {
	t.Helper()
	u := o.find(kind, name)
	if u == nil {
		t.Fatalf("no %s %s rendered", kind, name)
	}
	return convert[T](t, u)
}

func convert[T any](t *testing.T, u *unstructured.Unstructured) *T {
	t.Helper()
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, out, true); err != nil {
		t.Fatalf("%s %s: %v", u.GetKind(), u.GetName(), err)
	}
	return out
}

// scan runs kube4c's own scan on the manifest, as `helm template ... |
// kube4c scan -` would, and fails on any input problem, on any finding at
// or above medium, and on any suppressed finding but those allowed.
func scan(t *testing.T, manifest string, allowedSuppressed ...string) {
	t.Helper()
	rep, err := pipeline.Scan(context.Background(), pipeline.Request{
		Source: pipeline.Files{Paths: []string{"-"}, Stdin: strings.NewReader(manifest)},
		FailOn: check.Medium,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range slices.Concat(rep.Errors, rep.Warnings) {
		t.Errorf("input problem: %s %s", p.Location, p.Message)
	}
	for _, f := range rep.Failures {
		t.Errorf("check failure: %v", f)
	}
	for _, f := range rep.Findings {
		if f.Severity >= check.Medium {
			t.Errorf("%s %s %s: %s", f.Severity, f.CheckID, f.Object.Ref(), f.Message)
		}
	}
	for _, f := range rep.Suppressed {
		if !slices.Contains(allowedSuppressed, f.CheckID+" "+f.Object.Kind()+"/"+f.Object.Name()) {
			t.Errorf("suppressed %s on %s: not an exception the chart means to make", f.CheckID, f.Object.Ref())
		}
	}
	if rep.Objects == 0 {
		t.Error("the scan read no object")
	}
}

func TestDefaultValues(t *testing.T) {
	o := mustRender(t, nil)
	scan(t, o.manifest)

	// The watcher and what it needs; nothing of the components that are off.
	for _, want := range [][2]string{
		{"ServiceAccount", "kube4c-watch"}, {"ClusterRole", "kube4c-watch"}, {"ClusterRoleBinding", "kube4c-watch"},
		{"Role", "kube4c-watch-leader-election"}, {"RoleBinding", "kube4c-watch-leader-election"},
		{"Deployment", "kube4c-watch"}, {"PodDisruptionBudget", "kube4c-watch"}, {"NetworkPolicy", "kube4c-watch"},
		{"NetworkPolicy", "kube4c-default-deny"}, {"ConfigMap", "kube4c-config"},
		{"CustomResourceDefinition", "reports.openreports.io"}, {"CustomResourceDefinition", "clusterreports.openreports.io"},
		{"CustomResourceDefinition", "policyreports.wgpolicyk8s.io"}, {"CustomResourceDefinition", "clusterpolicyreports.wgpolicyk8s.io"},
	} {
		if o.find(want[0], want[1]) == nil {
			t.Errorf("no %s %s", want[0], want[1])
		}
	}
	for _, kind := range []string{"ValidatingWebhookConfiguration", "Secret", "Service", "PersistentVolumeClaim"} {
		if objs := o.ofKind(kind); len(objs) > 0 {
			t.Errorf("%s %s rendered with the admission webhook and the audit receiver off", kind, objs[0].GetName())
		}
	}
	if n := len(o.ofKind("Deployment")); n != 1 {
		t.Errorf("%d Deployments, want the watcher's alone", n)
	}

	// The Deployment runs kube4c watch with the flags of the values.
	dep := get[appsv1.Deployment](t, o, "Deployment", "kube4c-watch")
	c := dep.Spec.Template.Spec.Containers[0]
	args := strings.Join(c.Args, " ")
	for _, want := range []string{
		"watch --config /etc/kube4c/config.yaml --report-format openreports --resync 1h --listen :8080",
		"--leader-elect=true --leader-election-namespace " + namespace + " --leader-election-id kube4c-watch",
		"--metrics-per-object=false", "--log-findings=false", "--write-rate 5000",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("watch args %q lack %q", args, want)
		}
	}
	if *dep.Spec.Replicas != 2 {
		t.Errorf("watch replicas %d, want 2", *dep.Spec.Replicas)
	}
	if len(c.Env) != 1 || c.Env[0].Name != "POD_NAMESPACE" || c.Env[0].ValueFrom == nil || c.Env[0].ValueFrom.FieldRef.FieldPath != "metadata.namespace" {
		t.Errorf("watch env %+v, want POD_NAMESPACE from the downward API", c.Env)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http-metrics" || c.Ports[0].ContainerPort != 8080 {
		t.Errorf("watch ports %+v", c.Ports)
	}
	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Port.String() != "http-metrics" {
		t.Errorf("watch liveness probe %+v", p)
	}
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" || p.HTTPGet.Port.String() != "http-metrics" {
		t.Errorf("watch readiness probe %+v", p)
	}
	if got := c.Resources.Requests.Cpu().String() + "/" + c.Resources.Requests.Memory().String() + " " +
		c.Resources.Limits.Cpu().String() + "/" + c.Resources.Limits.Memory().String(); got != "100m/128Mi 1/512Mi" {
		t.Errorf("watch resources %s", got)
	}
	if c.Image != "ghcr.io/kube4c/kube4c:"+appVersion(t) {
		t.Errorf("watch image %s, want the chart's appVersion as tag", c.Image)
	}
	if dep.Spec.Template.Spec.Affinity == nil || dep.Spec.Template.Spec.Affinity.PodAntiAffinity == nil {
		t.Error("the watch replicas have no podAntiAffinity")
	}

	// No secrets without watch.secrets, and the reports of one format.
	watchRBAC(t, o, "openreports.io", false)

	// The config every component reads is a valid .kube4c.yaml.
	validConfig(t, o)
}

func TestAllOnValues(t *testing.T) {
	o := mustRender(t, nil, allOnValues)
	// The one exception: the Secrets grant that watch.secrets asks for.
	scan(t, o.manifest, "rbac-read-secrets ClusterRoleBinding/kube4c-watch-secret-metadata")

	for _, want := range [][2]string{
		{"Deployment", "kube4c-watch"}, {"Deployment", "kube4c-admission"}, {"Deployment", "kube4c-audit-receiver"},
		{"ValidatingWebhookConfiguration", "kube4c-admission"}, {"Service", "kube4c-admission"}, {"Service", "kube4c-audit-receiver"},
		{"Secret", "kube4c-admission-tls"}, {"Secret", "kube4c-audit-receiver-tls"}, {"ConfigMap", "kube4c-audit-receiver-client-ca"},
		{"PersistentVolumeClaim", "kube4c-audit-receiver"}, {"ClusterRole", "kube4c-admission"},
		{"ClusterRole", "kube4c-watch-secret-metadata"}, {"ClusterRoleBinding", "kube4c-watch-secret-metadata"},
		{"PodDisruptionBudget", "kube4c-admission"}, {"NetworkPolicy", "kube4c-admission"}, {"NetworkPolicy", "kube4c-audit-receiver"},
	} {
		if o.find(want[0], want[1]) == nil {
			t.Errorf("no %s %s", want[0], want[1])
		}
	}
	if objs := o.ofKind("Certificate"); len(objs) > 0 {
		t.Errorf("cert-manager off, yet a Certificate %s", objs[0].GetName())
	}
	dep := get[appsv1.Deployment](t, o, "Deployment", "kube4c-watch")
	args := strings.Join(dep.Spec.Template.Spec.Containers[0].Args, " ")
	for _, want := range []string{"--report-format policyreport", "--metrics-per-object=true", "--log-findings=true"} {
		if !strings.Contains(args, want) {
			t.Errorf("watch args %q lack %q", args, want)
		}
	}
	watchRBAC(t, o, "wgpolicyk8s.io", true)
	validConfig(t, o)

	// The webhook: the API server trusts the CA that signed the server's
	// certificate, for the Service's name.
	vwc := get[admissionregistrationv1.ValidatingWebhookConfiguration](t, o, "ValidatingWebhookConfiguration", "kube4c-admission")
	if len(vwc.Webhooks) != 1 {
		t.Fatalf("%d webhooks", len(vwc.Webhooks))
	}
	hook := vwc.Webhooks[0]
	if hook.FailurePolicy == nil || *hook.FailurePolicy != admissionregistrationv1.Fail {
		t.Errorf("failurePolicy %v, want the default Fail", hook.FailurePolicy)
	}
	if len(hook.MatchConditions) != 3 {
		t.Errorf("%d matchConditions, want those of deploy/admission", len(hook.MatchConditions))
	}
	svc := hook.ClientConfig.Service
	if svc == nil || svc.Name != "kube4c-admission" || svc.Namespace != namespace || *svc.Path != "/validate" || *svc.Port != 443 {
		t.Errorf("clientConfig.service %+v", svc)
	}
	secret := get[corev1.Secret](t, o, "Secret", "kube4c-admission-tls")
	if !bytes.Equal(hook.ClientConfig.CABundle, secret.Data["ca.crt"]) {
		t.Error("the webhook's caBundle is not the CA of the Secret the server mounts")
	}
	verifyServing(t, secret, "kube4c-admission."+namespace+".svc")
	mountsSecret(t, get[appsv1.Deployment](t, o, "Deployment", "kube4c-admission"), "kube4c-admission-tls")

	// The exempt namespaces agree: webhook selector, CEL, and the server's config.
	exempt := []string{"kube-system", namespace}
	var selected []string
	for _, e := range hook.NamespaceSelector.MatchExpressions {
		if e.Key == corev1.LabelMetadataName && e.Operator == metav1.LabelSelectorOpNotIn {
			selected = e.Values
		}
	}
	if !slices.Equal(selected, exempt) {
		t.Errorf("namespaceSelector NotIn %q, want %q", selected, exempt)
	}
	if !strings.Contains(hook.MatchConditions[0].Expression, "['kube-system', '"+namespace+"']") {
		t.Errorf("matchCondition %q does not name the exempt namespaces", hook.MatchConditions[0].Expression)
	}
	if !strings.Contains(hook.MatchConditions[1].Expression, "'system:serviceaccount:"+namespace+":kube4c-admission'") {
		t.Errorf("matchCondition %q does not name the webhook's service account", hook.MatchConditions[1].Expression)
	}

	// The audit receiver: TLS for the fixed ClusterIP too, the client CA,
	// the archive on the claim, and no API token at all.
	ar := get[corev1.Secret](t, o, "Secret", "kube4c-audit-receiver-tls")
	verifyServing(t, ar, "kube4c-audit-receiver."+namespace+".svc")
	verifyServing(t, ar, "10.96.0.20")
	audit := get[appsv1.Deployment](t, o, "Deployment", "kube4c-audit-receiver")
	mountsSecret(t, audit, "kube4c-audit-receiver-tls")
	aargs := strings.Join(audit.Spec.Template.Spec.Containers[0].Args, " ")
	if !strings.HasPrefix(aargs, "audit serve --listen :8443 ") || !strings.Contains(aargs, "--client-ca-file /client-ca/ca.crt") ||
		!strings.Contains(aargs, "--archive-dir /var/lib/kube4c/audit") {
		t.Errorf("audit receiver args %q", aargs)
	}
	claim := false
	for _, v := range audit.Spec.Template.Spec.Volumes {
		claim = claim || v.Name == "archive" && v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "kube4c-audit-receiver"
		if v.Projected != nil {
			t.Errorf("the audit receiver mounts a projected volume %s: it talks to no API", v.Name)
		}
	}
	if !claim {
		t.Error("the audit receiver's archive is not on its PersistentVolumeClaim")
	}
	if o.find("ClusterRoleBinding", "kube4c-audit-receiver") != nil || o.find("RoleBinding", "kube4c-audit-receiver") != nil {
		t.Error("the audit receiver is bound to a role")
	}
	np := get[networkingv1.NetworkPolicy](t, o, "NetworkPolicy", "kube4c-audit-receiver")
	if len(np.Spec.Egress) != 0 || !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
		t.Errorf("the audit receiver may reach %+v; it calls no one", np.Spec.Egress)
	}
}

// Every Deployment, whatever the values: restricted pods, its own
// ServiceAccount without an automounted token, the chart's labels, a
// NetworkPolicy that selects its pods, and a PodDisruptionBudget when it
// runs more than one replica.
func TestEveryComponent(t *testing.T) {
	for name, o := range map[string]*objects{
		"default": mustRender(t, nil),
		"all-on":  mustRender(t, nil, allOnValues),
		"cert-manager": mustRender(t, map[string]any{
			"admission":     map[string]any{"enabled": true, "certManager": map[string]any{"enabled": true}, "replicas": 3},
			"auditReceiver": map[string]any{"enabled": true, "certManager": map[string]any{"enabled": true}, "clientCA": map[string]any{"existingConfigMap": "apiserver-client-ca"}},
		}),
		"one-replica": mustRender(t, map[string]any{"watch": map[string]any{"replicas": 1, "leaderElection": map[string]any{"enabled": false}}}),
	} {
		t.Run(name, func(t *testing.T) {
			if name != "all-on" {
				scan(t, o.manifest)
			}
			deps := o.ofKind("Deployment")
			if len(deps) == 0 {
				t.Fatal("no Deployment")
			}
			for _, u := range deps {
				dep := convert[appsv1.Deployment](t, u)
				component(t, o, dep)
			}
		})
	}
}

func component(t *testing.T, o *objects, dep *appsv1.Deployment) {
	t.Helper()
	name := dep.Name
	for _, key := range []string{"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
		"app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "helm.sh/chart"} {
		if dep.Labels[key] == "" {
			t.Errorf("Deployment %s has no label %s", name, key)
		}
	}
	spec := dep.Spec.Template.Spec
	sa := get[corev1.ServiceAccount](t, o, "ServiceAccount", spec.ServiceAccountName)
	if spec.ServiceAccountName != name || sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
		t.Errorf("Deployment %s: service account %s, automount %v; want its own, without an automounted token", name, spec.ServiceAccountName, sa.AutomountServiceAccountToken)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("Deployment %s automounts the token", name)
	}
	psc := spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != 65532 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("Deployment %s pod securityContext %+v", name, psc)
	}
	for _, c := range spec.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
			t.Errorf("Deployment %s container %s securityContext %+v", name, c.Name, sc)
		}
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("Deployment %s container %s resources %+v", name, c.Name, c.Resources)
		}
		if c.LivenessProbe == nil || c.ReadinessProbe == nil {
			t.Errorf("Deployment %s container %s lacks a probe", name, c.Name)
		}
	}
	pods := labels.Set(dep.Spec.Template.Labels)
	selects := func(sel *metav1.LabelSelector) bool {
		s, err := metav1.LabelSelectorAsSelector(sel)
		return err == nil && !s.Empty() && s.Matches(pods)
	}
	policy := false
	for _, u := range o.ofKind("NetworkPolicy") {
		np := convert[networkingv1.NetworkPolicy](t, u)
		if selects(&np.Spec.PodSelector) {
			policy = true
			for _, rule := range np.Spec.Ingress {
				if len(rule.Ports) == 0 {
					t.Errorf("NetworkPolicy %s admits every port of %s", np.Name, name)
				}
				for _, p := range rule.Ports {
					if !declares(spec.Containers, p.Port.IntValue()) {
						t.Errorf("NetworkPolicy %s admits port %s, which %s does not serve", np.Name, p.Port, name)
					}
				}
			}
		}
	}
	if !policy {
		t.Errorf("no NetworkPolicy of its own selects the pods of %s", name)
	}
	pdb := false
	for _, u := range o.ofKind("PodDisruptionBudget") {
		pdb = pdb || selects(convert[policyv1.PodDisruptionBudget](t, u).Spec.Selector)
	}
	if replicas := *dep.Spec.Replicas; replicas > 1 != pdb {
		t.Errorf("Deployment %s: %d replicas, PodDisruptionBudget %v", name, replicas, pdb)
	}
}

func declares(containers []corev1.Container, port int) bool {
	for _, c := range containers {
		for _, p := range c.Ports {
			if int(p.ContainerPort) == port {
				return true
			}
		}
	}
	return false
}

// watchRBAC checks the watcher's ClusterRoles: read-only but for the
// report kinds of its format (group), Secrets only with watch.secrets, and
// a leader-election Role that touches one Lease.
func watchRBAC(t *testing.T, o *objects, reportGroup string, secrets bool) {
	t.Helper()
	readOnly := []string{"get", "list", "watch"}
	reports := map[string][]string{"openreports.io": {"reports", "clusterreports"}, "wgpolicyk8s.io": {"policyreports", "clusterpolicyreports"}}
	for _, u := range o.ofKind("ClusterRole") {
		if !strings.HasPrefix(u.GetName(), "kube4c-watch") {
			continue
		}
		role := convert[rbacv1.ClusterRole](t, u)
		for i, r := range role.Rules {
			where := role.Name + " rules[" + strconv.Itoa(i) + "]"
			if slices.Contains(r.Verbs, "*") || slices.Contains(r.Resources, "*") || slices.Contains(r.APIGroups, "*") {
				t.Errorf("%s uses a wildcard: %+v", where, r)
			}
			if slices.Contains(r.Resources, "secrets") {
				if !secrets {
					t.Errorf("%s grants Secrets with watch.secrets false", where)
				} else if role.Name != "kube4c-watch-secret-metadata" || !slices.Equal(r.Verbs, []string{"list", "watch"}) || len(r.Resources) != 1 {
					t.Errorf("%s: Secrets belong, list and watch only, in a ClusterRole of their own", where)
				}
			}
			writes := slices.DeleteFunc(slices.Clone(r.Verbs), func(v string) bool { return slices.Contains(readOnly, v) })
			if len(writes) == 0 {
				continue
			}
			if len(r.APIGroups) != 1 || r.APIGroups[0] != reportGroup || !slices.Equal(r.Resources, reports[reportGroup]) {
				t.Errorf("%s writes (%v) to %v %v: the watcher writes only the reports of group %s", where, writes, r.APIGroups, r.Resources, reportGroup)
			}
		}
	}
	if got := o.find("ClusterRole", "kube4c-watch-secret-metadata") != nil; got != secrets {
		t.Errorf("Secrets ClusterRole rendered: %v, with watch.secrets %v", got, secrets)
	}
	role := get[rbacv1.Role](t, o, "Role", "kube4c-watch-leader-election")
	for i, r := range role.Rules {
		if !slices.Equal(r.APIGroups, []string{"coordination.k8s.io"}) || !slices.Equal(r.Resources, []string{"leases"}) {
			t.Errorf("leader-election rules[%d] %+v: leases only", i, r)
		}
		switch {
		case slices.Equal(r.Verbs, []string{"create"}):
		case len(r.ResourceNames) == 1 && r.ResourceNames[0] == "kube4c-watch" && !slices.Contains(r.Verbs, "create") && !slices.Contains(r.Verbs, "delete"):
		default:
			t.Errorf("leader-election rules[%d] %+v: create alone, or verbs on the Lease kube4c-watch", i, r)
		}
	}
}

// validConfig checks that the ConfigMap holds a .kube4c.yaml that kube4c
// accepts, mounted where every component's --config looks.
func validConfig(t *testing.T, o *objects) {
	t.Helper()
	cm := get[corev1.ConfigMap](t, o, "ConfigMap", "kube4c-config")
	text, ok := cm.Data["config.yaml"]
	if !ok {
		t.Fatal("the ConfigMap has no config.yaml")
	}
	cfg, err := config.Parse("config.yaml", []byte(text))
	if err != nil {
		t.Fatalf("the chart's config: %v", err)
	}
	if err := cfg.Validate(pipeline.Known()); err != nil {
		t.Errorf("the chart's config: %v", err)
	}
	for _, u := range o.ofKind("Deployment") {
		dep := convert[appsv1.Deployment](t, u)
		args := strings.Join(dep.Spec.Template.Spec.Containers[0].Args, " ")
		if !strings.Contains(args, "--config /etc/kube4c/config.yaml") {
			t.Errorf("Deployment %s args %q: not the chart's config", dep.Name, args)
		}
		mounted := false
		for _, m := range dep.Spec.Template.Spec.Containers[0].VolumeMounts {
			for _, v := range dep.Spec.Template.Spec.Volumes {
				mounted = mounted || m.Name == v.Name && m.MountPath == "/etc/kube4c" && v.ConfigMap != nil && v.ConfigMap.Name == cm.Name
			}
		}
		if !mounted {
			t.Errorf("Deployment %s does not mount %s at /etc/kube4c", dep.Name, cm.Name)
		}
	}
}

// verifyServing checks that tls.crt of the Secret is signed by its ca.crt,
// for server authentication, under host.
func verifyServing(t *testing.T, s *corev1.Secret, host string) {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(s.Data["ca.crt"]) {
		t.Fatalf("Secret %s: ca.crt holds no certificate", s.Name)
	}
	block, _ := pem.Decode(s.Data["tls.crt"])
	if block == nil {
		t.Fatalf("Secret %s: tls.crt holds no certificate", s.Name)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: host, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("Secret %s: %v", s.Name, err)
	}
	if net.ParseIP(host) == nil && !slices.Contains(cert.DNSNames, host) {
		t.Errorf("Secret %s: %s not among %q", s.Name, host, cert.DNSNames)
	}
	if len(s.Data["tls.key"]) == 0 {
		t.Errorf("Secret %s has no tls.key", s.Name)
	}
}

func mountsSecret(t *testing.T, dep *appsv1.Deployment, secret string) {
	t.Helper()
	for _, v := range dep.Spec.Template.Spec.Volumes {
		if v.Secret != nil && v.Secret.SecretName == secret {
			return
		}
	}
	t.Errorf("Deployment %s does not mount the Secret %s", dep.Name, secret)
}

// Values the schema refuses never render.
func TestSchemaRefuses(t *testing.T) {
	_, err := render(t, nil, "testdata/unknown-key-values.yaml")
	if err == nil || !strings.Contains(err.Error(), "additional properties 'replica' not allowed") {
		t.Errorf("a values file with an unknown key: error %v, want the schema's refusal", err)
	}
	for name, set := range map[string]map[string]any{
		"report format":   {"watch": map[string]any{"reportFormat": "json"}},
		"failure policy":  {"admission": map[string]any{"failurePolicy": "Maybe"}},
		"no memory limit": {"watch": map[string]any{"resources": map[string]any{"limits": map[string]any{"memory": nil}}}},
		"digest":          {"image": map[string]any{"digest": "latest"}},
	} {
		if _, err := render(t, set); err == nil || !strings.Contains(err.Error(), "values don't meet the specifications of the schema") {
			t.Errorf("%s: error %v, want the schema's refusal", name, err)
		}
	}
	// What the schema cannot say, the templates do.
	for name, set := range map[string]map[string]any{
		"two writers":      {"watch": map[string]any{"leaderElection": map[string]any{"enabled": false}}},
		"exempt in config": {"config": map[string]any{"admission": map[string]any{"exempt": map[string]any{"namespaces": []any{"x"}}}}},
		"no client CA":     {"auditReceiver": map[string]any{"enabled": true}},
	} {
		if _, err := render(t, set); err == nil || !strings.Contains(err.Error(), "execution error") {
			t.Errorf("%s: error %v, want the template to refuse", name, err)
		}
	}
}

// image.digest wins over the tag.
func TestImageDigest(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	o := mustRender(t, map[string]any{"image": map[string]any{"tag": "9.9.9", "digest": digest}})
	dep := get[appsv1.Deployment](t, o, "Deployment", "kube4c-watch")
	if got := dep.Spec.Template.Spec.Containers[0].Image; got != "ghcr.io/kube4c/kube4c@"+digest {
		t.Errorf("image %s, want the digest alone", got)
	}

	// The chart excepts no image finding: a latest tag is reported.
	o = mustRender(t, map[string]any{"image": map[string]any{"tag": "latest"}})
	rep, err := pipeline.Scan(context.Background(), pipeline.Request{
		Source: pipeline.Files{Paths: []string{"-"}, Stdin: strings.NewReader(o.manifest)}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rep.Findings, func(f *check.Finding) bool { return f.CheckID == "image-latest-tag" }) {
		t.Error("image.tag latest: no image-latest-tag finding; the chart must not hide it")
	}
}

// Helm's own lint, strict: no error and no warning, with the default
// values and with every component on.
func TestLint(t *testing.T) {
	kv, err := common.ParseKubeVersion(kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	for _, files := range [][]string{nil, {allOnValues}} {
		vals := map[string]any{}
		for _, f := range files {
			v, err := common.ReadValuesFile(f)
			if err != nil {
				t.Fatal(err)
			}
			vals = v
		}
		lint := action.NewLint()
		lint.Strict = true
		lint.Namespace = namespace
		lint.KubeVersion = kv
		res := lint.Run([]string{chartDir}, vals)
		for _, m := range res.Messages {
			if m.Severity > support.InfoSev {
				t.Errorf("helm lint %v: %s", files, m)
			}
		}
		for _, err := range res.Errors {
			t.Errorf("helm lint %v: %v", files, err)
		}
		if res.TotalChartsLinted != 1 {
			t.Errorf("helm lint linted %d charts", res.TotalChartsLinted)
		}
	}
}

func appVersion(t *testing.T) string {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	return chrt.Metadata.AppVersion
}

// The CRDs of crds/ are what the API server accepts: each is validated as
// the API server validates a CustomResourceDefinition on create (a
// structural schema, names that fit, printer columns that parse).
func TestCRDsAreValid(t *testing.T) {
	scheme := runtime.NewScheme()
	apiextensionsinstall.Install(scheme)
	files, err := filepath.Glob(filepath.Join(chartDir, "crds", "*.yaml"))
	if err != nil || len(files) != 4 {
		t.Fatalf("crds/: %v %v, want the four report CRDs", files, err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var v1crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(data, &v1crd); err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		scheme.Default(&v1crd)
		var crd apiextensions.CustomResourceDefinition
		if err := scheme.Convert(&v1crd, &crd, nil); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if errs := apiextensionsvalidation.ValidateCustomResourceDefinition(context.Background(), &crd); len(errs) > 0 {
			t.Errorf("%s: %v", file, errs.ToAggregate())
		}
		if want := strings.TrimSuffix(filepath.Base(file), ".yaml"); want != crd.Spec.Group+"_"+crd.Spec.Names.Plural {
			t.Errorf("%s holds %s.%s", file, crd.Spec.Names.Plural, crd.Spec.Group)
		}
		if crd.Spec.Group == "wgpolicyk8s.io" {
			props := crd.Spec.Validation.OpenAPIV3Schema.Properties
			result := props["results"].Items.Schema
			for _, field := range []string{"source", "policy", "rule", "category", "severity", "timestamp", "result", "scored", "resources", "resourceSelector", "message", "properties"} {
				if _, ok := result.Properties[field]; !ok {
					t.Errorf("%s: results[] has no %s", file, field)
				}
			}
			if !slices.Equal(result.Required, []string{"policy"}) || len(props["summary"].Properties) != 5 || props["scope"].Properties["kind"].Type != "string" {
				t.Errorf("%s: not the v1alpha2 PolicyReport schema", file)
			}
		}
	}
}
