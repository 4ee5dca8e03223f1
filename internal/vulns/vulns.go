// Package vulns reads the reports of image vulnerability scanners (Trivy,
// Grype, and any scanner that writes SARIF) into one shape, so that their
// results can be joined to the workloads that run the images. kube4c does
// not scan images itself.
package vulns

import (
	"github.com/kube4c/kube4c/internal/check"
)

// Image is what one report says about one image.
type Image struct {
	// Ref is the image as the scanner was given it (nginx:1.27).
	Ref string
	// Digests are its repository digests (docker.io/library/nginx@sha256:...).
	Digests []string
	// Scanner names the tool that wrote the report (trivy, grype, or a
	// SARIF run's driver).
	Scanner string
	// Source is the report file.
	Source string
	// Vulnerabilities are the image's vulnerabilities, in report order.
	Vulnerabilities []Vulnerability
}

// Vulnerability is one vulnerability of one package of an image.
type Vulnerability = check.Advisory
