package admission

import (
	"context"
	"log/slog"
	"testing"

	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/pipeline"
)

// FuzzReview feeds arbitrary bodies to the request decoder and, when one
// decodes, to the reviewer: neither may panic, and every decoded review
// gets an answer for its uid.
func FuzzReview(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","operation":"CREATE","kind":{"version":"v1","kind":"Pod"},"namespace":"a","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","securityContext":{"privileged":true}}]}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"2","operation":"UPDATE","kind":{"group":"apps","version":"v1","kind":"Deployment"},"namespace":"a","object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"hostPID":true,"containers":[{"name":"c","image":"i"}]}}}},"oldObject":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview"}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"3","operation":"CREATE","object":{"kind":"Nope"}}}`))
	plan, err := pipeline.NewPlan(pipeline.Options{})
	if err != nil {
		f.Fatal(err)
	}
	policy := config.DefaultAdmission()
	reviewer, err := NewReviewer(plan, policy, nil)
	if err != nil {
		f.Fatal(err)
	}
	reviewer.Log = slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, body []byte) {
		review, err := DecodeReview(body)
		if err != nil {
			if _, ok := err.(*ReviewError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		resp := reviewer.Review(context.Background(), review.Request)
		if resp == nil || resp.UID != review.Request.UID {
			t.Fatalf("no answer for uid %q: %+v", review.Request.UID, resp)
		}
	})
}
