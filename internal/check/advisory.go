package check

import "strings"

// Advisory is one published vulnerability of a package, as an image
// scanner reports it.
type Advisory struct {
	// ID is the CVE, GHSA or distribution advisory ID.
	ID string `json:"id"`
	// Severity is the scanner's own severity, as written.
	Severity string `json:"severity"`
	// Package, Installed and Fixed name the package, its version in the
	// image and the version that fixes it ("" when no fix is known).
	Package   string `json:"package,omitempty"`
	Installed string `json:"installed,omitempty"`
	Fixed     string `json:"fixed,omitempty"`
	// Title and URL describe it.
	Title string `json:"title,omitempty"`
	URL   string `json:"url,omitempty"`
}

// HasFix reports whether a fixed version is known.
func (a Advisory) HasFix() bool { return strings.TrimSpace(a.Fixed) != "" }

// HelpURL is where to read about the advisory: its URL, else the public
// database of its kind of ID (NVD for CVE, GitHub for GHSA); "" when
// neither is known.
func (a Advisory) HelpURL() string {
	switch {
	case a.URL != "":
		return a.URL
	case strings.HasPrefix(a.ID, "CVE-"):
		return "https://nvd.nist.gov/vuln/detail/" + a.ID
	case strings.HasPrefix(a.ID, "GHSA-"):
		return "https://github.com/advisories/" + a.ID
	}
	return ""
}

// Advisories are the advisories a finding stands for. The findings about
// one image share one value: read-only.
type Advisories struct {
	// Key names the list within a report (the image, and more when the
	// image has several lists), so that a report writes each list once.
	Key string
	// List holds the advisories, worst first.
	List []Advisory
}
