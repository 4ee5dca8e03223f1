package admission_test

import (
	"context"
	"log/slog"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kube4c/kube4c/internal/admission"
	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/pipeline"
)

// BenchmarkReview reviews one pod without a cache: the work of one
// admission request, HTTP aside.
func BenchmarkReview(b *testing.B) {
	plan, err := pipeline.NewPlan(pipeline.Options{})
	if err != nil {
		b.Fatal(err)
	}
	reviewer, err := admission.NewReviewer(plan, config.DefaultAdmission(), nil)
	if err != nil {
		b.Fatal(err)
	}
	reviewer.Log = slog.New(slog.DiscardHandler)
	for name, manifest := range map[string]string{"quiet": quietPod, "privileged": privilegedPod} {
		t := &testing.T{}
		req := request(t, admissionv1.Create, manifest, "")
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				reviewer.Review(context.Background(), req)
			}
		})
	}
}
