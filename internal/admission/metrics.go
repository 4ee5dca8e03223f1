package admission

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the webhook's Prometheus metrics. Labels stay bounded:
// verdicts, check IDs, decisions and namespaces, never object names.
type Metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	findings  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	malformed prometheus.Counter
}

// NewMetrics registers the webhook's metrics, with Go's and the process's.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kube4c_admission_requests_total",
			Help: "Admission requests reviewed, by verdict (allowed, warned, denied, exempt, skipped, error) and namespace.",
		}, []string{"verdict", "namespace"}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kube4c_admission_findings_total",
			Help: "Findings in admission requests, by check and decision (deny, warn).",
		}, []string{"check", "decision"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kube4c_admission_review_duration_seconds",
			Help:    "Time to review one admission request, by verdict.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"verdict"}),
		malformed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kube4c_admission_malformed_requests_total",
			Help: "Requests that were not an AdmissionReview kube4c could read (answered 400 or 413).",
		}),
	}
	m.registry.MustRegister(m.requests, m.findings, m.duration, m.malformed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Observe records one review.
func (m *Metrics) Observe(o Outcome) {
	m.requests.WithLabelValues(o.Verdict, o.Namespace).Inc()
	m.duration.WithLabelValues(o.Verdict).Observe(o.Elapsed.Seconds())
	for _, d := range o.Findings {
		m.findings.WithLabelValues(d.CheckID, string(d.Decision)).Inc()
	}
}
