package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/source/cluster"
)

// Options configure a watcher.
type Options struct {
	// Config connects to the API server.
	Config *rest.Config
	// Plan holds the checks and their settings.
	Plan *pipeline.Plan
	// Format is the API of the reports.
	Format Format
	// Resync is how often the incremental state is compared with a fresh
	// evaluation of everything; 0 never.
	Resync time.Duration
	// Listener serves /metrics, /healthz and /readyz; nil serves nothing.
	Listener net.Listener
	// LeaderElection, when set, makes replicas elect the one that writes.
	LeaderElection *LeaderElection
	// MetricsPerObject labels the findings metric by object.
	MetricsPerObject bool
	// LogFindings logs each new and each fixed finding.
	LogFindings bool
	// WriteRate bounds the report results written a second (each report
	// object written counts its results and one more); 0 means
	// DefaultWriteRate.
	WriteRate float64
	// Resources to watch; nil means cluster.Resources.
	Resources []cluster.Resource
}

// LeaderElection names the Lease replicas hold to write.
type LeaderElection struct {
	Namespace, Name string
	// Identity names this replica in the Lease.
	Identity string
}

// Run watches the cluster and keeps the reports current until ctx ends.
func Run(ctx context.Context, opts Options) error {
	if opts.Resources == nil {
		opts.Resources = cluster.Resources
	}
	cfg := rest.CopyConfig(opts.Config)
	if cfg.UserAgent == "" {
		cfg.UserAgent = "kube4c-watch"
	}
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	if err := crdsInstalled(cfg, opts.Format); err != nil {
		return err
	}
	store, err := NewStore(ctx, cfg, opts.Resources)
	if err != nil {
		return fmt.Errorf("cannot read the cluster: %w", err)
	}
	for _, st := range store.Statuses {
		if st.State == cluster.Forbidden || st.State == cluster.Failed {
			slog.Warn("resource not watched: the checks that read it judge without it", "resource", st.Resource.String(), "state", st.State, "error", st.Err)
		}
	}
	engine := NewEngine(opts.Plan, store)
	metrics := NewMetrics(engine, opts.MetricsPerObject)
	writer, err := NewWriter(cfg, opts.Format, engine, store, opts.WriteRate, opts.LogFindings, metrics)
	if err != nil {
		return err
	}
	w := &watcher{opts: opts, store: store, engine: engine, writer: writer, metrics: metrics, wake: make(chan struct{}, 1)}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if opts.Listener != nil {
		srv := &http.Server{Handler: w.handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(opts.Listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
				cancel(fmt.Errorf("serving metrics: %w", err))
			}
		}()
		defer srv.Close()
	}
	start := time.Now()
	if err := store.Start(ctx, w.changed); err != nil {
		return err
	}
	slog.Info("listed the cluster", "objects", len(store.All()), "elapsed", time.Since(start).Round(time.Millisecond))
	if err := w.evaluate(ctx); err != nil {
		return err
	}
	w.ready.Store(true)
	slog.Info("first evaluation done", "units", len(engine.Units()), "elapsed", time.Since(start).Round(time.Millisecond))
	go w.loop(ctx)

	if opts.LeaderElection == nil {
		metrics.SetLeader(true)
		err = writer.Run(ctx, writeWorkers)
	} else {
		err = w.lead(ctx, cfg, *opts.LeaderElection)
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// crdsInstalled fails clearly when the report CRDs are missing.
func crdsInstalled(cfg *rest.Config, f Format) error {
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	list, err := disc.ServerResourcesForGroupVersion(f.GroupVersion.String())
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("cannot ask the API server for the report CRDs: %w", err)
	}
	have := map[string]bool{}
	if list != nil {
		for _, r := range list.APIResources {
			have[r.Name] = true
		}
	}
	var missing []string
	if !have[f.Resource] {
		missing = append(missing, f.CRD)
	}
	if !have[f.ClusterRes] {
		missing = append(missing, f.ClusterCRD)
	}
	if len(missing) > 0 {
		return fmt.Errorf("the CustomResourceDefinitions of the %s reports are not installed (%s): install them with the chart "+
			"(kubectl apply -f deploy/chart/kube4c/crds/), or choose the other --report-format", f.Name, strings.Join(missing, ", "))
	}
	return nil
}

// watcher runs one watch.
type watcher struct {
	opts    Options
	store   *Store
	engine  *Engine
	writer  *Writer
	metrics *Metrics
	wake    chan struct{}
	ready   atomic.Bool
}

// changed records an informer event and wakes the evaluation.
func (w *watcher) changed(o *inventory.Object, event string) {
	w.metrics.events.WithLabelValues(o.Kind(), event).Inc()
	w.engine.Changed(o)
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// loop evaluates the changes as they come, each batch what arrived while
// the previous one was evaluated, and resyncs every Resync.
func (w *watcher) loop(ctx context.Context) {
	var resync <-chan time.Time
	if w.opts.Resync > 0 {
		t := time.NewTicker(w.opts.Resync)
		defer t.Stop()
		resync = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-resync:
			w.resync(ctx)
		}
		if err := w.evaluate(ctx); err != nil && ctx.Err() == nil {
			slog.Error("evaluation failed", "error", err)
		}
	}
}

// evaluate runs one batch and hands the changed units to the writer.
func (w *watcher) evaluate(ctx context.Context) error {
	start := time.Now()
	units, err := w.engine.Evaluate(ctx)
	if err != nil {
		return err
	}
	if len(units) > 0 {
		w.metrics.evaluation.Observe(time.Since(start).Seconds())
		slog.Debug("evaluated", "units", len(units), "elapsed", time.Since(start))
	}
	w.writer.Enqueue(units...)
	return nil
}

// resync compares the incremental state with a fresh evaluation of every
// object and logs any difference as the bug it is; then everything is
// evaluated again, and every report applied again.
func (w *watcher) resync(ctx context.Context) {
	if err := w.evaluate(ctx); err != nil {
		return
	}
	plan := w.opts.Plan
	kept, suppressed, _, err := plan.Evaluate(ctx, w.store.All(), plan.Checks(), w.store.Complete())
	if err != nil {
		return
	}
	if w.engine.Pending() {
		// The cluster changed meanwhile: the two cannot be compared.
		slog.Info("full resync: the cluster changed during the comparison; comparing at the next resync")
	} else {
		fresh := unitLines(slices.Concat(plan.Fold(kept), plan.Fold(suppressed)))
		held := map[string][]string{}
		for _, unit := range w.engine.Units() {
			k, s := w.engine.Findings(unit)
			held[unit] = lines(slices.Concat(k, s))
		}
		diffs := 0
		for _, unit := range slices.Sorted(maps.Keys(union(fresh, held))) {
			missing, extra := difference(fresh[unit], held[unit]), difference(held[unit], fresh[unit])
			if len(missing)+len(extra) > 0 {
				diffs += len(missing) + len(extra)
				slog.Error("full resync: the incremental findings differ from a fresh evaluation; this is a kube4c bug, please report it",
					"namespace", unit, "missing", missing, "extra", extra)
			}
		}
		w.metrics.resyncDiff.Set(float64(diffs))
		w.metrics.resyncTime.SetToCurrentTime()
		slog.Info("full resync compared the incremental state with a fresh evaluation", "differences", diffs)
	}
	w.engine.ResetAll()
	w.writer.Reconcile(ctx)
}

// lead runs the writer while this replica holds the Lease, and stands by
// (watching and evaluating, ready to take over) while another does.
func (w *watcher) lead(ctx context.Context, cfg *rest.Config, le LeaderElection) error {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	lock := &resourcelock.LeaseLock{LeaseMeta: metav1.ObjectMeta{Namespace: le.Namespace, Name: le.Name},
		Client: client.CoordinationV1(), LockConfig: resourcelock.ResourceLockConfig{Identity: le.Identity}}
	for ctx.Err() == nil {
		leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
			Lock: lock, ReleaseOnCancel: true, Name: le.Name,
			LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second,
			Callbacks: leaderelection.LeaderCallbacks{
				OnStartedLeading: func(ctx context.Context) {
					slog.Info("leading: writing the reports", "lease", le.Namespace+"/"+le.Name, "identity", le.Identity)
					w.metrics.SetLeader(true)
					if err := w.writer.Run(ctx, writeWorkers); err != nil {
						slog.Error("writing the reports", "error", err)
					}
				},
				OnStoppedLeading: func() {
					if w.metrics.leading.Load() {
						slog.Info("no longer leading: standing by", "identity", le.Identity)
					}
					w.metrics.SetLeader(false)
				},
				OnNewLeader: func(identity string) {
					if identity != le.Identity {
						slog.Info("another replica leads", "leader", identity)
					}
				},
			},
		})
	}
	return nil
}

// handler serves /metrics, /healthz and /readyz (ready once the first
// evaluation is done).
func (w *watcher) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(w.metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(rw http.ResponseWriter, _ *http.Request) { rw.Write([]byte("ok\n")) })
	mux.HandleFunc("/readyz", func(rw http.ResponseWriter, _ *http.Request) {
		if !w.ready.Load() {
			http.Error(rw, "listing the cluster\n", http.StatusServiceUnavailable)
			return
		}
		rw.Write([]byte("ok\n"))
	})
	return mux
}

// unitLines groups findings by unit, as comparable lines.
func unitLines(fs []*check.Finding) map[string][]string {
	byUnit := map[string][]*check.Finding{}
	for _, f := range fs {
		byUnit[UnitOf(f.Object)] = append(byUnit[UnitOf(f.Object)], f)
	}
	out := map[string][]string{}
	for unit, list := range byUnit {
		out[unit] = lines(list)
	}
	return out
}

// lines writes findings as sorted lines that differ when anything a report
// shows differs.
func lines(fs []*check.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = findingLine(f)
	}
	slices.Sort(out)
	return out
}

// findingLine writes one finding as a line of a comparison.
func findingLine(f *check.Finding) string {
	return fmt.Sprintf("%s %s %s[%s] %s %s suppressed=%v: %s", f.CheckID, f.Severity, refString(f.Object), f.Container, f.Path,
		f.Layer, f.Suppressed != nil, f.Message)
}

func union(a, b map[string][]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// difference returns the lines of a that b lacks.
func difference(a, b []string) []string {
	in := map[string]int{}
	for _, l := range b {
		in[l]++
	}
	var out []string
	for _, l := range a {
		if in[l] > 0 {
			in[l]--
			continue
		}
		out = append(out, l)
	}
	return out
}
