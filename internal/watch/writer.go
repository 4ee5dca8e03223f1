package watch

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/workqueue"

	reports "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"

	"golang.org/x/time/rate"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// FieldManager is the server-side apply field manager of the reports.
const FieldManager = "kube4c-watch"

// DefaultWriteRate is the report results written a second, at most, by
// default: each result costs the API server about 0.4 ms of CPU to write
// (and each report object 3 ms more), so this allows it up to about two
// cores, spent only while many findings change at once (the first
// reports of a large cluster).
const DefaultWriteRate = 5000

// writeWorkers is how many report objects are written at once.
const writeWorkers = 4

// Writer writes each unit's findings as report objects by server-side
// apply, only when their content changed, at most rate results a second.
// Only the elected leader runs it.
type Writer struct {
	// client lists and deletes reports; apply applies them, without
	// decoding the object the API server returns.
	client  dynamic.Interface
	apply   rest.Interface
	format  Format
	engine  *Engine
	store   *Store
	passes  func(unit string, kept, suppressed []*check.Finding) int
	alerts  bool
	limiter *rate.Limiter
	metrics *Metrics
	queue   workqueue.TypedRateLimitingInterface[string]

	mu sync.Mutex
	// written is what the cluster holds of each unit, as last read or written.
	written map[string]*unitReports
}

// unitReports is what kube4c last wrote of one unit.
type unitReports struct {
	// hashes of each part's content as the cluster holds it, by name.
	hashes map[string][32]byte
	// digests of each part as last written or found unchanged, by name
	// (reportPart.digest): a part whose digest is the same is not encoded.
	digests map[string]uint64
	// parts is the unit's part count (partCount's previous).
	parts int
	// seen is each result written, by finding.
	seen map[findingKey]seenResult
	// syncs counts the unit's syncs; seenResult.sync is the last that
	// held the result.
	syncs uint64
}

// seenResult is a result as written: when it was first seen, its
// severity (for the alert when it is fixed), and the last sync that held
// it.
type seenResult struct {
	at       metav1.Timestamp
	severity string
	sync     uint64
}

// NewWriter returns a writer of format through cfg; Run starts it.
func NewWriter(cfg *rest.Config, format Format, engine *Engine, store *Store, resultsPerSecond float64, alerts bool, m *Metrics) (*Writer, error) {
	if resultsPerSecond <= 0 {
		resultsPerSecond = DefaultWriteRate
	}
	// The writer paces itself by what each write costs the API server,
	// not by requests: no client-side request limit on top.
	cfg = rest.CopyConfig(cfg)
	cfg.QPS = -1
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	cfg.GroupVersion, cfg.APIPath = &format.GroupVersion, "/apis"
	cfg.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	apply, err := rest.RESTClientFor(cfg)
	if err != nil {
		return nil, err
	}
	// A second's worth may go at once; a larger part waits for a full
	// bucket (WaitN cannot take more than the burst).
	burst := max(1, int(resultsPerSecond))
	return &Writer{client: client, apply: apply, format: format, engine: engine, store: store, alerts: alerts, metrics: m,
		limiter: rate.NewLimiter(rate.Limit(resultsPerSecond), burst),
		passes:  engine.Passes}, nil
}

// Enqueue asks for the reports of units to be brought up to date.
func (w *Writer) Enqueue(units ...string) {
	w.mu.Lock()
	q := w.queue
	w.mu.Unlock()
	if q == nil {
		return
	}
	for _, u := range units {
		q.Add(u)
	}
}

// Run reads the reports the cluster holds (a previous leader's: their
// results keep their first-seen times, and only what differs from them is
// alerted as new or fixed), brings every unit's up to date, and then each
// enqueued unit's, until ctx ends.
func (w *Writer) Run(ctx context.Context, workers int) error {
	written, err := w.readWritten(ctx)
	if err != nil {
		return err
	}
	queue := workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "reports"})
	w.mu.Lock()
	w.written, w.queue = written, queue
	w.mu.Unlock()
	defer func() {
		queue.ShutDown()
		w.mu.Lock()
		w.queue = nil
		w.mu.Unlock()
	}()
	for _, u := range append(w.store.Namespaces(), "") {
		queue.Add(u)
	}
	// Reports of namespaces that are gone.
	for u := range written {
		queue.Add(u)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for w.next(ctx, queue) {
			}
		})
	}
	<-ctx.Done()
	queue.ShutDown()
	wg.Wait()
	return nil
}

// next writes the reports of one unit from the queue; false when the
// queue is shut down.
func (w *Writer) next(ctx context.Context, queue workqueue.TypedRateLimitingInterface[string]) bool {
	unit, shutdown := queue.Get()
	if shutdown {
		return false
	}
	defer queue.Done(unit)
	if err := w.sync(ctx, unit); err != nil && ctx.Err() == nil {
		slog.Warn("writing a report failed; retrying", "namespace", unit, "error", err)
		w.metrics.writes.WithLabelValues("error").Inc()
		queue.AddRateLimited(unit)
		return true
	}
	queue.Forget(unit)
	return true
}

// Reconcile reads back the reports the cluster holds and makes the next
// write of each unit apply again those that differ from what was written
// (after a full resync: a report deleted or edited by hand comes back).
// Reports that hold what kube4c wrote are not written again. A writer
// that does not lead has nothing to reconcile.
func (w *Writer) Reconcile(ctx context.Context) {
	w.mu.Lock()
	q := w.queue
	w.mu.Unlock()
	if q == nil {
		return
	}
	stored, err := w.readWritten(ctx)
	if err != nil {
		slog.Warn("full resync: cannot read the reports back; applying them all again", "error", err)
	}
	w.mu.Lock()
	units := append(w.store.Namespaces(), "")
	for unit, u := range w.written {
		u.hashes, u.digests = map[string][32]byte{}, map[string]uint64{}
		if s := stored[unit]; s != nil {
			u.hashes = s.hashes
		}
	}
	for unit, s := range stored {
		if w.written[unit] == nil {
			w.written[unit] = s
			units = append(units, unit)
		}
	}
	w.mu.Unlock()
	for _, u := range units {
		q.Add(u)
	}
}

// sync brings the reports of one unit up to date.
func (w *Writer) sync(ctx context.Context, unit string) error {
	if unit != "" {
		if ns := w.store.Namespace(unit); ns == nil || ns.DeletionTimestamp != nil {
			// The namespace is gone, or going: so are its reports.
			return w.deleteParts(ctx, unit, nil)
		}
	}
	kept, suppressed := w.engine.Findings(unit)
	w.mu.Lock()
	state := w.written[unit]
	if state == nil {
		state = newUnitReports()
		w.written[unit] = state
	}
	// Each finding keeps the time it was first seen; those held before
	// and not now are fixed.
	now := metav1.Timestamp{Seconds: time.Now().Unix()}
	state.syncs++
	results := make([]result, len(kept))
	var added []*check.Finding
	for i, f := range kept {
		key := keyOf(f)
		s, held := state.seen[key]
		if !held {
			s.at = now
			added = append(added, f)
		}
		s.severity, s.sync = f.Severity.String(), state.syncs
		state.seen[key] = s
		results[i] = result{key: key, finding: f, seen: s.at}
	}
	fixed := map[findingKey]seenResult{}
	for key, s := range state.seen {
		if s.sync != state.syncs {
			fixed[key] = s
			delete(state.seen, key)
		}
	}
	n := partCount(results, state.parts)
	w.mu.Unlock()
	// The alerts are about the findings, logged once each, whether or
	// not the reports below are written at the first try.
	if w.alerts {
		alert(unit, added, fixed)
	}

	parts := splitReports(results, w.passes(unit, kept, suppressed), len(suppressed), n)
	for _, part := range parts {
		if err := w.write(ctx, unit, part, state); err != nil {
			return err
		}
	}
	keep := map[string]bool{}
	for _, part := range parts {
		keep[part.name] = true
	}
	if err := w.deleteParts(ctx, unit, keep); err != nil {
		return err
	}
	w.mu.Lock()
	state.parts = n
	w.mu.Unlock()
	return nil
}

// write applies one report object unless the cluster holds it already:
// unless its digest is the one last written, or its encoding is.
func (w *Writer) write(ctx context.Context, unit string, part reportPart, state *unitReports) error {
	w.mu.Lock()
	_, written := state.hashes[part.name]
	same := written && state.digests[part.name] == part.digest
	w.mu.Unlock()
	if same {
		w.metrics.writes.WithLabelValues("unchanged").Inc()
		return nil
	}
	encoded := part.encode(w.format, unit)
	w.mu.Lock()
	same = state.hashes[part.name] == encoded.hash
	w.mu.Unlock()
	if !same {
		if err := w.limiter.WaitN(ctx, min(encoded.results+1, w.limiter.Burst())); err != nil {
			return err
		}
		err := w.apply.Patch(types.ApplyPatchType).NamespaceIfScoped(unit, unit != "").Resource(w.format.GVR(unit).Resource).Name(part.name).
			Param("fieldManager", FieldManager).Param("force", "true").
			// The body is encoded from typed structs, so it can hold neither
			// unknown nor duplicate fields: Ignore spares the API server a
			// second, strict parse of every apply.
			Param("fieldValidation", "Ignore").
			Body(encoded.body).Do(ctx).Error()
		if err != nil {
			return fmt.Errorf("applying report %s: %w", part.name, err)
		}
	}
	outcome := "applied"
	if same {
		outcome = "unchanged"
	}
	w.metrics.writes.WithLabelValues(outcome).Inc()
	w.mu.Lock()
	state.hashes[part.name], state.digests[part.name] = encoded.hash, part.digest
	w.mu.Unlock()
	return nil
}

// deleteParts deletes the unit's reports other than those to keep (all
// for none, and then forgets the unit).
func (w *Writer) deleteParts(ctx context.Context, unit string, keep map[string]bool) error {
	w.mu.Lock()
	state := w.written[unit]
	var names []string
	if state != nil {
		for name := range state.hashes {
			if !keep[name] {
				names = append(names, name)
			}
		}
	}
	if len(keep) == 0 {
		delete(w.written, unit)
	}
	w.mu.Unlock()
	for _, name := range names {
		err := w.client.Resource(w.format.GVR(unit)).Namespace(unit).Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting report %s: %w", name, err)
		}
		w.metrics.writes.WithLabelValues("deleted").Inc()
		if state != nil {
			w.mu.Lock()
			delete(state.hashes, name)
			delete(state.digests, name)
			w.mu.Unlock()
		}
	}
	return nil
}

// readWritten lists the reports kube4c wrote before (a previous leader,
// or this process before a restart): their names, and when each of their
// results was first seen.
func (w *Writer) readWritten(ctx context.Context) (map[string]*unitReports, error) {
	out := map[string]*unitReports{}
	selector := labels.SelectorFromSet(labels.Set{ManagedByLabel: managedBy}).String()
	for _, unit := range []string{"x", ""} { // a namespace's reports, then the cluster's
		list, err := w.client.Resource(w.format.GVR(unit)).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return nil, fmt.Errorf("listing the reports kube4c wrote: %w", err)
		}
		for _, item := range list.Items {
			u := out[item.GetNamespace()]
			if u == nil {
				u = newUnitReports()
				out[item.GetNamespace()] = u
			}
			// A report that encodes as this writer would write it is
			// not written again; anything else (edited, or written by
			// another version) is applied once.
			u.hashes[item.GetName()] = storedHash(w.format, item)
			u.parts = max(u.parts, partNumber(item.GetName()))
			maps.Copy(u.seen, previousResults(item))
		}
	}
	return out, nil
}

// storedHash returns the hash of a report read from the cluster as the
// writer hashes what it writes; zero when it does not read as a report.
func storedHash(format Format, item unstructured.Unstructured) [32]byte {
	var rep reports.Report
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(item.Object, &rep); err != nil {
		return [32]byte{}
	}
	if item.GetLabels()[PartLabel] != strconv.Itoa(partNumber(item.GetName())) {
		return [32]byte{}
	}
	return encodeReport(format, item.GetNamespace(), item.GetName(), rep.Summary, rep.Results).hash
}

func newUnitReports() *unitReports {
	return &unitReports{hashes: map[string][32]byte{}, digests: map[string]uint64{}, seen: map[findingKey]seenResult{}}
}

// previousResults reads the results of a report kube4c wrote, by finding
// (a result without a policy is none of kube4c's, and is skipped).
func previousResults(item unstructured.Unstructured) map[findingKey]seenResult {
	out := map[findingKey]seenResult{}
	results, _, _ := unstructured.NestedSlice(item.Object, "results")
	for _, r := range results {
		m, ok := r.(map[string]any)
		if !ok {
			continue
		}
		str := func(fields ...string) string { v, _, _ := unstructured.NestedString(m, fields...); return v }
		seconds, _, _ := unstructured.NestedInt64(m, "timestamp", "seconds")
		key := findingKey{check: str("policy"), container: str("properties", "container"), path: str("properties", "path")}
		if key.check == "" {
			continue
		}
		if subjects, _, _ := unstructured.NestedSlice(m, "resources"); len(subjects) > 0 {
			if subject, ok := subjects[0].(map[string]any); ok {
				key.object = subjectRef(subject)
			}
		}
		out[key] = seenResult{at: metav1.Timestamp{Seconds: seconds}, severity: str("severity")}
	}
	return out
}

// subjectRef reads a report subject.
func subjectRef(s map[string]any) inventory.Ref {
	str := func(k string) string { v, _ := s[k].(string); return v }
	return inventory.Ref{APIVersion: str("apiVersion"), Kind: str("kind"), Namespace: str("namespace"), Name: str("name")}
}

// alert logs each finding added, and each fixed one, in a stable order.
func alert(unit string, added []*check.Finding, fixed map[findingKey]seenResult) {
	for _, f := range added {
		slog.Info("new finding", "check", f.CheckID, "severity", f.Severity.String(), "layer", string(f.Layer),
			"namespace", unit, "object", refString(f.Object), "container", f.Container, "path", f.Path, "message", f.Message)
	}
	for _, key := range slices.SortedFunc(maps.Keys(fixed), compareKeys) {
		slog.Info("fixed finding", "check", key.check, "severity", fixed[key].severity, "namespace", unit,
			"object", key.object.String(), "container", key.container, "path", key.path)
	}
}
