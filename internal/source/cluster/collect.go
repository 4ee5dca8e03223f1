package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/pager"
	"k8s.io/client-go/util/retry"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/parallel"
	"github.com/kube4c/kube4c/internal/source"
)

// Options tune a collection.
type Options struct {
	// Namespace limits namespaced resources to one namespace; empty means
	// every namespace.
	Namespace string
	// PageSize is the LIST page size (limit); 0 means 500.
	PageSize int64
	// Parallelism bounds the resources listed at once; 0 means 8.
	Parallelism int
	// Progress is told about each page; nil means silence.
	Progress Progress
	// Resources to collect; nil means Resources.
	Resources []Resource
	// KeepOwned keeps Pods, ReplicaSets and Jobs whose controller was
	// collected too. By default they are dropped: their controller's
	// template is checked instead, so a problem is reported once.
	KeepOwned bool
}

// State says what happened to one resource.
type State string

// Resource states.
const (
	Collected State = "collected"
	Forbidden State = "forbidden"
	NotServed State = "not served"
	Failed    State = "failed"
)

// Status reports the collection of one resource.
type Status struct {
	Resource Resource
	Version  string
	State    State
	Objects  int
	Err      error
}

// Result is what a collection produced.
type Result struct {
	source.Result
	// Statuses has one entry per resource, in the order of Options.Resources.
	Statuses []Status
	// Requests counts the API requests made (discovery included).
	Requests int64
	// Owned counts the objects dropped because their controller was collected.
	Owned int
}

// Incomplete returns the kinds that could not be collected (forbidden or
// failed); checks that read them have partial results.
func (r *Result) Incomplete() []string {
	var kinds []string
	for _, s := range r.Statuses {
		if s.State == Forbidden || s.State == Failed {
			kinds = append(kinds, s.Resource.Kind)
		}
	}
	return kinds
}

// Collect lists every resource from the cluster cfg points at. Only get and
// list requests are made. The error is for failures that stop everything
// (no connection, discovery refused); a resource that cannot be listed is
// reported in its Status.
func Collect(ctx context.Context, cfg *rest.Config, opts Options) (*Result, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = 500
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = 8
	}
	if opts.Resources == nil {
		opts.Resources = Resources
	}
	c, err := newCollector(cfg, opts)
	if err != nil {
		return nil, err
	}
	served, err := c.discover()
	if err != nil {
		return nil, err
	}

	res := &Result{Statuses: make([]Status, len(opts.Resources))}
	perResource := make([][]*inventory.Object, len(opts.Resources))
	versions := make([]string, len(opts.Resources))
	for i, r := range opts.Resources {
		res.Statuses[i] = Status{Resource: r, State: NotServed}
		versions[i], _ = pickVersion(r, served)
	}
	parallel.ForWith(opts.Parallelism, len(opts.Resources), func(i int) {
		r, version := opts.Resources[i], versions[i]
		if version == "" || ctx.Err() != nil {
			return
		}
		objs, err := c.collect(ctx, r, version)
		st := Status{Resource: r, Version: version, State: Collected, Objects: len(objs), Err: err}
		switch {
		case err == nil:
		case apierrors.IsForbidden(err):
			st.State = Forbidden
		case apierrors.IsNotFound(err):
			st.State = NotServed
		default:
			st.State = Failed
		}
		// A resource that fails does not stop the others.
		res.Statuses[i] = st
		perResource[i] = objs
		if c.progress != nil {
			c.progress.Done(r.Kind, st.State, len(objs))
		}
		slog.Debug("listed", "resource", r.GroupResource().String(), "version", version, "state", st.State, "objects", len(objs), "err", err)
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, objs := range perResource {
		res.Objects = append(res.Objects, objs...)
	}
	res.Objects = PreferContent(res.Objects)
	for _, st := range res.Statuses {
		if st.State == Failed {
			res.Errors = append(res.Errors, source.Problem{Object: st.Resource.String(), Message: "could not be listed: " + st.Err.Error()})
		}
	}
	if !opts.KeepOwned {
		res.Objects, res.Owned = dropOwned(res.Objects)
	}
	res.Requests = c.requests.Load()
	return res, nil
}

type collector struct {
	opts     Options
	cfg      *rest.Config
	meta     metadata.Interface
	dyn      dynamic.Interface
	disc     discovery.DiscoveryInterface
	progress Progress
	requests atomic.Int64

	mu      sync.Mutex
	clients map[schema.GroupVersion]*rest.RESTClient
}

func newCollector(cfg *rest.Config, opts Options) (*collector, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 {
		// Enough for a few hundred pages a second; API Priority and
		// Fairness protects the server.
		cfg.QPS, cfg.Burst = 50, 100
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "kube4c"
	}
	c := &collector{opts: opts, cfg: cfg, progress: opts.Progress, clients: map[schema.GroupVersion]*rest.RESTClient{}}
	counting := rest.CopyConfig(cfg)
	counting.Wrap(func(rt http.RoundTripper) http.RoundTripper { return countingTransport{rt, &c.requests} })
	var err error
	if c.disc, err = discovery.NewDiscoveryClientForConfig(counting); err != nil {
		return nil, err
	}
	if c.meta, err = metadata.NewForConfig(counting); err != nil {
		return nil, err
	}
	if c.dyn, err = dynamic.NewForConfig(counting); err != nil {
		return nil, err
	}
	c.cfg = counting
	return c, nil
}

// discover returns the served resources by group/version.
func (c *collector) discover() (map[string]map[string]bool, error) { return Served(c.disc) }

// Served returns the resources the API server serves, by group/version.
// An aggregated API that is down leaves its group out; the error is for a
// discovery that failed as a whole.
func Served(disc discovery.DiscoveryInterface) (map[string]map[string]bool, error) {
	_, lists, err := disc.ServerGroupsAndResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	if err != nil {
		// Some aggregated API is down; the others are still usable.
		slog.Warn("partial discovery", "err", err)
	}
	served := map[string]map[string]bool{}
	for _, l := range lists {
		set := map[string]bool{}
		for _, r := range l.APIResources {
			set[r.Name] = true
		}
		served[l.GroupVersion] = set
	}
	return served, nil
}

// PickVersion returns the first of r's versions the server serves, or "".
func PickVersion(r Resource, served map[string]map[string]bool) string {
	v, _ := pickVersion(r, served)
	return v
}

func pickVersion(r Resource, served map[string]map[string]bool) (string, bool) {
	for _, v := range r.Versions {
		gv := schema.GroupVersion{Group: r.Group, Version: v}.String()
		if served[gv][r.Resource] {
			return v, true
		}
	}
	return "", false
}

// collect reads one resource: its one named object, or every object.
func (c *collector) collect(ctx context.Context, r Resource, version string) ([]*inventory.Object, error) {
	if r.Name != "" {
		return c.get(ctx, r, version)
	}
	return c.list(ctx, r, version)
}

// get reads the one object r names, typed and with its content. An object
// that does not exist, or that lies outside the namespace the scan is
// limited to, gives no object.
func (c *collector) get(ctx context.Context, r Resource, version string) ([]*inventory.Object, error) {
	ns, name, _ := strings.Cut(r.Name, "/")
	if c.opts.Namespace != "" && r.Namespaced && c.opts.Namespace != ns {
		return nil, nil
	}
	gv := schema.GroupVersion{Group: r.Group, Version: version}
	client, err := c.restClient(gv)
	if err != nil {
		return nil, err
	}
	out, err := scheme.Scheme.New(gv.WithKind(r.Kind))
	if err != nil {
		return nil, err
	}
	err = retry.OnError(backoff, transient, func() error {
		return client.Get().NamespaceIfScoped(ns, r.Namespaced).Resource(r.Resource).Name(name).Do(ctx).Into(out)
	})
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	}
	obj, err := newObject(out, gv.WithKind(r.Kind))
	if err != nil {
		return nil, err
	}
	return []*inventory.Object{obj}, nil
}

// PreferContent drops the metadata-only copy of an object that was also
// read whole. Only objects of the kinds read metadata-only are looked up.
func PreferContent(objs []*inventory.Object) []*inventory.Object {
	partial := map[inventory.Ref]bool{} // partial copies; true when also read whole
	kinds := map[string]bool{}
	for _, o := range objs {
		if isPartial(o) {
			partial[o.Ref()] = false
			kinds[o.Kind()] = true
		}
	}
	if len(partial) == 0 {
		return objs
	}
	for _, o := range objs {
		if kinds[o.Kind()] && !isPartial(o) {
			if _, ok := partial[o.Ref()]; ok {
				partial[o.Ref()] = true
			}
		}
	}
	return slices.DeleteFunc(objs, func(o *inventory.Object) bool { return isPartial(o) && partial[o.Ref()] })
}

func isPartial(o *inventory.Object) bool {
	_, partial := o.Obj.(*metav1.PartialObjectMetadata)
	return partial
}

// list collects every object of one resource, page by page.
func (c *collector) list(ctx context.Context, r Resource, version string) ([]*inventory.Object, error) {
	gvr := schema.GroupVersionResource{Group: r.Group, Version: version, Resource: r.Resource}
	gvk := gvr.GroupVersion().WithKind(r.Kind)
	ns := ""
	if r.Namespaced {
		ns = c.opts.Namespace
	}
	pageFn, err := c.pageFunc(r, gvr, ns)
	if err != nil {
		return nil, err
	}
	p := pager.New(pager.SimplePageFunc(withRetry(pageFn)))
	p.PageSize = c.opts.PageSize
	var objs []*inventory.Object
	err = p.EachListItem(ctx, metav1.ListOptions{}, func(item runtime.Object) error {
		obj, err := newObject(item, gvk)
		if err != nil {
			return err
		}
		objs = append(objs, obj)
		if c.progress != nil && len(objs)%int(c.opts.PageSize) == 0 {
			c.progress.Listed(r.Kind, len(objs))
		}
		return nil
	})
	return objs, err
}

// pageFunc returns the function that fetches one page of a resource:
// metadata only, unstructured custom resources, or typed objects in
// protobuf.
func (c *collector) pageFunc(r Resource, gvr schema.GroupVersionResource, ns string) (func(metav1.ListOptions) (runtime.Object, error), error) {
	ctx := context.Background()
	switch {
	case r.MetadataOnly:
		return func(o metav1.ListOptions) (runtime.Object, error) {
			return c.meta.Resource(gvr).Namespace(ns).List(ctx, o)
		}, nil
	case r.Custom:
		return func(o metav1.ListOptions) (runtime.Object, error) {
			return c.dyn.Resource(gvr).Namespace(ns).List(ctx, o)
		}, nil
	}
	client, err := c.restClient(gvr.GroupVersion())
	if err != nil {
		return nil, err
	}
	listKind := gvr.GroupVersion().WithKind(r.Kind + "List")
	return func(o metav1.ListOptions) (runtime.Object, error) {
		out, err := scheme.Scheme.New(listKind)
		if err != nil {
			return nil, err
		}
		err = client.Get().NamespaceIfScoped(ns, ns != "").Resource(gvr.Resource).
			VersionedParams(&o, scheme.ParameterCodec).Do(ctx).Into(out)
		return out, err
	}, nil
}

// restClient returns a client for one group/version that asks for protobuf.
func (c *collector) restClient(gv schema.GroupVersion) (*rest.RESTClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rc, ok := c.clients[gv]; ok {
		return rc, nil
	}
	rc, err := NewTypedClient(c.cfg, gv)
	if err != nil {
		return nil, err
	}
	c.clients[gv] = rc
	return rc, nil
}

// NewTypedClient returns a client for one group/version that decodes
// typed objects of client-go's scheme and asks for protobuf.
func NewTypedClient(cfg *rest.Config, gv schema.GroupVersion) (*rest.RESTClient, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.GroupVersion = &gv
	cfg.APIPath = "/apis"
	if gv.Group == "" {
		cfg.APIPath = "/api"
	}
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	cfg.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	return rest.RESTClientFor(cfg)
}

// backoff retries transient failures five times over about six seconds.
var backoff = wait.Backoff{Steps: 5, Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.1}

func withRetry(fn func(metav1.ListOptions) (runtime.Object, error)) func(metav1.ListOptions) (runtime.Object, error) {
	return func(o metav1.ListOptions) (runtime.Object, error) {
		var out runtime.Object
		err := retry.OnError(backoff, transient, func() error {
			var err error
			out, err = fn(o)
			return err
		})
		return out, err
	}
}

// transient reports errors worth retrying: server overload and timeouts,
// and network errors.
func transient(err error) bool {
	var netErr net.Error
	return apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsTooManyRequests(err) ||
		apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err) || apierrors.IsUnexpectedServerError(err) ||
		errors.As(err, &netErr)
}

// newObject wraps a listed item. Items of a list carry no apiVersion and
// kind; they are set from the resource.
func newObject(item runtime.Object, gvk schema.GroupVersionKind) (*inventory.Object, error) {
	item.GetObjectKind().SetGroupVersionKind(gvk)
	accessor, err := meta.Accessor(item)
	if err != nil {
		return nil, err
	}
	// No check reads managedFields; they are often the largest part of an
	// object's metadata.
	accessor.SetManagedFields(nil)
	return &inventory.Object{GVK: gvk, Obj: item, Meta: accessor}, nil
}
