//go:build integration

package integration

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/kube4c/kube4c/internal/cli"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

// kube4c runs the CLI in process and returns its exit code and output.
func kube4c(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := cli.NewRoot(strings.NewReader(""), &out, &errOut)
	root.SetArgs(args)
	return cli.Execute(root), out.String(), errOut.String()
}

// jsonReport is the part of the JSON report the tests read.
type jsonReport struct {
	Findings []struct {
		CheckID string `json:"checkId"`
		Object  struct {
			Kind      string `json:"kind"`
			Namespace string `json:"namespace"`
			Name      string `json:"name"`
		} `json:"object"`
		Path     string `json:"path"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
	} `json:"findings"`
	InputErrors []json.RawMessage `json:"inputErrors"`
	Coverage    *struct {
		Resources []struct {
			Resource string `json:"resource"`
			State    string `json:"state"`
			Objects  int    `json:"objects"`
		} `json:"resources"`
		Incomplete []struct {
			CheckID string   `json:"checkId"`
			Missing []string `json:"missingKinds"`
		} `json:"incompleteChecks"`
		Requests int `json:"requests"`
	} `json:"coverage"`
}

func parseReport(t *testing.T, out string) *jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	return &r
}

// findingKeys returns "Kind/namespace/name check-id" for every finding,
// with the namespace files leave empty read as the cluster would place it.
func findingKeys(r *jsonReport, placed func(kind, ns string) string) map[string]bool {
	keys := map[string]bool{}
	for _, f := range r.Findings {
		keys[fmt.Sprintf("%s/%s/%s %s", f.Object.Kind, placed(f.Object.Kind, f.Object.Namespace), f.Object.Name, f.CheckID)] = true
	}
	return keys
}

// apply creates the objects in the cluster (namespaces first, creating any
// namespace that is referred to but not given) and returns those the API
// server accepted. Objects without a namespace go to "default".
func apply(t *testing.T, cfg *rest.Config, objs []*inventory.Object) []*inventory.Object {
	t.Helper()
	ctx := context.Background()
	dyn := dynamic.NewForConfigOrDie(cfg)
	disc := discovery.NewDiscoveryClientForConfigOrDie(cfg)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	cs := kubernetes.NewForConfigOrDie(cfg)

	ensureNamespace := func(ns string) {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("namespace %s: %v", ns, err)
		}
	}
	var accepted []*inventory.Object
	for _, pass := range []bool{true, false} { // namespaces first
		for _, o := range objs {
			if (o.Kind() == "Namespace") != pass {
				continue
			}
			mapping, err := mapper.RESTMapping(o.GVK.GroupKind(), o.GVK.Version)
			if err != nil {
				continue // an API version this server no longer serves
			}
			content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o.Obj)
			if err != nil {
				t.Fatalf("%s: %v", o.Ref(), err)
			}
			u := &unstructured.Unstructured{Object: content}
			u.SetGroupVersionKind(o.GVK)
			var ri dynamic.ResourceInterface = dyn.Resource(mapping.Resource)
			if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
				ns := u.GetNamespace()
				if ns == "" {
					ns = "default"
				}
				ensureNamespace(ns)
				ri = dyn.Resource(mapping.Resource).Namespace(ns)
			}
			if _, err := ri.Create(ctx, u, metav1.CreateOptions{}); err != nil {
				if !apierrors.IsAlreadyExists(err) {
					t.Logf("not loaded (the server refuses it): %s: %v", o.Ref(), firstLine(err.Error()))
				}
				continue
			}
			accepted = append(accepted, o)
		}
	}
	return accepted
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// load reads manifests with kube4c's own loader.
func load(t *testing.T, paths ...string) []*inventory.Object {
	t.Helper()
	res := manifest.Load(paths, manifest.Options{})
	return res.Objects
}

// tokenKubeconfig writes a kubeconfig that authenticates with a bearer
// token to the test API server.
func tokenKubeconfig(t *testing.T, token string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["test"] = &clientcmdapi.Cluster{Server: admin.Host, CertificateAuthorityData: admin.CAData}
	cfg.AuthInfos["kube4c"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "kube4c"}
	cfg.CurrentContext = "test"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func envtestUser(name string) envtest.User { return envtest.User{Name: name} }

// remove deletes objects that apply created, leaving their namespaces
// (which this control plane, with no namespace controller, never
// finishes deleting).
func remove(t *testing.T, cfg *rest.Config, objs []*inventory.Object) {
	t.Helper()
	ctx := context.Background()
	dyn := dynamic.NewForConfigOrDie(cfg)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(cfg)))
	for _, o := range objs {
		mapping, err := mapper.RESTMapping(o.GVK.GroupKind(), o.GVK.Version)
		if err != nil {
			t.Fatalf("%s: %v", o.Ref(), err)
		}
		var ri dynamic.ResourceInterface = dyn.Resource(mapping.Resource)
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			ri = dyn.Resource(mapping.Resource).Namespace(cmp.Or(o.Namespace(), "default"))
		}
		if err := ri.Delete(ctx, o.Name(), metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting %s: %v", o.Ref(), err)
		}
	}
}
