package vulns

import (
	"encoding/json"
	"strings"
)

// grypeReport is the part of Grype's JSON report that kube4c reads.
type grypeReport struct {
	Matches []struct {
		Vulnerability struct {
			ID          string
			Severity    string
			Description string
			DataSource  string
			Fix         struct {
				Versions []string
				State    string
			}
		}
		Artifact struct {
			Name    string
			Version string
		}
	}
	Source struct {
		Type   string
		Target json.RawMessage
	}
	Descriptor struct {
		Name string
	}
}

// grypeImage is the source target of an image scan.
type grypeImage struct {
	UserInput   string
	RepoDigests []string
}

func readGrype(data []byte) ([]Image, error) {
	var rep grypeReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, err
	}
	img := Image{Scanner: "grype"}
	if rep.Descriptor.Name != "" {
		img.Scanner = rep.Descriptor.Name
	}
	var target grypeImage
	if rep.Source.Type == "image" && json.Unmarshal(rep.Source.Target, &target) == nil {
		img.Ref, img.Digests = target.UserInput, target.RepoDigests
	} else {
		// A directory or file scan names no image: its target is a string.
		var s string
		_ = json.Unmarshal(rep.Source.Target, &s)
		img.Ref = s
	}
	for _, m := range rep.Matches {
		v := m.Vulnerability
		fixed := ""
		if v.Fix.State == "fixed" {
			fixed = strings.Join(v.Fix.Versions, ", ")
		}
		img.Vulnerabilities = append(img.Vulnerabilities, Vulnerability{ID: v.ID, Package: m.Artifact.Name,
			Installed: m.Artifact.Version, Fixed: fixed, Severity: v.Severity, URL: v.DataSource})
	}
	return []Image{img}, nil
}
