package vulns

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A Trivy report (trivy image -f json, schema version 2) of an image with
// an OS package fixed upstream and a language package with no fix yet.
const trivyReportJSON = `{
  "SchemaVersion": 2,
  "CreatedAt": "2026-11-30T10:00:00Z",
  "ArtifactName": "registry.example.com/shop/web:2.4.1",
  "ArtifactType": "container_image",
  "Metadata": {
    "OS": {"Family": "debian", "Name": "12.8"},
    "ImageID": "sha256:5b0c41b1e6e4c6e2d5c7b0a7d1b4d66f0f4d2c6ad1b5e5a1c2d3e4f5a6b7c8d9",
    "RepoTags": ["registry.example.com/shop/web:2.4.1"],
    "RepoDigests": ["registry.example.com/shop/web@sha256:8f2e9a1c4b7d0e3f6a9c2b5e8d1f4a7c0b3e6d9f2a5c8b1e4d7a0c3f6b9e2d5a"]
  },
  "Results": [
    {
      "Target": "registry.example.com/shop/web:2.4.1 (debian 12.8)",
      "Class": "os-pkgs",
      "Type": "debian",
      "Vulnerabilities": [
        {
          "VulnerabilityID": "CVE-2024-5535",
          "PkgName": "libssl3",
          "InstalledVersion": "3.0.13-1~deb12u1",
          "FixedVersion": "3.0.14-1~deb12u1",
          "Status": "fixed",
          "Severity": "CRITICAL",
          "Title": "openssl: SSL_select_next_proto buffer overread",
          "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-5535"
        }
      ]
    },
    {
      "Target": "app/node_modules/package-lock.json",
      "Class": "lang-pkgs",
      "Type": "npm",
      "Vulnerabilities": [
        {
          "VulnerabilityID": "GHSA-9wv6-86v2-598j",
          "PkgName": "path-to-regexp",
          "InstalledVersion": "0.1.7",
          "Status": "affected",
          "Severity": "HIGH",
          "Title": "path-to-regexp outputs backtracking regular expressions"
        }
      ]
    }
  ]
}`

// A Grype report (grype -o json) of the same image.
const grypeReportJSON = `{
  "matches": [
    {
      "vulnerability": {
        "id": "CVE-2024-5535",
        "dataSource": "https://security-tracker.debian.org/tracker/CVE-2024-5535",
        "namespace": "debian:distro:debian:12",
        "severity": "Critical",
        "fix": {"versions": ["3.0.14-1~deb12u1"], "state": "fixed"}
      },
      "artifact": {"name": "libssl3", "version": "3.0.13-1~deb12u1", "type": "deb"}
    },
    {
      "vulnerability": {
        "id": "GHSA-9wv6-86v2-598j",
        "dataSource": "https://github.com/advisories/GHSA-9wv6-86v2-598j",
        "severity": "High",
        "fix": {"versions": [], "state": "not-fixed"}
      },
      "artifact": {"name": "path-to-regexp", "version": "0.1.7", "type": "npm"}
    }
  ],
  "source": {
    "type": "image",
    "target": {
      "userInput": "registry.example.com/shop/web:2.4.1",
      "imageID": "sha256:5b0c41b1e6e4c6e2d5c7b0a7d1b4d66f0f4d2c6ad1b5e5a1c2d3e4f5a6b7c8d9",
      "repoDigests": ["registry.example.com/shop/web@sha256:8f2e9a1c4b7d0e3f6a9c2b5e8d1f4a7c0b3e6d9f2a5c8b1e4d7a0c3f6b9e2d5a"],
      "tags": ["registry.example.com/shop/web:2.4.1"]
    }
  },
  "descriptor": {"name": "grype", "version": "0.86.1"}
}`

// A SARIF report as trivy image -f sarif writes it.
const sarifReportJSON = `{
  "version": "2.1.0",
  "$schema": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "Trivy",
          "fullName": "Trivy Vulnerability Scanner",
          "rules": [
            {
              "id": "CVE-2024-5535",
              "name": "OsPackageVulnerability",
              "shortDescription": {"text": "openssl: SSL_select_next_proto buffer overread"},
              "helpUri": "https://avd.aquasec.com/nvd/cve-2024-5535",
              "properties": {"precision": "very-high", "security-severity": "9.1", "tags": ["vulnerability", "security", "CRITICAL"]}
            }
          ]
        }
      },
      "results": [
        {
          "ruleId": "CVE-2024-5535",
          "ruleIndex": 0,
          "level": "error",
          "message": {"text": "Package: libssl3\nInstalled Version: 3.0.13-1~deb12u1\nVulnerability CVE-2024-5535\nSeverity: CRITICAL\nFixed Version: 3.0.14-1~deb12u1\nLink: [CVE-2024-5535](https://avd.aquasec.com/nvd/cve-2024-5535)"},
          "locations": [{"physicalLocation": {"artifactLocation": {"uri": "registry.example.com/shop/web", "uriBaseId": "ROOTPATH"}}}]
        }
      ],
      "columnKind": "utf16CodeUnits",
      "originalUriBaseIds": {"ROOTPATH": {"uri": "file:///"}},
      "properties": {
        "imageName": "registry.example.com/shop/web:2.4.1",
        "repoDigests": ["registry.example.com/shop/web@sha256:8f2e9a1c4b7d0e3f6a9c2b5e8d1f4a7c0b3e6d9f2a5c8b1e4d7a0c3f6b9e2d5a"],
        "repoTags": ["registry.example.com/shop/web:2.4.1"]
      }
    }
  ]
}`

const webDigest = "registry.example.com/shop/web@sha256:8f2e9a1c4b7d0e3f6a9c2b5e8d1f4a7c0b3e6d9f2a5c8b1e4d7a0c3f6b9e2d5a"

func TestReadEachFormat(t *testing.T) {
	critical := Vulnerability{ID: "CVE-2024-5535", Package: "libssl3", Installed: "3.0.13-1~deb12u1", Fixed: "3.0.14-1~deb12u1"}
	for _, tt := range []struct {
		name, report, scanner string
		want                  []Vulnerability
		severities            []string
	}{
		{"trivy.json", trivyReportJSON, "trivy",
			[]Vulnerability{critical, {ID: "GHSA-9wv6-86v2-598j", Package: "path-to-regexp", Installed: "0.1.7"}}, []string{"CRITICAL", "HIGH"}},
		{"grype.json", grypeReportJSON, "grype",
			[]Vulnerability{critical, {ID: "GHSA-9wv6-86v2-598j", Package: "path-to-regexp", Installed: "0.1.7"}}, []string{"Critical", "High"}},
		{"trivy.sarif", sarifReportJSON, "trivy", []Vulnerability{critical}, []string{"CRITICAL"}},
	} {
		images, err := Read(strings.NewReader(tt.report), tt.name)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(images) != 1 {
			t.Fatalf("%s: %d images, want 1", tt.name, len(images))
		}
		img := images[0]
		if img.Ref != "registry.example.com/shop/web:2.4.1" || len(img.Digests) != 1 || img.Digests[0] != webDigest ||
			img.Scanner != tt.scanner || img.Source != tt.name {
			t.Errorf("%s: image %q %v by %q from %q", tt.name, img.Ref, img.Digests, img.Scanner, img.Source)
		}
		if len(img.Vulnerabilities) != len(tt.want) {
			t.Fatalf("%s: %d vulnerabilities, want %d", tt.name, len(img.Vulnerabilities), len(tt.want))
		}
		for i, want := range tt.want {
			got := img.Vulnerabilities[i]
			if got.ID != want.ID || got.Package != want.Package || got.Installed != want.Installed || got.Fixed != want.Fixed ||
				got.Severity != tt.severities[i] || got.HasFix() != (want.Fixed != "") {
				t.Errorf("%s: vulnerability %d is %+v, want %+v with severity %s", tt.name, i, got, want, tt.severities[i])
			}
		}
	}
}

func TestReadRefusesWhatItCannotRead(t *testing.T) {
	for name, report := range map[string]string{
		"truncated.json": trivyReportJSON[:len(trivyReportJSON)/2],
		"wrong.json":     `{"apiVersion": "v1", "kind": "Pod"}`,
		"k8s.json": `{"ClusterName": "prod", "Findings": [{"Namespace": "shop", "Kind": "Deployment", "Name": "web",
			"Metadata": [{"RepoTags": ["a:1"]}, {"RepoTags": ["b:1"]}], "Results": [{"Target": "a:1 (alpine 3.20)", "Vulnerabilities": [{"VulnerabilityID": "CVE-1"}]}]}]}`,
		"fs.json":    `{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": []}`,
		"types.json": `{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Vulnerabilities": [{"VulnerabilityID": 7}]}]}`,
		"yaml.yaml":  "kind: Pod\n",
	} {
		_, err := Read(strings.NewReader(report), name)
		if err == nil || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: error %v, want one that names the file", name, err)
		}
	}
	if _, err := Read(strings.NewReader(trivyReportJSON[:300]), "cut.json"); err == nil || !strings.Contains(err.Error(), "cut.json: ") {
		t.Errorf("a truncated report: %v", err)
	}
	// A report over the bound is refused without reading it all.
	huge := io.MultiReader(strings.NewReader(`{"SchemaVersion": 2, "ArtifactName": "`), endless{})
	if _, err := Read(huge, "huge.json"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("an endless report: %v", err)
	}
}

// endless is a reader that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// A 500 MB report is refused by its size, before kube4c reads it.
func TestHugeReportRefusedBySize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(500 << 20); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": larger than 128 MiB") {
		t.Errorf("error %v, want the file refused by its size", err)
	}
}

// A trivy k8s report (--report all): one resource per workload and image,
// the image's metadata a list (Trivy 0.50 on) or an object (before); an
// image that several workloads run is read once.
func TestReadTrivyK8s(t *testing.T) {
	report := `{
  "ClusterName": "prod",
  "Resources": [
    {"Namespace": "logging", "Kind": "DaemonSet", "Name": "log-agent",
     "Metadata": [{"OS": {"Family": "alpine", "Name": "3.20.3"}, "ImageID": "sha256:9f3a",
       "RepoTags": ["registry.example.com/logging/shipper:3.1.4"],
       "RepoDigests": ["registry.example.com/logging/shipper@sha256:1111111111111111111111111111111111111111111111111111111111111111"]}],
     "Results": [{"Target": "registry.example.com/logging/shipper:3.1.4 (alpine 3.20.3)", "Class": "os-pkgs", "Type": "alpine",
       "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-5535", "PkgName": "libssl3", "InstalledVersion": "3.3.1-r0",
         "FixedVersion": "3.3.1-r1", "Severity": "CRITICAL", "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-5535"}]}]},
    {"Namespace": "logging", "Kind": "Pod", "Name": "log-agent-x7k2p",
     "Metadata": [{"RepoTags": ["registry.example.com/logging/shipper:3.1.4"],
       "RepoDigests": ["registry.example.com/logging/shipper@sha256:1111111111111111111111111111111111111111111111111111111111111111"]}],
     "Results": [{"Target": "registry.example.com/logging/shipper:3.1.4 (alpine 3.20.3)",
       "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-5535", "Severity": "CRITICAL"}]}]},
    {"Namespace": "shop", "Kind": "Deployment", "Name": "storefront",
     "Metadata": {"RepoTags": ["registry.example.com/shop/storefront:1.8.2"], "RepoDigests": []},
     "Results": [{"Target": "app/package-lock.json", "Class": "lang-pkgs", "Type": "npm",
       "Vulnerabilities": [{"VulnerabilityID": "GHSA-9wv6-86v2-598j", "PkgName": "path-to-regexp", "InstalledVersion": "0.1.7", "Severity": "HIGH"}]}]},
    {"Namespace": "shop", "Kind": "Deployment", "Name": "catalogue", "Metadata": [{"RepoTags": ["registry.example.com/shop/catalogue:2.4.0"]}],
     "Results": [{"Target": "Deployment/catalogue", "Class": "config", "Misconfigurations": [{"ID": "KSV001"}]}]}
  ]
}`
	images, err := Read(strings.NewReader(report), "k8s.json")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, img := range images {
		var ids []string
		for _, v := range img.Vulnerabilities {
			ids = append(ids, v.ID+" "+v.Severity+" "+v.Fixed)
		}
		got = append(got, img.Scanner+" "+img.Ref+" "+strings.Join(img.Digests, ",")+" "+strings.Join(ids, ";"))
	}
	want := []string{
		"trivy k8s registry.example.com/logging/shipper:3.1.4 registry.example.com/logging/shipper@sha256:1111111111111111111111111111111111111111111111111111111111111111 CVE-2024-5535 CRITICAL 3.3.1-r1",
		"trivy k8s registry.example.com/shop/storefront:1.8.2  GHSA-9wv6-86v2-598j HIGH ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
