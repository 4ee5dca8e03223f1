package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// kube4c paths on examples/: the chains and the fixes in the table, the
// same in JSON; a bad --to is a usage error.
func TestPathsOnExamples(t *testing.T) {
	code, out, errOut := run(t, "", "paths", examples)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"PATH 1  code running in a pod of namespace ci => cluster-admin  (3 steps)",
		"the internet => cloud-identity  (3 steps, possible)",
		"the internet  is let in by  Service shop/storefront",
		"[service-loadbalancer-open]  Service/shop/storefront  ../../examples/shop/10-storefront.yaml:",
		"Deployment ci/build-runner  holds the token of  ServiceAccount ci/build-runner",
		"FIX THESE FIRST",
		`volume "docker" mounts the container runtime socket /var/run/docker.sock`,
		`ClusterRole "build-runner" rules[0]: * on * in group *`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, errOut = run(t, "", "paths", "-o", "json", "--from", "pods:ci", "--to", "cluster-admin", examples)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		SchemaVersion string `json:"schemaVersion"`
		Paths         []struct {
			From, Target string
			Hops         []struct {
				To       string
				Step     string
				Evidence []struct {
					CheckID  string `json:"checkId"`
					Location struct {
						File string
						Line int
					}
				}
			}
		}
		ChokePoints []struct {
			CheckID string `json:"checkId"`
			Cuts    int
		} `json:"chokePoints"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SchemaVersion != "kube4c.io/paths/v1" || len(doc.Paths) != 1 || doc.Paths[0].From != "pods:ci" || doc.Paths[0].Target != "cluster-admin" {
		t.Fatalf("json: %+v", doc)
	}
	hops := doc.Paths[0].Hops
	if len(hops) != 3 || hops[2].To != "cluster-admin" || hops[2].Evidence[0].Location.Line == 0 {
		t.Errorf("hops %+v", hops)
	}
	if len(doc.ChokePoints) == 0 || doc.ChokePoints[0].CheckID != "rbac-cluster-admin" || doc.ChokePoints[0].Cuts != 1 {
		t.Errorf("choke points %+v", doc.ChokePoints)
	}

	if code, _, errOut := run(t, "", "paths", "--to", "crown-jewels", examples); code != ExitError || !strings.Contains(errOut, `--to "crown-jewels"`) {
		t.Errorf("bad --to: exit %d, %s", code, errOut)
	}
	if code, _, errOut := run(t, "", "paths", "--from", "pods:nowhere", examples); code != ExitError || !strings.Contains(errOut, "not an entry point") {
		t.Errorf("bad --from: exit %d, %s", code, errOut)
	}
}

// scan --prioritize orders the findings by the attack paths they sit on,
// most first, and says how many: in the table and in JSON.
func TestScanPrioritize(t *testing.T) {
	_, out, errOut := run(t, "", "scan", "-o", "json", "--prioritize", "--fail-on", "none", examples)
	var rep struct {
		Findings []struct {
			CheckID     string `json:"checkId"`
			Object      struct{ Name string }
			AttackPaths int `json:"attackPaths"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	if len(rep.Findings) == 0 || rep.Findings[0].CheckID != "rbac-cluster-admin" || rep.Findings[0].AttackPaths == 0 {
		t.Fatalf("first finding %+v, want the build runner's cluster-admin binding on paths", rep.Findings[:min(1, len(rep.Findings))])
	}
	counted := 0
	for i, f := range rep.Findings {
		if i > 0 && f.AttackPaths > rep.Findings[i-1].AttackPaths {
			t.Errorf("finding %d (%s %s, %d paths) after one with fewer", i, f.CheckID, f.Object.Name, f.AttackPaths)
		}
		if f.AttackPaths > 0 {
			counted++
		}
	}
	if counted < 4 {
		t.Errorf("only %d findings on attack paths", counted)
	}
	_, out, _ = run(t, "", "scan", "--prioritize", "--fail-on", "none", examples)
	if !strings.HasPrefix(out, "ClusterRoleBinding/build-runner") || !strings.Contains(out, "on 4 attack paths (kube4c paths)") {
		t.Errorf("table:\n%s", out[:min(600, len(out))])
	}
	_, plain, _ := run(t, "", "scan", "-o", "json", "--fail-on", "none", examples)
	if strings.Contains(plain, "attackPaths") {
		t.Error("a scan without --prioritize counts attack paths")
	}
}
