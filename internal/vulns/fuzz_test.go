package vulns

import (
	"strings"
	"testing"
)

// Scanner reports come from people we do not trust: reading one never
// panics, and a report that does not read gives an error naming it.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{trivyReportJSON, grypeReportJSON, sarifReportJSON,
		`{"runs": [null, {"results": [null, {"ruleId": "x"}]}], "version": "2.1.0"}`,
		`{"matches": [{}], "source": {"type": "image", "target": "dir"}}`,
		`{"SchemaVersion": 2, "ArtifactName": null, "Results": null}`,
		`{"ClusterName": "c", "Resources": [{"Kind": "Pod", "Name": "p", "Metadata": [{"RepoTags": ["a:1"]}], "Results": [{"Vulnerabilities": [{"VulnerabilityID": "CVE-1"}]}]}]}`,
		`{"ClusterName": "c", "Findings": [{"Metadata": {"RepoDigests": ["a@sha256:00"]}, "Results": [{"Vulnerabilities": [{}]}]}]}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, report string) {
		images, err := Read(strings.NewReader(report), "r.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "r.json: ") {
				t.Fatalf("error %q does not name the report", err)
			}
			return
		}
		for _, img := range images {
			if img.Source != "r.json" {
				t.Fatalf("image from %q", img.Source)
			}
		}
	})
}
