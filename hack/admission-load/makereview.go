package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// workloadResources are the kinds --make-review wraps, with their group and
// resource.
var workloadResources = map[string]schema.GroupResource{
	"Pod":                   {Group: "", Resource: "pods"},
	"ReplicationController": {Group: "", Resource: "replicationcontrollers"},
	"Deployment":            {Group: "apps", Resource: "deployments"},
	"ReplicaSet":            {Group: "apps", Resource: "replicasets"},
	"StatefulSet":           {Group: "apps", Resource: "statefulsets"},
	"DaemonSet":             {Group: "apps", Resource: "daemonsets"},
	"Job":                   {Group: "batch", Resource: "jobs"},
	"CronJob":               {Group: "batch", Resource: "cronjobs"},
}

// reviewUser is the requesting user of a made review.
var reviewUser = authenticationv1.UserInfo{
	Username: "kube4c-admission-load",
	Groups:   []string{"system:authenticated"},
}

// writeReview writes the review of the first workload in a manifest file.
func writeReview(path string, w io.Writer) error {
	manifest, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	review, err := makeReview(manifest, newUIDSource().uid(0))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	_, err = w.Write(append(review, '\n'))
	return err
}

// makeReview wraps the first workload of a YAML (or JSON) manifest, of
// one document or more, into an AdmissionReview v1 CREATE request as the
// API server sends it to a validating webhook. An object without a
// namespace is created in "default", as kubectl would.
func makeReview(manifest []byte, uid string) ([]byte, error) {
	docs := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(manifest)))
	for n := 1; ; n++ {
		doc, err := docs.Read()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("no Pod, Deployment or other workload in the manifest")
		}
		if err != nil {
			return nil, err
		}
		obj, err := decodeObject(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		if obj == nil {
			continue
		}
		gr, ok := workloadResources[obj.GetKind()]
		if !ok {
			continue
		}
		gv, err := schema.ParseGroupVersion(obj.GetAPIVersion())
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		if gv.Group != gr.Group || gv.Version == "" {
			return nil, fmt.Errorf("document %d: %s of apiVersion %q is not served", n, obj.GetKind(), obj.GetAPIVersion())
		}
		return wrap(obj, gv.WithResource(gr.Resource), uid)
	}
}

// decodeObject converts one YAML document to an object, nil for an empty
// document. Numbers stay exact.
func decodeObject(doc []byte) (*unstructured.Unstructured, error) {
	raw, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	var content map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&content); err != nil {
		return nil, fmt.Errorf("not an object: %w", err)
	}
	if content == nil {
		return nil, nil
	}
	return &unstructured.Unstructured{Object: content}, nil
}

func wrap(obj *unstructured.Unstructured, gvr schema.GroupVersionResource, uid string) ([]byte, error) {
	if obj.GetNamespace() == "" {
		obj.SetNamespace(metav1.NamespaceDefault)
	}
	raw, err := json.Marshal(obj.Object)
	if err != nil {
		return nil, err
	}
	kind := metav1.GroupVersionKind{Group: gvr.Group, Version: gvr.Version, Kind: obj.GetKind()}
	resource := metav1.GroupVersionResource{Group: gvr.Group, Version: gvr.Version, Resource: gvr.Resource}
	dryRun := false
	review := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:             types.UID(uid),
			Kind:            kind,
			Resource:        resource,
			RequestKind:     &kind,
			RequestResource: &resource,
			Name:            obj.GetName(),
			Namespace:       obj.GetNamespace(),
			Operation:       admissionv1.Create,
			UserInfo:        reviewUser,
			Object:          runtime.RawExtension{Raw: raw},
			DryRun:          &dryRun,
			Options:         runtime.RawExtension{Raw: []byte(`{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions"}`)},
		},
	}
	return json.MarshalIndent(&review, "", "  ")
}
