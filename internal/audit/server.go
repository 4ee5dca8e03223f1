package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// Receiver is the HTTP handler of an audit webhook backend: it accepts the
// EventList batches the API server posts, archives them, and evaluates the
// rules on them. A batch is acknowledged (200) only once it is on disk.
type Receiver struct {
	// MaxBody is the largest request body accepted, in bytes.
	MaxBody int64
	// RequireClientCert refuses batches from clients that did not present
	// a certificate the TLS configuration verified.
	RequireClientCert bool
	// OnAlert receives each alert, from one goroutine at a time, once the
	// event is archived.
	OnAlert func(Alert)

	// mu guards pending and committing, for group commit.
	mu         sync.Mutex
	pending    []*batchCommit
	committing bool
	engine     *Engine
	archive    *Archive
	metrics    *receiverMetrics
	mux        *http.ServeMux
}

type receiverMetrics struct {
	registry *prometheus.Registry
	events   prometheus.Counter
	batches  *prometheus.CounterVec
	alerts   *prometheus.CounterVec
	bytes    prometheus.Counter
	fsync    prometheus.Histogram
}

func newReceiverMetrics() *receiverMetrics {
	m := &receiverMetrics{
		registry: prometheus.NewRegistry(),
		events:   prometheus.NewCounter(prometheus.CounterOpts{Name: "kube4c_audit_events_received_total", Help: "Audit events received and archived."}),
		batches:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kube4c_audit_batches_total", Help: "Webhook requests, by HTTP response code."}, []string{"code"}),
		alerts:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kube4c_audit_alerts_total", Help: "Alerts raised, by rule."}, []string{"rule"}),
		bytes:    prometheus.NewCounter(prometheus.CounterOpts{Name: "kube4c_audit_archived_bytes_total", Help: "Compressed bytes written to the archive."}),
		fsync:    prometheus.NewHistogram(prometheus.HistogramOpts{Name: "kube4c_audit_fsync_seconds", Help: "Latency of the archive's fsync, one per batch.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}),
	}
	m.registry.MustRegister(m.events, m.batches, m.alerts, m.bytes, m.fsync)
	return m
}

// NewReceiver returns a receiver that archives to archive and evaluates
// engine's rules.
func NewReceiver(engine *Engine, archive *Archive) *Receiver {
	r := &Receiver{MaxBody: 32 << 20, engine: engine, archive: archive, metrics: newReceiverMetrics()}
	archive.OnSync = func(d time.Duration) { r.metrics.fsync.Observe(d.Seconds()) }
	r.mux = http.NewServeMux()
	r.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	r.mux.Handle("GET /metrics", promhttp.HandlerFor(r.metrics.registry, promhttp.HandlerOpts{}))
	r.mux.HandleFunc("POST /", r.receive)
	return r
}

// ServeHTTP serves the webhook (POST to any path), /healthz and /metrics.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.mux.ServeHTTP(w, req) }

// batch is the body of a webhook request, its items kept as raw JSON for
// the archive.
type batch struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
}

func (r *Receiver) receive(w http.ResponseWriter, req *http.Request) {
	code, err := r.handle(w, req)
	r.metrics.batches.WithLabelValues(fmt.Sprint(code)).Inc()
	if err != nil {
		http.Error(w, err.Error(), code)
		return
	}
	w.WriteHeader(code)
}

func (r *Receiver) handle(w http.ResponseWriter, req *http.Request) (int, error) {
	if r.RequireClientCert && (req.TLS == nil || len(req.TLS.VerifiedChains) == 0) {
		return http.StatusUnauthorized, errors.New("a verified client certificate is required")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, r.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than %d bytes", r.MaxBody)
	case err != nil:
		return http.StatusBadRequest, err
	}
	raws, events, err := decodeBatch(body)
	if err != nil {
		return http.StatusBadRequest, err
	}
	if err := r.commit(&batchCommit{raws: raws, events: events, done: make(chan error, 1)}); err != nil {
		return http.StatusInternalServerError, fmt.Errorf("archive: %v", err)
	}
	return http.StatusOK, nil
}

// batchCommit is a decoded batch waiting to be archived.
type batchCommit struct {
	raws   [][]byte
	events []auditv1.Event
	done   chan error
}

// commit archives a batch and returns once it is on disk. Batches that
// arrive while another is being written are committed together, with one
// fsync (group commit): the first of them writes for all.
func (r *Receiver) commit(c *batchCommit) error {
	r.mu.Lock()
	r.pending = append(r.pending, c)
	if r.committing {
		r.mu.Unlock()
		return <-c.done
	}
	r.committing = true
	for len(r.pending) > 0 {
		group := r.pending
		r.pending = nil
		r.mu.Unlock()
		err := r.write(group)
		for _, g := range group {
			g.done <- err
		}
		r.mu.Lock()
	}
	r.committing = false
	r.mu.Unlock()
	return <-c.done
}

// write archives a group of batches, then evaluates the rules on their
// events, in order. Only one goroutine writes at a time.
func (r *Receiver) write(group []*batchCommit) error {
	var raws [][]byte
	for _, g := range group {
		raws = append(raws, g.raws...)
	}
	n, err := r.archive.Append(raws)
	if err != nil {
		return err
	}
	r.metrics.events.Add(float64(len(raws)))
	r.metrics.bytes.Add(float64(n))
	for _, g := range group {
		for i := range g.events {
			r.engine.Evaluate(&g.events[i], r.alert)
		}
	}
	return nil
}

func (r *Receiver) alert(a Alert) {
	r.metrics.alerts.WithLabelValues(a.Rule).Inc()
	if r.OnAlert != nil {
		r.OnAlert(a)
	}
}

// decodeBatch reads an EventList: its items compacted for the archive, and
// decoded for the rules. Any malformed item, or one that is not an audit
// event (checkItem, as audit analyze reads them), refuses the whole batch.
func decodeBatch(body []byte) ([][]byte, []auditv1.Event, error) {
	var b batch
	if err := unmarshal(body, &b); err != nil {
		return nil, nil, fmt.Errorf("not an EventList: %v", describe(err))
	}
	if b.Kind != "EventList" || b.APIVersion != apiV1 && b.APIVersion != apiV1beta1 {
		return nil, nil, fmt.Errorf("%s %s is not an audit.k8s.io EventList", b.APIVersion, b.Kind)
	}
	raws := make([][]byte, len(b.Items))
	events := make([]auditv1.Event, len(b.Items))
	for i, item := range b.Items {
		raws[i] = item
		if bytes.ContainsAny(item, "\r\n") {
			// One event a line in the archive; the API server sends
			// compact JSON, so this is rare.
			var buf bytes.Buffer
			if err := json.Compact(&buf, item); err != nil {
				return nil, nil, fmt.Errorf("item %d: %v", i, err)
			}
			raws[i] = buf.Bytes()
		}
		if err := unmarshal(item, &events[i]); err != nil {
			return nil, nil, fmt.Errorf("item %d: %v", i, describe(err))
		}
		if err := checkItem(&events[i]); err != nil {
			return nil, nil, fmt.Errorf("item %d: %v", i, err)
		}
	}
	return raws, events, nil
}
