package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/source/manifest"
	"github.com/kube4c/kube4c/internal/testutil"
)

// deployment runs as root, privileged, with a mutable image and the
// service account token mounted, in a namespace without network policies.
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      containers:
        - name: app
          image: nginx:latest
          securityContext:
            privileged: true
          ports: [{containerPort: 8080}]
`

const isolating = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`

const noAutomount = `apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: false
`

// load decodes documents as a scan of a file would.
func load(t *testing.T, docs ...string) []*inventory.Object {
	t.Helper()
	res := manifest.Load([]string{manifest.Stdin}, manifest.Options{Stdin: strings.NewReader(strings.Join(docs, "---\n"))})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	return res.Objects
}

// lines describes findings as check, object, path and message.
func lines(findings []*check.Finding) []string {
	var out []string
	for _, f := range findings {
		out = append(out, fmt.Sprintf("%s %s %s %s: %s", f.CheckID, f.Object.Ref(), f.Location, f.Path, f.Message))
	}
	return out
}

// A Deployment reviewed alone gets the findings a scan of a file holding
// only it gets, with every check on.
func TestReviewAloneEqualsFileScan(t *testing.T) {
	file := filepath.Join(t.TempDir(), "web.yaml")
	if err := os.WriteFile(file, []byte(deployment), 0o644); err != nil {
		t.Fatal(err)
	}
	every := Options{Only: everyCheck()}
	scanned, err := Scan(context.Background(), Request{Options: every, Source: Files{Paths: []string{file}}})
	if err != nil {
		t.Fatal(err)
	}
	obj := manifest.Load([]string{file}, manifest.Options{}).Objects[0]
	reviewed, err := Review(context.Background(), ReviewRequest{Options: every, Object: obj})
	if err != nil {
		t.Fatal(err)
	}
	want, got := lines(scanned.Findings), lines(reviewed.Findings)
	if len(want) < 10 {
		t.Fatalf("the scan found only %d findings:\n%s", len(want), strings.Join(want, "\n"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("review:\n%s\nscan:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// everyCheck lists the ID of every registered check.
func everyCheck() []string {
	var ids []string
	for _, c := range check.Default.All() {
		ids = append(ids, c.ID)
	}
	return ids
}

// Reviewed among known objects, the Deployment is judged with them: a
// NetworkPolicy that isolates it and a ServiceAccount that disables token
// automount take their findings away, and findings about the known
// objects themselves are not the review's.
func TestReviewAmongKnownObjects(t *testing.T) {
	opts := Options{Only: []string{"namespace-no-default-deny-ingress", "namespace-no-default-deny-egress", "service-account-token-automount", "privileged-container"}}
	obj := load(t, deployment)[0]
	alone, err := Review(context.Background(), ReviewRequest{Options: opts, Object: obj})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(alone); !slices.Equal(got, []string{"namespace-no-default-deny-egress", "namespace-no-default-deny-ingress", "privileged-container", "service-account-token-automount"}) {
		t.Fatalf("alone: %v", got)
	}
	// The old version of the Deployment is among the known objects: it is
	// replaced by the reviewed one, not checked beside it.
	old := load(t, strings.Replace(deployment, "privileged: true", "privileged: false", 1))[0]
	known := append(load(t, isolating, noAutomount), old)
	among, err := Review(context.Background(), ReviewRequest{Options: opts, Object: obj, Known: known})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(among); !slices.Equal(got, []string{"privileged-container"}) {
		t.Errorf("among known objects: %v\n%s", got, strings.Join(lines(among.Findings), "\n"))
	}
}

// ids lists the check IDs of a report's findings, sorted.
func ids(r *report.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.CheckID)
	}
	slices.Sort(out)
	return out
}

// A check reports only on objects of the kinds it reads: Review runs only
// the checks that read the reviewed object's kind, and a live scan marks
// a check incomplete by the same list. Every check, over the examples and
// public manifests.
func TestChecksReportOnlyOnKindsTheyRead(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	paths := []string{filepath.Join("..", "..", "examples"), filepath.Join(corpus, "real")}
	rep, err := Scan(context.Background(), Request{Options: Options{Only: everyCheck(), IncludeBuiltin: true}, Source: Files{Paths: paths}, Complete: true})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range append(rep.Findings, rep.Suppressed...) {
		if f.Object == nil {
			continue
		}
		seen[f.CheckID] = true
		if c := check.Default.Get(f.CheckID); !c.ReadsKind(f.Object.Kind()) {
			t.Errorf("%s reports on a %s, which it does not read (reads %v): %s", f.CheckID, f.Object.Kind(), c.ReadKinds(), f.Message)
			delete(seen, f.CheckID)
		}
	}
	if len(seen) < 60 {
		t.Errorf("only %d checks reported anything: the corpus does not exercise them", len(seen))
	}
}
