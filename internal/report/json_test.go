package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// compileSchema compiles a JSON Schema file with format assertions on.
func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return s
}

// validate checks a document against a schema.
func validate(t *testing.T, s *jsonschema.Schema, doc []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("output does not match the schema: %v\n%s", err, doc)
	}
}

const reportSchema = "../../docs/report.schema.json"

func TestJSONMatchesSchema(t *testing.T) {
	s := compileSchema(t, reportSchema)
	for name, tc := range map[string]struct {
		r    *Report
		opts Options
	}{
		"sample":            {sampleReport(), Options{}},
		"sample-suppressed": {sampleReport(), Options{ShowSuppressed: true}},
		"empty":             {emptyReport(), Options{ShowSuppressed: true}},
		"verdicts":          {verdictReport(), Options{}},
		"folded":            {foldedReport(), Options{ShowSuppressed: true}},
	} {
		t.Run(name, func(t *testing.T) { validate(t, s, render(t, "json", tc.r, tc.opts)) })
	}
}

// foldedReport is the sample report with findings that stand for
// several of one root cause (check.FoldFindings), counted and suppressed.
func foldedReport() *Report {
	r := sampleReport()
	f := r.Findings[2]
	f.Folded = &check.Folded{Details: []check.Detail{{CheckID: f.CheckID, Severity: f.Severity, Message: f.Message},
		{CheckID: "rbac-read-secrets", Severity: check.Critical, Message: `User "ci" can read secrets cluster-wide.`}}}
	s := r.Suppressed[1]
	s.Folded = &check.Folded{Details: []check.Detail{{CheckID: s.CheckID, Severity: s.Severity, Message: s.Message},
		{CheckID: limits.ID, Severity: check.Low, Message: "no limits"}, {CheckID: "other", Severity: check.Info, Message: ""}}}
	return r
}

// TestJSONDocExample keeps the example of docs/output.md valid.
func TestJSONDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/output.md")
	if err != nil {
		t.Fatal(err)
	}
	_, example, ok := strings.Cut(string(doc), "```json\n")
	example, _, ok2 := strings.Cut(example, "```")
	if !ok || !ok2 {
		t.Fatal("docs/output.md has no json example")
	}
	validate(t, compileSchema(t, reportSchema), []byte(example))
}

func TestJSONSchemaIsStrict(t *testing.T) {
	s := compileSchema(t, reportSchema)
	out := render(t, "json", sampleReport(), Options{ShowSuppressed: true})
	for name, edit := range map[string]func(m map[string]any){
		"unknown field": func(m map[string]any) { m["extra"] = 1 },
		"bad severity":  func(m map[string]any) { finding(m, "findings", 0)["severity"] = "urgent" },
		"suppression on finding": func(m map[string]any) {
			finding(m, "findings", 0)["suppression"] = map[string]any{"kind": "config", "source": "x"}
		},
		"suppressed w/o reason": func(m map[string]any) { delete(finding(m, "suppressed", 0), "suppression") },
		"missing summary count": func(m map[string]any) { delete(m["summary"].(map[string]any), "objects") },
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatal(err)
			}
			edit(m)
			b, _ := json.Marshal(m)
			v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if s.Validate(v) == nil {
				t.Error("schema accepts an invalid report")
			}
		})
	}
}

func finding(m map[string]any, list string, i int) map[string]any {
	return m[list].([]any)[i].(map[string]any)
}

func TestJSONGolden(t *testing.T) {
	golden(t, "json/sample.golden", render(t, "json", sampleReport(), Options{ShowSuppressed: true}))
}

func TestJSONContent(t *testing.T) {
	out := render(t, "json", sampleReport(), Options{})
	var got JSONReport
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.SchemaVersion != JSONSchemaVersion || got.Tool.Name != "kube4c" || got.Tool.Version != "1.2.3" {
		t.Errorf("header = %q %+v", got.SchemaVersion, got.Tool)
	}
	wantSummary := JSONSummary{
		Total:      6,
		BySeverity: JSONSeverityCounts{Critical: 3, High: 1, Medium: 1, Info: 1},
		ByLayer:    JSONLayerCounts{Code: 1, Container: 4, Cluster: 1},
		Suppressed: 2, FailOn: "high", Failed: true,
		Files: 5, Documents: 7, Objects: 5, Checks: 6,
		InputErrors: 1, Warnings: 1, Skipped: 1, CheckFailures: 1,
		// Five objects; the expired exception is about none. Container:
		// three criticals (agent, debug, web) = 12 of 20 quarters; cluster:
		// one high = 3; code: one info = 0; overall: 4+4+3+4 = 15 of 20.
		Score: JSONScore{Overall: 25, ByLayer: JSONLayerCounts{Code: 100, Container: 40, Cluster: 85, Cloud: 100}},
	}
	if got.Summary != wantSummary {
		t.Errorf("summary = %+v\nwant %+v", got.Summary, wantSummary)
	}
	if len(got.Findings) != 6 {
		t.Fatalf("%d findings, want 6", len(got.Findings))
	}
	agent, rbac, scan := got.Findings[0], got.Findings[2], got.Findings[5]
	if agent.Object == nil || *agent.Object != (JSONObject{APIVersion: "v1", Kind: "Pod", Namespace: "kube-system", Name: "agent"}) || agent.Location != nil {
		t.Errorf("live-cluster finding: object %+v, location %+v", agent.Object, agent.Location)
	}
	if agent.Title != "Container runs privileged" || agent.Container != "agent" || agent.References == nil || agent.References.MITRE[0] != "T1611" {
		t.Errorf("finding lacks check metadata: %+v", agent)
	}
	if rbac.Object.APIVersion != "rbac.authorization.k8s.io/v1" || rbac.Object.Namespace != "" ||
		*rbac.Location != (JSONLocation{File: "deploy/rbac.yaml", Line: 8, Column: 5}) || rbac.Path != "rules[0].verbs" {
		t.Errorf("rbac finding = %+v", rbac)
	}
	if scan.Object != nil || scan.Location.File != "kube4c.yaml" {
		t.Errorf("scan-wide finding = %+v", scan)
	}
	if !bytes.Contains(out, []byte(`"Rule grants \"*\" verbs on <all> resources & subresources."`)) {
		t.Error("messages are HTML-escaped")
	}
	if bytes.Contains(out, []byte(`"suppressed": [`)) || got.Suppressed != nil {
		t.Error("suppressed findings are listed without ShowSuppressed")
	}
	if len(got.InputErrors) != 1 || got.InputErrors[0].Location.Line != 4 || got.Warnings[0].Object != "Deployment/prod/web" ||
		got.Skipped[0].Message != "document has no apiVersion or kind" {
		t.Errorf("problems: %+v %+v %+v", got.InputErrors, got.Warnings, got.Skipped)
	}
	if len(got.CheckFailures) != 1 || !strings.Contains(got.CheckFailures[0].Error, "panicked: boom") {
		t.Errorf("check failures = %+v", got.CheckFailures)
	}
}

func TestJSONSuppressed(t *testing.T) {
	var got JSONReport
	if err := json.Unmarshal(render(t, "json", sampleReport(), Options{ShowSuppressed: true}), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Suppressed) != 2 {
		t.Fatalf("%d suppressed findings, want 2", len(got.Suppressed))
	}
	want := JSONSuppression{Kind: "config", Reason: "debug pod, deleted after use", Source: "kube4c.yaml:20"}
	if s := got.Suppressed[0].Suppression; s == nil || *s != want {
		t.Errorf("suppression = %+v, want %+v", s, want)
	}
}

func TestJSONEmptyListsAreArrays(t *testing.T) {
	out := string(render(t, "json", emptyReport(), Options{ShowSuppressed: true}))
	for _, key := range []string{"findings", "suppressed", "inputErrors", "warnings", "skipped", "checkFailures"} {
		if !strings.Contains(out, `"`+key+`": []`) {
			t.Errorf("%s is not an empty array:\n%s", key, out)
		}
	}
}

// Large lists are encoded in parallel batches; the output must keep every
// element, in order, one per line.
func TestJSONLargeListKeepsOrder(t *testing.T) {
	r := sampleReport()
	base := r.Findings[0]
	r.Findings = nil
	for i := 0; i < 20000; i++ {
		f := *base
		f.Path = fmt.Sprintf("spec.containers[%d]", i)
		r.Findings = append(r.Findings, &f)
	}
	out := render(t, "json", r, Options{})
	var got struct {
		Findings []struct {
			Path string `json:"path"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != 20000 {
		t.Fatalf("%d findings", len(got.Findings))
	}
	for i, f := range got.Findings {
		if f.Path != fmt.Sprintf("spec.containers[%d]", i) {
			t.Fatalf("finding %d has path %s", i, f.Path)
		}
	}
	if lines := bytes.Count(out, []byte("\n    {\"checkId\"")); lines != 20000+len(r.Failures) {
		t.Errorf("%d finding lines", lines)
	}
}

// verdictReport is the sample report with the outcomes kube4c node adds.
func verdictReport() *Report {
	r := sampleReport()
	pod := r.Findings[1].Object
	r.Verdicts = []check.Verdict{
		{CheckID: privileged.ID, Status: check.StatusFail, Object: pod, Path: "spec", Message: "failed", Location: inventory.Location{File: "deploy/pod.yaml", Line: 3}},
		{CheckID: wildcard.ID, Status: check.StatusPass, Message: "passed"},
		{CheckID: limits.ID, Status: check.StatusNotApplicable, Message: "no such component"},
	}
	return r
}

func TestJSONResults(t *testing.T) {
	var doc JSONReport
	if err := json.Unmarshal(render(t, "json", verdictReport(), Options{}), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range doc.Results {
		got = append(got, r.CheckID+" "+r.Status)
	}
	want := []string{privileged.ID + " fail", wildcard.ID + " pass", limits.ID + " not-applicable"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
	if doc.Results[0].Object == nil || doc.Results[0].Location == nil {
		t.Error("a result about an object lacks the object or its location")
	}
	var plain map[string]any
	if err := json.Unmarshal(render(t, "json", sampleReport(), Options{}), &plain); err != nil {
		t.Fatal(err)
	}
	if _, ok := plain["results"]; ok {
		t.Error("a report without verdicts has results")
	}
}
