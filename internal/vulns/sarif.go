package vulns

import (
	"bufio"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// readSARIF reads the vulnerabilities of a SARIF 2.1.0 report: one image
// per run. The image is the run's imageName property and its digests the
// repoDigests property (as Trivy writes them); the package and versions
// come from the message lines "Package:", "Installed Version:" and
// "Fixed Version:" when a scanner writes them, as Trivy does.
func readSARIF(data []byte) ([]Image, error) {
	rep, err := sarif.FromBytes(data)
	if err != nil {
		return nil, err
	}
	var images []Image
	for _, run := range rep.Runs {
		if run == nil {
			continue
		}
		img := Image{Scanner: "sarif"}
		rules := map[string]*sarif.ReportingDescriptor{}
		if run.Tool != nil && run.Tool.Driver != nil {
			if run.Tool.Driver.Name != nil {
				img.Scanner = strings.ToLower(*run.Tool.Driver.Name)
			}
			for _, r := range run.Tool.Driver.Rules {
				if r != nil && r.ID != nil {
					rules[*r.ID] = r
				}
			}
		}
		if run.Properties != nil {
			img.Ref, _ = run.Properties.Properties["imageName"].(string)
			if digests, ok := run.Properties.Properties["repoDigests"].([]any); ok {
				for _, d := range digests {
					if s, ok := d.(string); ok {
						img.Digests = append(img.Digests, s)
					}
				}
			}
		}
		for _, res := range run.Results {
			if res == nil || res.RuleID == nil {
				continue
			}
			v := Vulnerability{ID: *res.RuleID, Severity: sarifSeverity(res, rules[*res.RuleID])}
			if res.Message != nil && res.Message.Text != nil {
				v.Package, v.Installed, v.Fixed = messageFields(*res.Message.Text)
			}
			if r := rules[*res.RuleID]; r != nil {
				if r.ShortDescription != nil && r.ShortDescription.Text != nil {
					v.Title = *r.ShortDescription.Text
				}
				if r.HelpURI != nil {
					v.URL = *r.HelpURI
				}
			}
			img.Vulnerabilities = append(img.Vulnerabilities, v)
		}
		images = append(images, img)
	}
	return images, nil
}

// sarifSeverity is a result's severity: a severity tag of its rule
// (CRITICAL, HIGH, MEDIUM, LOW, as Trivy and Grype tag them), else the
// result's level.
func sarifSeverity(res *sarif.Result, rule *sarif.ReportingDescriptor) string {
	if rule != nil && rule.Properties != nil {
		for _, tag := range rule.Properties.Tags {
			switch strings.ToUpper(tag) {
			case "CRITICAL", "HIGH", "MEDIUM", "LOW", "NEGLIGIBLE", "UNKNOWN":
				return strings.ToUpper(tag)
			}
		}
	}
	return res.Level
}

// messageFields reads "Package: x", "Installed Version: y" and "Fixed
// Version: z" lines of a result message.
func messageFields(text string) (pkg, installed, fixed string) {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.TrimSpace(key) {
		case "Package":
			pkg = value
		case "Installed Version":
			installed = value
		case "Fixed Version":
			fixed = value
		}
	}
	return pkg, installed, fixed
}
