package admission

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kube4c/kube4c/internal/inventory"
)

// MaxBody is the largest AdmissionReview kube4c reads: the API server
// refuses objects over 3 MiB, and an UPDATE carries two of them.
const MaxBody = 7 << 20

// ReviewError is an AdmissionReview that cannot be answered: the server
// answers it with HTTP 400 and the message.
type ReviewError struct{ Message string }

func (e *ReviewError) Error() string { return e.Message }

func reviewErrorf(format string, args ...any) error {
	return &ReviewError{Message: fmt.Sprintf(format, args...)}
}

// DecodeReview reads an admission.k8s.io/v1 AdmissionReview with a
// request. Anything else (another version, a response, a review without
// a uid, trailing data) is a *ReviewError.
func DecodeReview(body []byte) (*admissionv1.AdmissionReview, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, reviewErrorf("empty body: want an admission.k8s.io/v1 AdmissionReview")
	}
	var tm metav1.TypeMeta
	if err := json.Unmarshal(body, &tm); err != nil {
		return nil, reviewErrorf("not an AdmissionReview: %v", err)
	}
	want := admissionv1.SchemeGroupVersion.WithKind("AdmissionReview")
	if gvk := tm.GroupVersionKind(); gvk != want {
		if gvk.Kind == "AdmissionReview" {
			return nil, reviewErrorf("AdmissionReview %s is not served: kube4c speaks admission.k8s.io/v1 (set admissionReviewVersions: [v1])", tm.APIVersion)
		}
		return nil, reviewErrorf("want apiVersion admission.k8s.io/v1 and kind AdmissionReview, got %q and %q", tm.APIVersion, tm.Kind)
	}
	var review admissionv1.AdmissionReview
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&review); err != nil {
		return nil, reviewErrorf("not an AdmissionReview: %v", err)
	}
	if dec.More() {
		return nil, reviewErrorf("not an AdmissionReview: data after the review")
	}
	switch {
	case review.Request == nil:
		return nil, reviewErrorf("the AdmissionReview has no request")
	case review.Request.UID == "":
		return nil, reviewErrorf("the AdmissionReview's request has no uid")
	}
	return &review, nil
}

// decodeObject turns the raw object of a request into an inventory
// object, typed as a scan of the same manifest would give it. The
// namespace of the request fills an object that names none (the API
// server sets it on the object, but a client-built review may not).
func decodeObject(raw runtime.RawExtension, req *admissionv1.AdmissionRequest) (*inventory.Object, error) {
	if len(raw.Raw) == 0 {
		return nil, errors.New("the request carries no object")
	}
	obj, gvk, err := scheme.Codecs.UniversalDeserializer().Decode(raw.Raw, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot decode the %s: %v", kindOf(req), err)
	}
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return nil, fmt.Errorf("the %s has no metadata: %v", kindOf(req), err)
	}
	if accessor.GetNamespace() == "" {
		accessor.SetNamespace(req.Namespace)
	}
	if accessor.GetName() == "" {
		accessor.SetName(req.Name)
	}
	accessor.SetManagedFields(nil)
	return &inventory.Object{GVK: *gvk, Obj: obj, Meta: accessor}, nil
}

// kindOf names the kind a request is about.
func kindOf(req *admissionv1.AdmissionRequest) string {
	return schema.GroupVersionKind(req.Kind).Kind
}
