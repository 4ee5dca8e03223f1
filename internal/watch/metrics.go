package watch

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are what kube4c watch serves on /metrics.
type Metrics struct {
	// Registry holds every metric below and the Go runtime's.
	Registry *prometheus.Registry

	events     *prometheus.CounterVec
	evaluation prometheus.Histogram
	writes     *prometheus.CounterVec
	leader     prometheus.Gauge
	resyncDiff prometheus.Gauge
	resyncTime prometheus.Gauge
	leading    atomic.Bool
}

// SetLeader records whether this replica leads (writes reports).
func (m *Metrics) SetLeader(leading bool) {
	m.leading.Store(leading)
	if leading {
		m.leader.Set(1)
	} else {
		m.leader.Set(0)
	}
}

// NewMetrics registers the watcher's metrics, the findings of engine among
// them: by check, severity, layer and namespace, and with perObject by
// object too (kind and name: one series per finding object, which a large
// cluster pays for in its Prometheus). Only the leader reports findings,
// so that replicas are not counted twice.
func NewMetrics(engine *Engine, perObject bool) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kube4c_watch_events_total",
			Help: "Watch events processed, by kind and event (add, update, delete, owner: a controller came or went)."}, []string{"kind", "event"}),
		evaluation: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "kube4c_watch_evaluation_duration_seconds",
			Help: "Time to re-evaluate what a batch of changes can affect.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 16)}),
		writes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kube4c_watch_report_writes_total",
			Help: "Report objects applied, left unchanged, deleted, or failed to write."}, []string{"result"}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kube4c_watch_leader",
			Help: "1 while this replica is the leader that writes reports."}),
		resyncDiff: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kube4c_watch_resync_differences",
			Help: "Findings the last full resync found different from the incremental state (0 when they agreed; other values are a kube4c bug)."}),
		resyncTime: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kube4c_watch_resync_last_timestamp_seconds",
			Help: "When the last full resync compared the incremental state with a fresh evaluation."}),
	}
	m.Registry.MustRegister(m.events, m.evaluation, m.writes, m.leader, m.resyncDiff, m.resyncTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&findingsCollector{engine: engine, leading: m.leading.Load, perObject: perObject})
	return m
}

// findingsCollector reports the engine's findings when scraped.
type findingsCollector struct {
	engine    *Engine
	leading   func() bool
	perObject bool
}

var (
	findingsDesc = prometheus.NewDesc("kube4c_watch_findings", "Findings now, by check, severity, layer and namespace (\"\" for cluster-scoped objects).",
		[]string{"check", "severity", "layer", "namespace"}, nil)
	findingsPerObjectDesc = prometheus.NewDesc("kube4c_watch_findings", "Findings now, by check, severity, layer, namespace and object.",
		[]string{"check", "severity", "layer", "namespace", "kind", "name"}, nil)
)

func (c *findingsCollector) Describe(ch chan<- *prometheus.Desc) {
	if c.perObject {
		ch <- findingsPerObjectDesc
	} else {
		ch <- findingsDesc
	}
}

func (c *findingsCollector) Collect(ch chan<- prometheus.Metric) {
	if !c.leading() {
		return
	}
	type key struct{ check, severity, layer, namespace, kind, name string }
	counts := map[key]int{}
	for _, unit := range c.engine.Units() {
		kept, _ := c.engine.Findings(unit)
		for _, f := range kept {
			k := key{check: f.CheckID, severity: f.Severity.String(), layer: string(f.Layer), namespace: unit}
			if c.perObject && f.Object != nil {
				k.kind, k.name = f.Object.Kind(), f.Object.Name()
			}
			counts[k]++
		}
	}
	for k, n := range counts {
		if c.perObject {
			ch <- prometheus.MustNewConstMetric(findingsPerObjectDesc, prometheus.GaugeValue, float64(n), k.check, k.severity, k.layer, k.namespace, k.kind, k.name)
		} else {
			ch <- prometheus.MustNewConstMetric(findingsDesc, prometheus.GaugeValue, float64(n), k.check, k.severity, k.layer, k.namespace)
		}
	}
}
