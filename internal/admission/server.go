package admission

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is the webhook's HTTP handler: POST /validate, GET /healthz,
// /readyz and /metrics.
type Server struct {
	reviewer *Reviewer
	metrics  *Metrics
	mux      *http.ServeMux
	// Ready reports whether the server may take requests (the informer
	// cache has synced); nil means always.
	Ready func() bool
}

// NewServer returns the handler of reviewer, recording into metrics.
func NewServer(reviewer *Reviewer, metrics *Metrics) *Server {
	s := &Server{reviewer: reviewer, metrics: metrics, mux: http.NewServeMux()}
	reviewer.Observe = metrics.Observe
	s.mux.HandleFunc("POST /validate", s.validate)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(metrics.registry, promhttp.HandlerOpts{}))
	return s
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if s.Ready != nil && !s.Ready() {
		http.Error(w, "the informer cache has not synced yet", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}

// validate answers one AdmissionReview. A body that is not one, or too
// large, is a 400 or a 413 naming the problem; a review whose object
// cannot be judged is answered by the failure policy (Reviewer.Review).
func (s *Server) validate(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		s.refuse(w, http.StatusRequestEntityTooLarge, "the AdmissionReview is larger than 7 MiB")
		return
	}
	if err != nil {
		s.refuse(w, http.StatusBadRequest, "reading the request: "+err.Error())
		return
	}
	review, err := DecodeReview(body)
	if err != nil {
		s.refuse(w, http.StatusBadRequest, err.Error())
		return
	}
	resp := s.reviewer.Review(r.Context(), review.Request)
	out, err := json.Marshal(&admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp})
	if err != nil {
		s.refuse(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

// refuse answers a request that is not a review kube4c can answer.
func (s *Server) refuse(w http.ResponseWriter, code int, msg string) {
	s.metrics.malformed.Inc()
	s.reviewer.logger().Warn("admission request refused", "status", code, "error", safe(msg))
	http.Error(w, msg, code)
}
