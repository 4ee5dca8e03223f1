package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/testutil"
)

// microservicesDemo is the microservices demo with its NetworkPolicies:
// the plain manifests and the kustomize component of the policies (the
// project holds the application three times, and each copy would be a
// workload of its own).
func microservicesDemo(t *testing.T) []string {
	root := filepath.Join(testutil.CorpusDir(t), "real", "GoogleCloudPlatform__microservices-demo")
	components := filepath.Join(root, "kustomize", "components")
	return []string{filepath.Join(root, "kubernetes-manifests"), filepath.Join(components, "network-policies"), filepath.Join(components, "google-cloud-operations")}
}

// reachArgs returns the arguments of netpol reach with args then paths.
func reachArgs(paths []string, args ...string) []string {
	return append(append([]string{"netpol", "reach"}, args...), paths...)
}

func TestReachMatrixOfMicroservicesDemo(t *testing.T) {
	code, out, errOut := run(t, "", reachArgs(microservicesDemo(t))...)
	if code != ExitOK {
		t.Fatalf("exit code %d; stderr: %s", code, errOut)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		switch f := strings.Fields(line); {
		case len(f) > 2 && strings.HasPrefix(f[1], "default/"):
			rows[f[1]] = f[2:]
		case len(f) > 2 && f[0] == "internet":
			rows[f[0]] = f[1:]
		}
	}
	// 13 workloads; columns 1-13 are workloads, then internet and
	// cloud-metadata. The deny-all policy isolates everything, each
	// service admits its clients on its port, and every service but two
	// may connect anywhere.
	if len(rows) != 14 {
		t.Fatalf("got %d rows, want 13 workloads and the internet:\n%s", len(rows), out)
	}
	for row, want := range map[string]string{
		"default/frontend":               "TCP:9555 TCP:7070 TCP:5050 TCP:7000 - all - - - TCP:3550 TCP:8080 - TCP:50051 all all",
		"default/checkoutservice":        "- TCP:7070 - TCP:7000 TCP:8080 all - - TCP:50051 TCP:3550 - - TCP:50051 all all",
		"default/cartservice":            "- - - - - all - - - - - TCP:6379 - all all",
		"default/opentelemetrycollector": "- - - - - - - - - - - - - - -",
		"internet":                       "- - - - - all - - - - - - -",
	} {
		if got := strings.Join(rows[row], " "); got != want {
			t.Errorf("row %s:\n got %s\nwant %s", row, got, want)
		}
	}
}

// The DOT output must render with Graphviz: CI installs it (apt-get
// install graphviz), so a missing dot is a failure, not a skip.
func TestReachDOTRendersWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Fatalf("Graphviz's dot is not installed (apt-get install -y graphviz): it is needed to check that -o dot renders: %v", err)
	}
	code, out, errOut := run(t, "", reachArgs(microservicesDemo(t), "-o", "dot")...)
	if code != ExitOK {
		t.Fatalf("exit code %d; stderr: %s", code, errOut)
	}
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = strings.NewReader(out)
	var svg, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &svg, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("dot -Tsvg: %v %s\n%s", err, stderr.String(), out)
	}
	for _, want := range []string{"<svg", "cartservice", "TCP:7070", "namespace default", "cloud&#45;metadata"} {
		if !strings.Contains(svg.String(), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

func TestReachFormatsAndFilters(t *testing.T) {
	demo := microservicesDemo(t)
	code, out, _ := run(t, "", reachArgs(demo, "-o", "json", "--from", "default/frontend", "--to", "default/*")...)
	var doc struct {
		Connections []struct {
			From, To, Verdict string
			Ports             []struct{ Protocol string }
		}
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &doc) != nil {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	if len(doc.Connections) != 8 || doc.Connections[0].To != "default/adservice" || doc.Connections[0].Verdict != "allowed" {
		t.Errorf("connections: %+v", doc.Connections)
	}
	code, out, _ = run(t, "", reachArgs(demo, "-o", "mermaid", "--from", "internet")...)
	if code != ExitOK || !strings.HasPrefix(out, "flowchart LR\n") || !strings.Contains(out, `internet -->|"all"| n`) {
		t.Errorf("mermaid, exit %d:\n%s", code, out)
	}
}

func TestReachExplain(t *testing.T) {
	demo := microservicesDemo(t)
	for _, args := range [][]string{
		append(reachArgs(demo), "--explain", "default/frontend", "default/cartservice"),
		reachArgs(demo, "--explain", "frontend,cartservice"),
	} {
		code, out, errOut := run(t, "", args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		for _, want := range []string{
			"default/frontend -> default/cartservice: allowed on TCP:7070",
			"NetworkPolicy default/deny-all (podSelector {}): no egress rules, admits nothing",
			"egress[0] (ports all): allowed on all; to is empty or missing: every destination",
			"ingress[0] (ports TCP:7070): allowed on TCP:7070; from[0] podSelector app=frontend in namespace default: matches default/frontend",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, out)
			}
		}
	}
}

func TestReachUsageErrors(t *testing.T) {
	demo := microservicesDemo(t)
	for name, args := range map[string][]string{
		"unknown format":      reachArgs(demo, "-o", "svg"),
		"bad cluster cidr":    reachArgs(demo, "--cluster-cidr", "10.0.0.0"),
		"unknown endpoint":    reachArgs(demo, "--from", "default/nope"),
		"explain without TO":  reachArgs(demo, "--explain", "default/frontend"),
		"metadata as source":  reachArgs(demo, "--explain", "cloud-metadata,default/frontend"),
		"explain unknown one": reachArgs(demo, "--explain", "default/frontend,nope"),
	} {
		if code, _, errOut := run(t, "", args...); code != ExitError || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q", name, code, errOut)
		}
	}
}

// A matrix too large to draw is refused with a hint, never drawn into
// memory; JSON streams it.
func TestReachTooLargeToDraw(t *testing.T) {
	var b strings.Builder
	for i := range 600 {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: ns}\nspec: {containers: [{name: c, image: i}]}\n", i)
	}
	code, _, errOut := run(t, b.String(), "netpol", "reach", "-")
	if code != ExitError || !strings.Contains(errOut, "--from and --to") || !strings.Contains(errOut, "-o json") {
		t.Errorf("table of 600x602: exit %d, %s", code, errOut)
	}
	code, out, errOut := run(t, b.String(), "netpol", "reach", "-o", "json", "-")
	if code != ExitOK || !json.Valid([]byte(out)) || strings.Count(out, `"verdict": "allowed"`) != 601*602-2 { // the internet is a row; two pseudo-endpoint pairs are not evaluated
		t.Errorf("json: exit %d, %d allowed connections, %s", code, strings.Count(out, `"verdict": "allowed"`), errOut)
	}
	if code, _, errOut := run(t, b.String(), "netpol", "reach", "--from", "ns/p1*", "-"); code != ExitOK {
		t.Errorf("filtered table: exit %d, %s", code, errOut)
	}
}
