package cli

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Scanner reports joined to examples/: by tag for the log shipper, by
// digest for the storefront; the catalogue's tag scanned at another
// digest is not its image; a broken report is an input error that hides
// nothing else.
func TestScanJoinsScannerReportsToWorkloads(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("shipper.json", `{"SchemaVersion": 2, "ArtifactName": "registry.example.com/logging/shipper:3.1.4", "ArtifactType": "container_image",
  "Metadata": {"RepoDigests": ["registry.example.com/logging/shipper@sha256:1111111111111111111111111111111111111111111111111111111111111111"]},
  "Results": [{"Target": "registry.example.com/logging/shipper:3.1.4 (alpine 3.20.3)", "Class": "os-pkgs", "Type": "alpine",
    "Vulnerabilities": [
      {"VulnerabilityID": "CVE-2024-5535", "PkgName": "libssl3", "InstalledVersion": "3.3.1-r0", "FixedVersion": "3.3.1-r1", "Severity": "CRITICAL"},
      {"VulnerabilityID": "CVE-2024-45490", "PkgName": "libexpat", "InstalledVersion": "2.6.2-r0", "Severity": "HIGH"}]}]}`)
	write("storefront.json", `{"matches": [
    {"vulnerability": {"id": "GHSA-9wv6-86v2-598j", "severity": "High", "fix": {"versions": ["0.1.10"], "state": "fixed"}},
     "artifact": {"name": "path-to-regexp", "version": "0.1.7"}}],
  "source": {"type": "image", "target": {"userInput": "registry.example.com/shop/storefront:1.8.2",
    "repoDigests": ["registry.example.com/shop/storefront@sha256:3b1c5d4a8f0e6b2f9a7c1d0e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6"]}},
  "descriptor": {"name": "grype"}}`)
	write("catalogue.json", `{"SchemaVersion": 2, "ArtifactName": "registry.example.com/shop/catalogue:2.4.0", "ArtifactType": "container_image",
  "Metadata": {"RepoDigests": ["registry.example.com/shop/catalogue@sha256:0000000000000000000000000000000000000000000000000000000000000000"]},
  "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": "CVE-2023-0001", "PkgName": "zlib", "InstalledVersion": "1", "Severity": "CRITICAL"}]}]}`)
	write("broken.json", `{"SchemaVersion": 2, "ArtifactName": "registry.example.com/ci/runner:16.3", "Results": [`)

	code, out, errOut := run(t, "", "scan", "-o", "json", "--checks", "image-vulnerability", "--vulns", dir, examples)
	if code != ExitError {
		t.Fatalf("exit code %d, want 2 for the broken report; stderr: %s", code, errOut)
	}
	var rep struct {
		Findings []struct {
			CheckID  string `json:"checkId"`
			Severity string `json:"severity"`
			Object   struct{ Name string }
			Path     string `json:"path"`
			Message  string `json:"message"`
		} `json:"findings"`
		InputErrors []struct {
			Location struct{ File string } `json:"location"`
			Message  string                `json:"message"`
		} `json:"inputErrors"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.InputErrors) != 1 || filepath.Base(rep.InputErrors[0].Location.File) != "broken.json" {
		t.Errorf("input errors %+v, want the broken report's", rep.InputErrors)
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		got[f.Object.Name] = f.Severity + " " + f.Path + " " + f.Message
	}
	for name, want := range map[string][]string{
		"log-agent":  {"critical spec.template.spec.containers[0].image", "2 known vulnerabilities (1 critical, 1 high; 1 with no fix yet)", `"CVE-2024-5535" (critical, "libssl3" "3.3.1-r0", fixed in "3.3.1-r1")`, "trivy (shipper.json)", "matched by tag"},
		"storefront": {"high ", `"GHSA-9wv6-86v2-598j"`, "grype (storefront.json)"},
	} {
		for _, w := range want {
			if !strings.Contains(got[name], w) {
				t.Errorf("%s: finding %q lacks %q", name, got[name], w)
			}
		}
	}
	if strings.Contains(got["storefront"], "matched by tag") {
		t.Errorf("the storefront pins its digest, which the report lists: %s", got["storefront"])
	}
	if msg, ok := got["catalogue"]; ok {
		t.Errorf("the catalogue runs another digest than the one scanned, yet: %s", msg)
	}
	if len(rep.Findings) != 2 {
		t.Errorf("%d findings, want 2: %+v", len(rep.Findings), rep.Findings)
	}
}

// A vulnerability with no fix yet counts one severity lower, unless the
// settings say otherwise.
func TestVulnerabilityWithoutFixRanksLower(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "runner.json")
	if err := os.WriteFile(report, []byte(`{"SchemaVersion": 2, "ArtifactName": "registry.example.com/ci/runner:16.3", "ArtifactType": "container_image",
  "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": "CVE-2025-0001", "PkgName": "git", "InstalledVersion": "2.39", "Severity": "CRITICAL"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "kube4c.yaml")
	if err := os.WriteFile(config, []byte("settings:\n  image-vulnerability:\n    noFixOneLower: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	severity := func(args ...string) string {
		code, out, errOut := run(t, "", append([]string{"scan", "-o", "json", "--checks", "image-vulnerability", "--vulns", report}, append(args, examples)...)...)
		if code == ExitError {
			t.Fatalf("exit 2: %s", errOut)
		}
		var rep struct {
			Findings []struct{ Severity string } `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Findings) != 1 {
			t.Fatalf("findings %+v (%v), want one", rep.Findings, err)
		}
		return rep.Findings[0].Severity
	}
	if got := severity(); got != "high" {
		t.Errorf("a critical vulnerability with no fix: severity %s, want high", got)
	}
	if got := severity("--config", config); got != "critical" {
		t.Errorf("with noFixOneLower: false: severity %s, want critical", got)
	}
}

// An exception that waits for a fix suppresses the vulnerability while
// the report has none; a later report with a fixed version ends it, and
// exception-fix-available names the version.
func TestExceptionUntilFixAvailable(t *testing.T) {
	dir := t.TempDir()
	report := func(fixed string) string {
		path := filepath.Join(dir, "runner-"+cmp.Or(fixed, "nofix")+".json")
		fix := ""
		if fixed != "" {
			fix = `, "FixedVersion": "` + fixed + `"`
		}
		if err := os.WriteFile(path, []byte(`{"SchemaVersion": 2, "ArtifactName": "registry.example.com/ci/runner:16.3", "ArtifactType": "container_image",
  "Results": [{"Target": "x", "Vulnerabilities": [
    {"VulnerabilityID": "CVE-2025-0001", "PkgName": "git", "InstalledVersion": "2.39", "Severity": "CRITICAL"`+fix+`},
    {"VulnerabilityID": "CVE-2025-0002", "PkgName": "curl", "InstalledVersion": "8.5", "FixedVersion": "8.6", "Severity": "MEDIUM"}]}]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	config := filepath.Join(dir, "kube4c.yaml")
	if err := os.WriteFile(config, []byte(`exceptions:
  - checks: [image-vulnerability]
    names: [build-runner]
    vulnerabilities: [CVE-2025-0001]
    until: fix-available
    reason: no fixed git yet
`), 0o644); err != nil {
		t.Fatal(err)
	}
	scan := func(report string) map[string]string {
		code, out, errOut := run(t, "", "scan", "-o", "json", "--checks", "image-vulnerability,exception-fix-available",
			"--config", config, "--vulns", report, examples)
		if code == ExitError {
			t.Fatalf("exit 2: %s", errOut)
		}
		var rep struct {
			Findings []struct {
				CheckID, Severity, Message string
				Location                   struct{ File string }
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range rep.Findings {
			got[f.CheckID] = f.Severity + " " + filepath.Base(f.Location.File) + " " + f.Message
		}
		return got
	}
	before := scan(report(""))
	if f := before["image-vulnerability"]; !strings.HasPrefix(f, "medium ") || strings.Contains(f, "CVE-2025-0001") ||
		!strings.Contains(f, "1 more suppressed by exceptions") {
		t.Errorf("without a fix, the excepted vulnerability counts: %q", f)
	}
	if f, ok := before["exception-fix-available"]; ok {
		t.Errorf("no fix is out, yet: %s", f)
	}
	after := scan(report("2.39.5"))
	if f := after["image-vulnerability"]; !strings.HasPrefix(f, "critical ") || !strings.Contains(f, `"CVE-2025-0001"`) {
		t.Errorf("with a fix out, the vulnerability is reported again: %q", f)
	}
	if f := after["exception-fix-available"]; !strings.Contains(f, "kube4c.yaml") || !strings.Contains(f, `fixed in "2.39.5"`) {
		t.Errorf("exception-fix-available: %q", f)
	}
}

// --vulns-detail: each vulnerability of a container is a finding of its
// own, ranked on its own (no fix yet: one lower); without it, one.
func TestScanVulnsDetail(t *testing.T) {
	report := filepath.Join(t.TempDir(), "shipper.json")
	if err := os.WriteFile(report, []byte(`{"SchemaVersion": 2, "ArtifactName": "registry.example.com/logging/shipper:3.1.4",
  "Results": [{"Target": "t", "Vulnerabilities": [
      {"VulnerabilityID": "CVE-2024-5535", "PkgName": "libssl3", "InstalledVersion": "3.3.1-r0", "FixedVersion": "3.3.1-r1", "Severity": "CRITICAL"},
      {"VulnerabilityID": "CVE-2024-45490", "PkgName": "libexpat", "InstalledVersion": "2.6.2-r0", "Severity": "HIGH"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// JSON: each finding names its list of advisories; the report holds
	// each list once, in full.
	_, out, _ := run(t, "", "scan", "-o", "json", "--checks", "image-vulnerability", "--vulns", report, examples)
	var doc struct {
		Findings   []struct{ Advisories string } `json:"findings"`
		Advisories map[string][]struct {
			ID, Severity, Package, Installed, Fixed string
		} `json:"advisories"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 1 || len(doc.Advisories[doc.Findings[0].Advisories]) != 2 ||
		doc.Advisories[doc.Findings[0].Advisories][0].Fixed != "3.3.1-r1" {
		t.Errorf("json: findings %+v, advisories %+v", doc.Findings, doc.Advisories)
	}
	// SARIF with --vulns-detail: each CVE is a rule of its own, with its
	// page; grouped results name the check and the IDs.
	for _, detail := range []bool{false, true} {
		args := []string{"scan", "-o", "sarif", "--checks", "image-vulnerability", "--vulns", report, examples}
		if detail {
			args = append(args, "--vulns-detail")
		}
		_, out, _ := run(t, "", args...)
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct {
						Rules []struct {
							ID      string `json:"id"`
							HelpURI string `json:"helpUri"`
						} `json:"rules"`
					} `json:"driver"`
				} `json:"tool"`
				Results []struct {
					RuleID     string         `json:"ruleId"`
					Properties map[string]any `json:"properties"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatal(err)
		}
		rules := map[string]string{}
		for _, r := range log.Runs[0].Tool.Driver.Rules {
			rules[r.ID] = r.HelpURI
		}
		var results []string
		for _, r := range log.Runs[0].Results {
			results = append(results, fmt.Sprint(r.RuleID, " ", r.Properties["vulnerabilities"]))
		}
		want := []string{"image-vulnerability [CVE-2024-5535 CVE-2024-45490]"}
		if detail {
			want = []string{"CVE-2024-5535 <nil>", "CVE-2024-45490 <nil>"}
			if rules["CVE-2024-5535"] != "https://nvd.nist.gov/vuln/detail/CVE-2024-5535" {
				t.Errorf("sarif rules %v: want CVE-2024-5535 with its NVD page", rules)
			}
		}
		if !slices.Equal(results, want) {
			t.Errorf("sarif (detail %v) results %q, want %q", detail, results, want)
		}
	}

	findings := func(args ...string) []string {
		t.Helper()
		_, out, errOut := run(t, "", append([]string{"scan", "-o", "json", "--checks", "image-vulnerability", "--vulns", report, examples}, args...)...)
		var rep struct {
			Findings []struct {
				Severity string `json:"severity"`
				Path     string `json:"path"`
				Message  string `json:"message"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v: %s", err, errOut)
		}
		var got []string
		for _, f := range rep.Findings {
			got = append(got, f.Severity+" "+f.Path+" "+f.Message)
		}
		return got
	}
	if got := findings(); len(got) != 1 || !strings.Contains(got[0], "2 known vulnerabilities") {
		t.Errorf("grouped: %q, want one finding with both", got)
	}
	got := findings("--vulns-detail")
	want := []string{
		`critical spec.template.spec.containers[0].image image "registry.example.com/logging/shipper:3.1.4" of container "shipper" has "CVE-2024-5535" (critical, "libssl3" "3.3.1-r0", fixed in "3.3.1-r1") reported by trivy (shipper.json); matched by tag`,
		`medium spec.template.spec.containers[0].image image "registry.example.com/logging/shipper:3.1.4" of container "shipper" has "CVE-2024-45490" (high, "libexpat" "2.6.2-r0", no fix yet)`,
	}
	if len(got) != len(want) {
		t.Fatalf("detail: %q, want %d findings", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("finding %d:\n%s\nwant prefix\n%s", i, got[i], want[i])
		}
	}
}
