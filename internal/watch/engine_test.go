package watch

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/source/cluster"
	"github.com/kube4c/kube4c/internal/source/manifest"
	"github.com/kube4c/kube4c/internal/testutil"
)

// memObjects is Objects over a set of objects in memory, indexed as the
// informers' store is.
type memObjects struct {
	byRef       map[inventory.Ref]*inventory.Object
	byUnit      map[string]map[inventory.Ref]*inventory.Object
	controllers map[types.UID]int
	complete    bool
}

func newMemObjects(objs []*inventory.Object) *memObjects {
	m := &memObjects{byRef: map[inventory.Ref]*inventory.Object{}, byUnit: map[string]map[inventory.Ref]*inventory.Object{},
		controllers: map[types.UID]int{}}
	for _, o := range objs {
		m.add(o)
	}
	return m
}

func (m *memObjects) add(o *inventory.Object) {
	m.remove(o)
	m.byRef[o.Ref()] = o
	if m.byUnit[UnitOf(o)] == nil {
		m.byUnit[UnitOf(o)] = map[inventory.Ref]*inventory.Object{}
	}
	m.byUnit[UnitOf(o)][o.Ref()] = o
	if cluster.IsController(o.Kind()) {
		m.controllers[o.Meta.GetUID()]++
	}
}

func (m *memObjects) remove(o *inventory.Object) {
	old := m.byRef[o.Ref()]
	if old == nil {
		return
	}
	delete(m.byRef, o.Ref())
	delete(m.byUnit[UnitOf(old)], o.Ref())
	if cluster.IsController(old.Kind()) {
		m.controllers[old.Meta.GetUID()]--
	}
}

func (m *memObjects) owned(o *inventory.Object) bool {
	uid := cluster.Controlled(o)
	return uid != "" && m.controllers[uid] > 0
}

func (m *memObjects) Get(ref inventory.Ref) *inventory.Object {
	if o := m.byRef[ref]; o != nil && !m.owned(o) {
		return o
	}
	return nil
}

func (m *memObjects) all() []*inventory.Object { return m.checked(m.byRef) }

// checked returns the objects of set that are not owned, in a stable order.
func (m *memObjects) checked(set map[inventory.Ref]*inventory.Object) []*inventory.Object {
	var out []*inventory.Object
	for _, ref := range slices.SortedFunc(maps.Keys(set), func(a, b inventory.Ref) int { return strings.Compare(a.String(), b.String()) }) {
		if o := set[ref]; !m.owned(o) {
			out = append(out, o)
		}
	}
	return out
}

func (m *memObjects) Unit(unit string) []*inventory.Object { return m.checked(m.byUnit[unit]) }

func (m *memObjects) OfKinds(kinds []string) []*inventory.Object {
	set := map[inventory.Ref]*inventory.Object{}
	for ref, o := range m.byRef {
		if slices.Contains(kinds, o.Kind()) {
			set[ref] = o
		}
	}
	return m.checked(set)
}

func (m *memObjects) Namespaces() []string {
	var out []string
	for unit, set := range m.byUnit {
		if unit != "" && len(set) > 0 {
			out = append(out, unit)
		}
	}
	slices.Sort(out)
	return out
}

func (m *memObjects) Complete() bool { return m.complete }

// fresh judges every object at once, as a scan does, and returns the
// findings of each unit as comparable lines.
func fresh(t *testing.T, plan *pipeline.Plan, m *memObjects) map[string][]string {
	t.Helper()
	kept, suppressed, _, err := plan.Evaluate(context.Background(), m.all(), plan.Checks(), m.complete)
	if err != nil {
		t.Fatal(err)
	}
	return unitLines(slices.Concat(plan.Fold(kept), plan.Fold(suppressed)))
}

// incremental returns what the engine holds, as fresh does.
func incremental(e *Engine) map[string][]string {
	out := map[string][]string{}
	for _, unit := range e.Units() {
		kept, suppressed := e.Findings(unit)
		out[unit] = lines(slices.Concat(kept, suppressed))
	}
	return out
}

// compare fails the test with the differences of two unit maps.
func compare(t *testing.T, step string, want, got map[string][]string) {
	t.Helper()
	for _, unit := range slices.Sorted(maps.Keys(union(want, got))) {
		for _, l := range difference(want[unit], got[unit]) {
			t.Errorf("%s: unit %q: missing %s", step, unit, l)
		}
		for _, l := range difference(got[unit], want[unit]) {
			t.Errorf("%s: unit %q: extra %s", step, unit, l)
		}
	}
}

// load reads manifests for the tests; namespaced objects without a
// namespace get one, as the API server gives them.
func load(t testing.TB, paths ...string) []*inventory.Object {
	t.Helper()
	res := manifest.Load(paths, manifest.Options{})
	if len(res.Objects) == 0 {
		t.Fatalf("no objects in %v", paths)
	}
	for i, o := range res.Objects {
		// Give every object a UID of its own (the API server would).
		if o.Meta.GetUID() == "" {
			o.Meta.SetUID(types.UID(fmt.Sprintf("uid-%d", i)))
		}
		if o.Namespace() == "" && !clusterScopedKinds[o.Kind()] && !otherClusterScopedKinds[o.Kind()] {
			o.Meta.SetNamespace("default")
		}
	}
	return res.Objects
}

// otherClusterScopedKinds are cluster-scoped kinds of the test manifests
// that no check reads.
var otherClusterScopedKinds = map[string]bool{
	"CustomResourceDefinition": true, "PriorityClass": true, "StorageClass": true, "PersistentVolume": true,
	"ClusterIssuer": true, "APIService": true, "IngressClass": true, "CSIDriver": true, "PodSecurityPolicy": true,
	"VolumeSnapshotClass": true, "ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"CertificateSigningRequest": true, "ClusterPolicy": true, "MutatingAdmissionPolicy": true,
}

// The contract every check's Scope makes: judging each unit apart, and
// after changes re-judging only what the scopes say a change affects,
// finds exactly what judging everything at once finds.
func TestEngineAgreesWithAFreshEvaluation(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	sets := map[string][]string{
		"examples":            {"../../examples"},
		"real":                {filepath.Join(corpus, "real")},
		"psa":                 {filepath.Join(corpus, "psa")},
		"rbac-world":          {"../catalog/testdata/rbac-world.yaml"},
		"mesh-world":          {"testdata/mesh-world.yaml"},
		"control-plane-world": {"testdata/control-plane-world.yaml"},
		"cloud-by-sa":         {"testdata/cloud-workloads.yaml", "testdata/cloud-identity-sa.yaml"},
		"cloud-by-aws-auth":   {"testdata/cloud-workloads.yaml", "testdata/cloud-aws-auth.yaml"},
	}
	plan, err := pipeline.NewPlan(pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(sets)) {
		t.Run(name, func(t *testing.T) {
			objs := load(t, sets[name]...)
			rng := rand.New(rand.NewPCG(1, uint64(len(objs))))
			// Start without a sixth of the objects.
			var held []*inventory.Object
			m := newMemObjects(nil)
			m.complete = name == "rbac-world"
			for _, o := range objs {
				if rng.IntN(6) == 0 {
					held = append(held, o)
				} else {
					m.add(o)
				}
			}
			e := NewEngine(plan, m)
			evaluate(t, e)
			compare(t, "first evaluation", fresh(t, plan, m), incremental(e))

			// Add the others back, a few at a time, then remove some.
			for len(held) > 0 {
				n := min(len(held), 1+rng.IntN(5))
				for _, o := range held[:n] {
					m.add(o)
					e.Changed(o)
				}
				held = held[n:]
				evaluate(t, e)
			}
			compare(t, "after additions", fresh(t, plan, m), incremental(e))
			for _, o := range objs {
				if rng.IntN(8) == 0 {
					m.remove(o)
					e.Changed(o)
				}
			}
			evaluate(t, e)
			compare(t, "after deletions", fresh(t, plan, m), incremental(e))
		})
	}
}

func evaluate(t *testing.T, e *Engine) {
	t.Helper()
	if _, err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e.Pending() {
		t.Fatal("changes still pending after an evaluation")
	}
}
