package vulns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// trivyReport is the part of Trivy's JSON report (schema version 2) that
// kube4c reads.
type trivyReport struct {
	SchemaVersion int
	ArtifactName  string
	ArtifactType  string
	Metadata      trivyMetadata
	Results       []trivyResult
}

// trivyMetadata is what a Trivy report says of the image it scanned.
type trivyMetadata struct {
	RepoTags    []string
	RepoDigests []string
	// Reference is the image as given to Trivy (newer versions).
	Reference string
}

// trivyResult is one target of a report: an OS or a language's packages.
type trivyResult struct {
	Target          string
	Vulnerabilities []struct {
		VulnerabilityID  string
		PkgName          string
		InstalledVersion string
		FixedVersion     string
		Severity         string
		Title            string
		PrimaryURL       string
	}
}

// vulnerabilities returns the vulnerabilities of results.
func vulnerabilities(results []trivyResult) []Vulnerability {
	var out []Vulnerability
	for _, res := range results {
		for _, v := range res.Vulnerabilities {
			out = append(out, Vulnerability{ID: v.VulnerabilityID, Package: v.PkgName,
				Installed: v.InstalledVersion, Fixed: v.FixedVersion, Severity: v.Severity, Title: v.Title, URL: v.PrimaryURL})
		}
	}
	return out
}

func readTrivy(data []byte) ([]Image, error) {
	var rep trivyReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, err
	}
	if rep.ArtifactType != "" && rep.ArtifactType != "container_image" {
		return nil, errors.New("a Trivy report of a " + rep.ArtifactType + ", not of a container image")
	}
	img := Image{Ref: rep.ArtifactName, Digests: rep.Metadata.RepoDigests, Scanner: "trivy", Vulnerabilities: vulnerabilities(rep.Results)}
	return []Image{img}, nil
}

// trivyK8sReport is the part of a `trivy k8s -f json` report that kube4c
// reads: with --report all, one resource per workload and image it runs
// (Resources); with --report summary, one per workload, its images
// together (Findings).
type trivyK8sReport struct {
	ClusterName string
	Resources   []trivyK8sResource
	Findings    []trivyK8sResource
}

// trivyK8sResource is a workload's, or one of its images', results.
type trivyK8sResource struct {
	Namespace, Kind, Name string
	// Metadata is a list (Trivy 0.50 and later) or one object (before).
	Metadata json.RawMessage
	Results  []trivyResult
}

// readTrivyK8s reads the images of a trivy k8s report, each once however
// many workloads run it. A workload whose results mix several images
// (a summary report) is an error: nothing says which image has which.
func readTrivyK8s(data []byte) ([]Image, error) {
	var rep trivyK8sReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, err
	}
	var out []Image
	seen := map[string]bool{}
	for _, r := range append(rep.Resources, rep.Findings...) {
		vulns := vulnerabilities(r.Results)
		if len(vulns) == 0 {
			continue
		}
		metas, err := k8sMetadata(r.Metadata)
		if err != nil {
			return nil, fmt.Errorf("%s/%s/%s: Metadata: %w", r.Namespace, r.Kind, r.Name, err)
		}
		if len(metas) != 1 {
			return nil, fmt.Errorf("%s/%s/%s: results of %d images together, which kube4c cannot tell apart; write the report with trivy k8s --report all",
				r.Namespace, r.Kind, r.Name, len(metas))
		}
		m := metas[0]
		ref := m.Reference
		if ref == "" && len(m.RepoTags) > 0 {
			ref = m.RepoTags[0]
		}
		if ref == "" && len(m.RepoDigests) == 0 {
			return nil, fmt.Errorf("%s/%s/%s: no image reference or digest in its Metadata", r.Namespace, r.Kind, r.Name)
		}
		key := ref + "\x00" + strings.Join(m.RepoDigests, "\x00")
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Image{Ref: ref, Digests: m.RepoDigests, Scanner: "trivy k8s", Vulnerabilities: vulns})
	}
	return out, nil
}

// k8sMetadata reads a resource's Metadata, a list or one object.
func k8sMetadata(raw json.RawMessage) ([]trivyMetadata, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] == '[' {
		var list []trivyMetadata
		err := json.Unmarshal(raw, &list)
		return list, err
	}
	var one trivyMetadata
	err := json.Unmarshal(raw, &one)
	return []trivyMetadata{one}, err
}
