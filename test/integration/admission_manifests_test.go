//go:build integration

package integration

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/servingcert"
)

// Every object of deploy/admission is one the API server accepts as
// written: created with dryRun=All and strict field validation, so that a
// misspelt field or a CEL matchCondition that does not compile fails here.
// cert-manager's kinds are left out (the test cluster has no cert-manager).
// Namespaced objects go to "default", which exists, as a dry run leaves no
// kube4c-system behind.
func TestAdmissionManifestsAreValid(t *testing.T) {
	ctx := context.Background()
	dyn := dynamic.NewForConfigOrDie(admin)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(admin)))
	files, err := filepath.Glob(filepath.Join("..", "..", "deploy", "admission", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/admission (%v)", err)
	}
	created := map[string]bool{}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
		for {
			var u unstructured.Unstructured
			if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if u.Object == nil {
				continue
			}
			gvk := u.GroupVersionKind()
			if gvk.Group == "cert-manager.io" {
				continue
			}
			mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				t.Errorf("%s: %s: %v", file, gvk, err)
				continue
			}
			var ri dynamic.ResourceInterface = dyn.Resource(mapping.Resource)
			if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
				u.SetNamespace("default")
				ri = dyn.Resource(mapping.Resource).Namespace("default")
			}
			opts := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: metav1.FieldValidationStrict}
			if _, err := ri.Create(ctx, &u, opts); err != nil {
				t.Errorf("%s: %s %s: %v", file, gvk.Kind, u.GetName(), err)
				continue
			}
			created[gvk.Kind+"/"+u.GetName()] = true
		}
		f.Close()
	}
	for _, want := range []string{"Namespace/kube4c-system", "ServiceAccount/kube4c-admission", "ClusterRole/kube4c-admission",
		"ClusterRoleBinding/kube4c-admission", "ConfigMap/kube4c-admission-config", "Deployment/kube4c-admission",
		"PodDisruptionBudget/kube4c-admission", "Service/kube4c-admission", "NetworkPolicy/default-deny",
		"ValidatingWebhookConfiguration/kube4c-admission"} {
		if !created[want] {
			t.Errorf("%s was not among the objects the API server accepted", want)
		}
	}
}

// The certificates `kube4c admission certs` writes are ones the API server
// trusts: a webhook on 127.0.0.1 serving the pair is called, given the CA
// as caBundle, and its answer reaches the client; given another CA, the
// call fails on the certificate.
func TestAdmissionCertsAreTrustedByTheAPIServer(t *testing.T) {
	ctx := context.Background()
	url, caBundle := denyingWebhook(t)

	cs := kubernetes.NewForConfigOrDie(admin)
	vwcs := cs.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	none, fail := admissionregistrationv1.SideEffectClassNone, admissionregistrationv1.Fail
	timeout := int32(10)
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "kube4c-certs-test"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "validate.kube4c.io",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: caBundle},
			AdmissionReviewVersions: []string{"v1"},
			SideEffects:             &none,
			FailurePolicy:           &fail,
			TimeoutSeconds:          &timeout,
			// Only this test's objects: the control plane is shared.
			ObjectSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kube4c-test": "certs"}},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"}},
			}},
		}},
	}
	if _, err := vwcs.Create(ctx, vwc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	defer vwcs.Delete(ctx, vwc.Name, metav1.DeleteOptions{})

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{GenerateName: "kube4c-certs-", Labels: map[string]string{"kube4c-test": "certs"}}}
	create := func() error {
		_, err := cs.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err
	}
	// The API server's webhook registry catches up with the new
	// configuration within a moment.
	if err := eventually(create, deniedByTest); err != nil {
		t.Fatalf("creating a ConfigMap the webhook denies: %v", err)
	}

	// Another CA in caBundle: the API server refuses the server's
	// certificate, and failurePolicy Fail refuses the request.
	other, err := servingcert.Issue(servingcert.Options{Service: "kube4c-admission", Namespace: "kube4c-system", Hosts: []string{"127.0.0.1"}, Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	got, err := vwcs.Get(ctx, vwc.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got.Webhooks[0].ClientConfig.CABundle = other.CACert
	if _, err := vwcs.Update(ctx, got, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := eventually(create, "x509"); err != nil {
		t.Errorf("with another CA in caBundle: %v", err)
	}
}

// deniedByTest is how the API server reports denyEveryReview's answer.
const deniedByTest = `admission webhook "validate.kube4c.io" denied the request: kube4c test: denied`

// eventually calls create until its error contains want, for as long as
// the API server's webhook registry may take to catch up with a change,
// and returns the last outcome when it never does.
func eventually(create func() error, want string) error {
	var last error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if last = create(); last != nil && strings.Contains(last.Error(), want) {
			return nil
		}
	}
	return fmt.Errorf("got %v, want an error containing %q", last, want)
}

// denyingWebhook serves denyEveryReview on 127.0.0.1 with a certificate
// from servingcert, as `kube4c admission certs --host 127.0.0.1` writes
// it, and returns its URL and caBundle.
func denyingWebhook(t *testing.T) (url string, caBundle []byte) {
	t.Helper()
	bundle, err := servingcert.Issue(servingcert.Options{Service: "kube4c-admission", Namespace: "kube4c-system", Hosts: []string{"127.0.0.1"}, Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(bundle.Cert, bundle.Key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(denyEveryReview))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes refused on purpose
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL + "/validate", bundle.CACert
}

// denyEveryReview answers an AdmissionReview with a refusal.
func denyEveryReview(w http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&review); err != nil || review.Request == nil {
		http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
		return
	}
	review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: false,
		Result: &metav1.Status{Message: "kube4c test: denied", Code: http.StatusForbidden}}
	review.Request = nil
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(&review)
}

// The webhook configuration of deploy/admission sends the API server's
// requests where it should: every kind of its rules reaches the webhook,
// cluster-scoped ones too, while kube-system and the webhook's own service
// account are left out by its namespaceSelector and matchConditions. The
// configuration is the file's, but for its name, the test webhook's
// address, and an objectSelector that keeps it to this test's objects.
func TestAdmissionWebhookConfigurationMatches(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "admission", "90-webhook.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	if err := sigsyaml.UnmarshalStrict(data, &vwc); err != nil {
		t.Fatalf("90-webhook.yaml: %v", err)
	}
	url, caBundle := denyingWebhook(t)
	vwc.Name = "kube4c-matching-test"
	vwc.Annotations = nil
	vwc.Webhooks[0].ClientConfig = admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: caBundle}
	vwc.Webhooks[0].ObjectSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"kube4c-test": "matching"}}
	vwcs := kubernetes.NewForConfigOrDie(admin).AdmissionregistrationV1().ValidatingWebhookConfigurations()
	if _, err := vwcs.Create(ctx, &vwc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	defer vwcs.Delete(ctx, vwc.Name, metav1.DeleteOptions{})

	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(admin)))
	create := func(cfg *rest.Config, namespace, manifest string) error {
		var u unstructured.Unstructured
		if err := sigsyaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
			t.Fatal(err)
		}
		u.SetLabels(map[string]string{"kube4c-test": "matching"})
		mapping, err := mapper.RESTMapping(u.GroupVersionKind().GroupKind(), u.GroupVersionKind().Version)
		if err != nil {
			t.Fatal(err)
		}
		var ri dynamic.ResourceInterface = dynamic.NewForConfigOrDie(cfg).Resource(mapping.Resource)
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			ri = dynamic.NewForConfigOrDie(cfg).Resource(mapping.Resource).Namespace(namespace)
		}
		_, err = ri.Create(ctx, &u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err
	}
	const pod = "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: busybox}]}}"
	if err := eventually(func() error { return create(admin, "default", pod) }, deniedByTest); err != nil {
		t.Fatalf("a pod in default: %v", err)
	}

	template := "{metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: busybox}]}}"
	jobTemplate := "{metadata: {labels: {app: a}}, spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}"
	rules := "[{apiGroups: [''], resources: [pods], verbs: [get]}]"
	for _, manifest := range []string{
		pod,
		"{apiVersion: v1, kind: ReplicationController, metadata: {name: rc}, spec: {selector: {app: a}, template: " + template + "}}",
		"{apiVersion: v1, kind: Service, metadata: {name: s}, spec: {ports: [{port: 80}]}}",
		"{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {selector: {matchLabels: {app: a}}, template: " + template + "}}",
		"{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: ss}, spec: {selector: {matchLabels: {app: a}}, template: " + template + "}}",
		"{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: ds}, spec: {selector: {matchLabels: {app: a}}, template: " + template + "}}",
		"{apiVersion: apps/v1, kind: ReplicaSet, metadata: {name: rs}, spec: {selector: {matchLabels: {app: a}}, template: " + template + "}}",
		"{apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {template: " + jobTemplate + "}}",
		"{apiVersion: batch/v1, kind: CronJob, metadata: {name: cj}, spec: {schedule: '@daily', jobTemplate: {spec: {template: " + jobTemplate + "}}}}",
		"{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i}, spec: {defaultBackend: {service: {name: s, port: {number: 80}}}}}",
		"{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: np}, spec: {podSelector: {}}}",
		"{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r}, rules: " + rules + "}",
		"{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: rb}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}, subjects: [{kind: User, name: u}]}",
		// Cluster-scoped: no namespace in the request, and still judged.
		"{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: cr}, rules: " + rules + "}",
		"{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: {name: crb}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr}, subjects: [{kind: User, name: u}]}",
	} {
		if err := create(admin, "default", manifest); err == nil || !strings.Contains(err.Error(), deniedByTest) {
			t.Errorf("%s: %v, want the webhook's refusal", manifest, err)
		}
	}

	// Left out: kube-system, and the webhook's own service account.
	if err := create(admin, "kube-system", pod); err != nil {
		t.Errorf("a pod in kube-system: %v, want it allowed without the webhook", err)
	}
	self := rest.CopyConfig(admin)
	self.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:kube4c-system:kube4c-admission", Groups: []string{"system:masters"}}
	if err := create(self, "default", pod); err != nil {
		t.Errorf("a pod created by kube4c-admission's service account: %v, want it allowed without the webhook", err)
	}
}
