package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

// loadFixture returns the inventory of a manifest file of testdata.
func loadFixture(t *testing.T, path string) *inventory.Inventory {
	t.Helper()
	loaded := manifest.Load([]string{path}, manifest.Options{})
	if len(loaded.Errors) > 0 {
		t.Fatalf("fixture: %v", loaded.Errors)
	}
	return inventory.New(loaded.Objects)
}

// reachWorld builds the engine of testdata/netpol/world.yaml.
func reachWorld(t *testing.T) *netpol.Engine {
	t.Helper()
	return netpol.Build(loadFixture(t, "testdata/netpol/world.yaml"), netpol.Options{})
}

// selectEndpoints selects the endpoints of every pattern, in order.
func selectEndpoints(t *testing.T, e *netpol.Engine, patterns ...string) []netpol.Endpoint {
	t.Helper()
	var out []netpol.Endpoint
	for _, p := range patterns {
		eps, err := e.Select(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, eps...)
	}
	return out
}

// Every format of the whole matrix, as netpol reach writes it.
func TestReachGolden(t *testing.T) {
	e := reachWorld(t)
	g := e.Grid(e.Endpoints(), e.Endpoints())
	for _, format := range ReachFormats() {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteReach(&b, format, g); err != nil {
				t.Fatal(err)
			}
			golden(t, "netpol/reach."+format+".golden", b.Bytes())
		})
	}
}

func TestReachTableMarksUnknownAndPartial(t *testing.T) {
	e := reachWorld(t)
	g := e.Grid(selectEndpoints(t, e, "*/client", "prod/web"), selectEndpoints(t, e, "prod/db", "internet"))
	var b strings.Builder
	if err := WriteReach(&b, "table", g); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"1  dev/client    all   all\n", "2  other/client  ?all  all\n", "3  prod/web      TCP:5432,6432  TCP:443*\n",
		"Columns: 4 prod/db\n", "selectors on team give unknown verdicts",
	} {
		if !strings.Contains(strings.Join(strings.Fields(b.String()), " ")+"\n", strings.Join(strings.Fields(want), " ")) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// The graphs quote names for their languages and draw the connections
// that are only possible dashed.
func TestReachGraphsQuoteAndDash(t *testing.T) {
	e := reachWorld(t)
	g := e.Grid(selectEndpoints(t, e, "other/client", `odd"ns/*`), selectEndpoints(t, e, "prod/db"))
	var dot, mermaid strings.Builder
	if err := WriteReach(&dot, "dot", g); err != nil {
		t.Fatal(err)
	}
	if err := WriteReach(&mermaid, "mermaid", g); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`[label="odd\"name\\x\nPod"]`, `label="namespace odd\"ns"`, `[label="?all", style=dashed]`} {
		if !strings.Contains(dot.String(), want) {
			t.Errorf("DOT lacks %s:\n%s", want, dot.String())
		}
	}
	for _, want := range []string{`["odd#quot;name\x"]`, `-.->|"?all"|`} {
		if !strings.Contains(mermaid.String(), want) {
			t.Errorf("Mermaid lacks %s:\n%s", want, mermaid.String())
		}
	}
}

func TestWriteReachRefusesUnknownFormat(t *testing.T) {
	e := reachWorld(t)
	if err := WriteReach(&bytes.Buffer{}, "yaml", e.Grid(nil, nil)); err == nil {
		t.Error("unknown format accepted")
	}
}

// Explanations of an allowed, an unknown and a denied connection.
func TestExplanationGolden(t *testing.T) {
	e := reachWorld(t)
	for name, pair := range map[string][2]string{
		"web-db":         {"prod/web", "prod/db"},
		"client-db":      {"other/client", "prod/db"},
		"agent-internet": {"prod/node-agent", "internet"},
	} {
		t.Run(name, func(t *testing.T) {
			from, err := e.Lookup(pair[0])
			if err != nil {
				t.Fatal(err)
			}
			to, err := e.Lookup(pair[1])
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := WriteExplanation(&b, e.Explain(from, to)); err != nil {
				t.Fatal(err)
			}
			golden(t, "netpol/explain-"+name+".golden", b.Bytes())
		})
	}
}

// appendConnection writes what encoding/json writes for the connection
// type, as an item of the indented list. Its strings are escaped as the
// scan report's are (jsonescape), which writes U+2028 and U+2029 raw where
// encoding/json escapes them: both are valid JSON.
func TestAppendConnectionIsEncodingJSON(t *testing.T) {
	for _, c := range []reachConnectionJSON{
		{From: "a/b", To: "internet", Verdict: netpol.Allowed, Ports: []netpol.PortRange{{Protocol: "TCP", From: 1, To: 65535}, {Protocol: "UDP", From: 53, To: 53}}, Partial: true},
		{From: "odd\"ns/<name>&\x01\\", To: "x/y@dir/a&b.yaml:3:1", Verdict: netpol.Unknown, Unknown: []netpol.PortRange{{Protocol: "SCTP", From: 9, To: 9}}},
		{From: "a/b", To: "c/d", Verdict: netpol.Allowed, Ports: []netpol.PortRange{{Protocol: "TCP", From: 80, To: 80}}, Unknown: []netpol.PortRange{{Protocol: "TCP", From: 81, To: 90}}},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		if err := enc.Encode(c); err != nil {
			t.Fatal(err)
		}
		got := string(appendConnection(nil, c))
		if w := "    " + strings.TrimSuffix(want.String(), "\n"); got != w {
			t.Errorf("got\n%s\nwant\n%s", got, w)
		}
	}
}
