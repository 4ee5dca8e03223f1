package vulns

import (
	"encoding/json"
	"errors"
)

// trivyReport is the part of Trivy's JSON report (schema version 2) that
// kube4c reads.
type trivyReport struct {
	SchemaVersion int
	ArtifactName  string
	ArtifactType  string
	Metadata      struct {
		RepoTags    []string
		RepoDigests []string
	}
	Results []struct {
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
}

func readTrivy(data []byte) ([]Image, error) {
	var rep trivyReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, err
	}
	if rep.ArtifactType != "" && rep.ArtifactType != "container_image" {
		return nil, errors.New("a Trivy report of a " + rep.ArtifactType + ", not of a container image")
	}
	img := Image{Ref: rep.ArtifactName, Digests: rep.Metadata.RepoDigests, Scanner: "trivy"}
	for _, res := range rep.Results {
		for _, v := range res.Vulnerabilities {
			img.Vulnerabilities = append(img.Vulnerabilities, Vulnerability{ID: v.VulnerabilityID, Package: v.PkgName,
				Installed: v.InstalledVersion, Fixed: v.FixedVersion, Severity: v.Severity, Title: v.Title, URL: v.PrimaryURL})
		}
	}
	return []Image{img}, nil
}
