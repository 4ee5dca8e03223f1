package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// decodeReview decodes a made review and the object it carries.
func decodeReview(t *testing.T, raw []byte, obj any) *admissionv1.AdmissionRequest {
	t.Helper()
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(raw, &review); err != nil {
		t.Fatal(err)
	}
	if review.APIVersion != "admission.k8s.io/v1" || review.Kind != "AdmissionReview" || review.Request == nil || review.Response != nil {
		t.Fatalf("not an AdmissionReview v1 request: %s", raw)
	}
	if err := json.Unmarshal(review.Request.Object.Raw, obj); err != nil {
		t.Fatal(err)
	}
	return review.Request
}

func TestMakeReviewShop(t *testing.T) {
	for _, c := range []struct {
		file, name, namespace string
		kind                  metav1.GroupVersionKind
		resource              metav1.GroupVersionResource
	}{
		{"10-storefront.yaml", "storefront", "shop",
			metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
			metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}},
		{"20-catalogue.yaml", "catalogue", "shop",
			metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
			metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}},
		{"30-build-runner.yaml", "build-runner", "ci",
			metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
			metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}},
		{"40-log-agent.yaml", "log-agent", "logging",
			metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DaemonSet"},
			metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			manifest, err := os.ReadFile(filepath.Join("../../examples/shop", c.file))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := makeReview(manifest, "uid-1")
			if err != nil {
				t.Fatal(err)
			}
			var obj appsv1.Deployment // a DaemonSet's metadata and template decode alike
			req := decodeReview(t, raw, &obj)
			if req.UID != "uid-1" || req.Kind != c.kind || req.Resource != c.resource ||
				*req.RequestKind != c.kind || *req.RequestResource != c.resource {
				t.Errorf("uid %q, kind %v, resource %v: want %v, %v", req.UID, req.Kind, req.Resource, c.kind, c.resource)
			}
			if req.Name != c.name || req.Namespace != c.namespace || req.Operation != admissionv1.Create || req.UserInfo.Username == "" {
				t.Errorf("name %q, namespace %q, operation %q, user %q: want %s/%s CREATE by someone",
					req.Name, req.Namespace, req.Operation, req.UserInfo.Username, c.namespace, c.name)
			}
			if obj.Name != c.name || obj.Namespace != c.namespace || len(obj.Spec.Template.Spec.Containers) != 1 {
				t.Errorf("object %s/%s with %d containers", obj.Namespace, obj.Name, len(obj.Spec.Template.Spec.Containers))
			}
		})
	}
}

// TestMakeReviewAnchors: YAML anchors and aliases are resolved.
func TestMakeReviewAnchors(t *testing.T) {
	manifest, err := os.ReadFile("../../examples/shop/20-catalogue.yaml")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := makeReview(manifest, "uid")
	if err != nil {
		t.Fatal(err)
	}
	var obj appsv1.Deployment
	decodeReview(t, raw, &obj)
	if got := obj.Spec.Template.Labels["app"]; got != "catalogue" {
		t.Errorf("template label app=%q, want catalogue", got)
	}
	if got := *obj.Spec.Template.Spec.SecurityContext.RunAsUser; got != 10002 {
		t.Errorf("runAsUser %d, want 10002", got)
	}
}

// TestMakeReviewPod: a Pod without a namespace is created in default; the
// documents before it that are no workload are skipped.
func TestMakeReviewPod(t *testing.T) {
	manifest := `
# only a comment
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
---
apiVersion: v1
kind: Pod
metadata:
  name: privileged
spec:
  containers:
    - name: c
      image: busybox
      securityContext: {privileged: true}
`
	raw, err := makeReview([]byte(manifest), "uid")
	if err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	req := decodeReview(t, []byte(raw), &pod)
	want := metav1.GroupVersionResource{Version: "v1", Resource: "pods"}
	if req.Resource != want || req.Kind.Kind != "Pod" || req.Namespace != "default" || pod.Namespace != "default" {
		t.Errorf("resource %v, kind %v, namespace %q (object %q): want %v, Pod, default", req.Resource, req.Kind, req.Namespace, pod.Namespace, want)
	}
	if c := pod.Spec.Containers[0]; c.SecurityContext == nil || !*c.SecurityContext.Privileged {
		t.Errorf("container %+v is not privileged", c)
	}
	// The made review is a template the load generator accepts.
	if _, err := newReviewTemplate(raw); err != nil {
		t.Error(err)
	}
}

func TestMakeReviewRefuses(t *testing.T) {
	for manifest, want := range map[string]string{
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n":                 "no Pod",
		"apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\n": "not served",
		"- a list\n": "not an object",
	} {
		_, err := makeReview([]byte(manifest), "uid")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", manifest, err, want)
		}
	}
}

func TestReviewTemplate(t *testing.T) {
	manifest, err := os.ReadFile("../../examples/shop/10-storefront.yaml")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := makeReview(manifest, "made-uid")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := newReviewTemplate(raw)
	if err != nil {
		t.Fatal(err)
	}
	uids := newUIDSource()
	for seq := range 3 {
		uid := uids.uid(seq)
		var obj appsv1.Deployment
		req := decodeReview(t, tmpl.body(uid), &obj)
		if string(req.UID) != uid || obj.Name != "storefront" {
			t.Errorf("body %d: uid %q, object %q: want %q, storefront", seq, req.UID, obj.Name, uid)
		}
	}
	if uids.uid(1) == uids.uid(2) || len(uids.uid(1)) != 36 {
		t.Errorf("uids %q and %q: want distinct UUIDs", uids.uid(1), uids.uid(2))
	}
	for _, bad := range []string{
		`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`,
		`{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}`,
		`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","typo":1}}`,
		`not json`,
	} {
		if _, err := newReviewTemplate([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
