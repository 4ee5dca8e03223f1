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
