package report

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// sarifSchema is the official SARIF 2.1.0 schema; see testdata/README.md.
const sarifSchema = "testdata/sarif-schema-2.1.0.json"

func TestSARIFMatchesSchema(t *testing.T) {
	s := compileSchema(t, sarifSchema)
	for name, tc := range map[string]struct {
		r    *Report
		opts Options
	}{
		"sample":            {sampleReport(), Options{}},
		"sample-suppressed": {sampleReport(), Options{ShowSuppressed: true}},
		"empty":             {emptyReport(), Options{}},
	} {
		t.Run(name, func(t *testing.T) { validate(t, s, render(t, "sarif", tc.r, tc.opts)) })
	}
}

func TestSARIFSchemaIsEnforced(t *testing.T) {
	s := compileSchema(t, sarifSchema)
	out := render(t, "sarif", sampleReport(), Options{})
	for _, edit := range [][2]string{
		{`"level":"error"`, `"level":"fatal"`},
		{`"startLine":9`, `"startLine":0`},
		{`"version":"2.1.0"`, `"version":"2.2"`},
	} {
		bad := bytes.Replace(out, []byte(edit[0]), []byte(edit[1]), 1)
		if bytes.Equal(bad, out) {
			t.Fatalf("output lacks %s", edit[0])
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if s.Validate(v) == nil {
			t.Errorf("schema accepts %s", edit[1])
		}
	}
}

// renderSARIFLog renders r and reads the log back.
func renderSARIFLog(t *testing.T, r *Report, opts Options) *sarif.Run {
	t.Helper()
	log, err := sarif.FromBytes(render(t, "sarif", r, opts))
	if err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || log.Schema != sarifSchemaURI || len(log.Runs) != 1 {
		t.Fatalf("version %q with %d runs, want 2.1.0 with one", log.Version, len(log.Runs))
	}
	return log.Runs[0]
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func TestSARIFRules(t *testing.T) {
	run := renderSARIFLog(t, sampleReport(), Options{})
	d := run.Tool.Driver
	if str(d.Name) != "kube4c" || str(d.Version) != "1.2.3" || str(d.InformationURI) != "https://github.com/kube4c/kube4c" {
		t.Errorf("driver = %s %s %s", str(d.Name), str(d.Version), str(d.InformationURI))
	}
	var ids []string
	for _, rule := range d.Rules {
		ids = append(ids, str(rule.ID))
	}
	if want := []string{"expired-exception", "missing-resource-limits", "privileged-container", "missing-network-policy", "rbac-wildcard", "broken-check"}; !slices.Equal(ids, want) {
		t.Fatalf("rules = %v, want one per check that ran: %v", ids, want)
	}

	priv := d.Rules[2]
	if str(priv.Name) != "PrivilegedContainer" || str(priv.ShortDescription.Text) != privileged.Title ||
		str(priv.FullDescription.Text) != privileged.Rationale || str(priv.HelpURI) != privileged.References.URLs[0] {
		t.Errorf("privileged-container rule = %+v", priv)
	}
	if priv.DefaultConfiguration.Level != "error" {
		t.Errorf("critical rule has level %s", priv.DefaultConfiguration.Level)
	}
	props := priv.Properties.Properties
	if props["security-severity"] != "9.5" || props["layer"] != "container" || !slices.Contains(priv.Properties.Tags, "security") {
		t.Errorf("rule properties = %v, tags %v", props, priv.Properties.Tags)
	}
	for _, want := range []string{"Set securityContext.privileged to false.", "    privileged: false", "CIS Kubernetes Benchmark 5.2.2", "MITRE ATT&CK T1611 <https://attack.mitre.org/techniques/T1611/>"} {
		if !strings.Contains(str(priv.Help.Text), want) {
			t.Errorf("help text lacks %q:\n%s", want, str(priv.Help.Text))
		}
	}
	for _, want := range []string{"```yaml\nsecurityContext:\n  privileged: false\n```", "[MITRE ATT&CK T1611](https://attack.mitre.org/techniques/T1611/)", "- Pod Security Standards, baseline: Privileged Containers"} {
		if !strings.Contains(str(priv.Help.Markdown), want) {
			t.Errorf("help markdown lacks %q:\n%s", want, str(priv.Help.Markdown))
		}
	}

	netpolRule := d.Rules[3]
	if netpolRule.DefaultConfiguration.Level != "note" || netpolRule.Properties.Properties["security-severity"] != "3.0" || netpolRule.HelpURI != nil {
		t.Errorf("low rule: level %s, security-severity %v, helpUri %s", netpolRule.DefaultConfiguration.Level, netpolRule.Properties.Properties["security-severity"], str(netpolRule.HelpURI))
	}
}

func TestSARIFResults(t *testing.T) {
	run := renderSARIFLog(t, sampleReport(), Options{})
	if len(run.Results) != 6 {
		t.Fatalf("%d results, want 6 (suppressed ones hidden)", len(run.Results))
	}
	for _, res := range run.Results {
		if rule := run.Tool.Driver.Rules[res.RuleIndex]; str(rule.ID) != str(res.RuleID) {
			t.Errorf("result of %s points to rule %s", str(res.RuleID), str(rule.ID))
		}
		if len(res.PartialFingerprints[fingerprintKey]) != 32 {
			t.Errorf("result of %s lacks a fingerprint", str(res.RuleID))
		}
	}

	agent, debug, rbac, scan := run.Results[0], run.Results[1], run.Results[2], run.Results[5]
	if len(agent.Locations) != 1 || agent.Locations[0].PhysicalLocation != nil {
		t.Errorf("live-cluster finding has a physical location: %+v", agent.Locations)
	}
	if agent.Level != "error" || rbac.Level != "error" || run.Results[3].Level != "warning" || scan.Level != "note" {
		t.Errorf("levels = %s %s %s %s", agent.Level, rbac.Level, run.Results[3].Level, scan.Level)
	}
	if str(debug.Message.Text) != `Container "shell" runs privileged.` {
		t.Errorf("message = %q", str(debug.Message.Text))
	}

	loc := debug.Locations[0]
	phys := loc.PhysicalLocation
	if str(phys.ArtifactLocation.URI) != "deploy/pod.yaml" || *phys.Region.StartLine != 9 || *phys.Region.StartColumn != 7 {
		t.Errorf("physical location = %s %+v", str(phys.ArtifactLocation.URI), phys.Region)
	}
	var logical []string
	for _, l := range loc.LogicalLocations {
		logical = append(logical, str(l.Kind)+" "+str(l.FullyQualifiedName))
	}
	if want := []string{"object Pod/default/debug", "property Pod/default/debug/spec.containers[0].securityContext.privileged"}; !slices.Equal(logical, want) {
		t.Errorf("logical locations = %q, want %q", logical, want)
	}
	if len(scan.Locations) != 1 || len(scan.Locations[0].LogicalLocations) != 0 || str(scan.Locations[0].PhysicalLocation.ArtifactLocation.URI) != "kube4c.yaml" {
		t.Errorf("scan-wide finding locations = %+v", scan.Locations)
	}
}

func TestSARIFSuppressed(t *testing.T) {
	run := renderSARIFLog(t, sampleReport(), Options{ShowSuppressed: true})
	if len(run.Results) != 8 {
		t.Fatalf("%d results, want 8", len(run.Results))
	}
	var got []string
	for _, res := range run.Results {
		for _, s := range res.Suppressions {
			got = append(got, str(s.Kind)+" "+str(s.Status)+" "+str(s.Justification))
		}
	}
	want := []string{"external accepted debug pod, deleted after use (kube4c.yaml:20)", "inSource accepted kube4c.io/ignore"}
	if !slices.Equal(got, want) {
		t.Errorf("suppressions = %q, want %q", got, want)
	}
}

func TestSARIFInvocation(t *testing.T) {
	run := renderSARIFLog(t, sampleReport(), Options{})
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful == nil || *inv.ExecutionSuccessful {
		t.Error("execution reported successful despite input errors")
	}
	var got []string
	for _, n := range inv.ToolExecutionNotifications {
		line := n.Level + " " + str(n.Message.Text)
		if len(n.Locations) > 0 {
			l := n.Locations[0].PhysicalLocation
			line += " @ " + str(l.ArtifactLocation.URI)
		}
		if n.AssociatedRule != nil {
			line += " rule " + str(n.AssociatedRule.ID)
		}
		got = append(got, firstLine(line))
	}
	want := []string{
		"error yaml: mapping values are not allowed in this context @ deploy/broken.yaml",
		`warning Deployment/prod/web: unknown field "spec.template.spec.containers[0].imagePullPolice" @ deploy/web.yaml`,
		"note document has no apiVersion or kind @ deploy/notes.yaml",
		"error check broken-check panicked: boom",
	}
	if !slices.Equal(got, want) {
		t.Errorf("notifications:\n%q\nwant\n%q", got, want)
	}
	if n := inv.ToolExecutionNotifications[3]; n.AssociatedRule.Index != 5 {
		t.Errorf("failure points to rule %d, want 5", n.AssociatedRule.Index)
	}

	clean := renderSARIFLog(t, emptyReport(), Options{}).Invocations[0]
	if clean.ExecutionSuccessful == nil || !*clean.ExecutionSuccessful || len(clean.ToolExecutionNotifications) != 0 {
		t.Errorf("clean scan invocation = %+v", clean)
	}
}

func TestSARIFUnknownCheckGetsRule(t *testing.T) {
	r := emptyReport()
	r.Findings = []*check.Finding{{CheckID: "not-registered", Severity: check.High, Layer: check.LayerCluster, Message: "m"}}
	run := renderSARIFLog(t, r, Options{})
	res := run.Results[0]
	if res.RuleIndex != 2 || str(run.Tool.Driver.Rules[2].ID) != "not-registered" {
		t.Errorf("result points to rule %d of %d", res.RuleIndex, len(run.Tool.Driver.Rules))
	}
	if len(res.Locations) != 0 {
		t.Errorf("finding without object or file has locations %+v", res.Locations)
	}
}

func TestArtifactURI(t *testing.T) {
	cwd := filepath.FromSlash("/work/repo")
	for file, want := range map[string]string{
		"deploy/web.yaml":                    "deploy/web.yaml",
		"./deploy/web.yaml":                  "deploy/web.yaml",
		"../other/web.yaml":                  "../other/web.yaml",
		"deploy/my app.yaml":                 "deploy/my%20app.yaml",
		"a:b.yaml":                           "./a:b.yaml",
		"/work/repo/deploy/web.yaml":         "deploy/web.yaml",
		"/work/repository/web.yaml":          "file:///work/repository/web.yaml",
		"/etc/kubernetes/manifests/api.yaml": "file:///etc/kubernetes/manifests/api.yaml",
	} {
		if got := artifactURI(filepath.FromSlash(file), cwd); got != want {
			t.Errorf("artifactURI(%q) = %q, want %q", file, got, want)
		}
	}
}

func TestFingerprintIgnoresLine(t *testing.T) {
	r := sampleReport()
	a, b := *r.Findings[1], *r.Findings[1]
	b.Location = inventory.Location{File: a.Location.File, Line: a.Location.Line + 10}
	if fingerprint(&a) != fingerprint(&b) {
		t.Error("fingerprint changes with the line")
	}
	if c := r.Findings[4]; fingerprint(&a) == fingerprint(c) {
		t.Error("findings of different objects share a fingerprint")
	}
}

func TestRuleName(t *testing.T) {
	if got := ruleName("privileged-container"); got != "PrivilegedContainer" {
		t.Errorf("ruleName = %q", got)
	}
}
