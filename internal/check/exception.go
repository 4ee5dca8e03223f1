package check

import (
	"time"

	"github.com/kube4c/kube4c/internal/inventory"
)

// IgnoreAnnotation on an object lists check IDs whose findings about the
// object are suppressed; "check-id:container" limits an entry to a container.
const IgnoreAnnotation = "kube4c.io/ignore"

// Exception is one entry of the config file's exceptions list. Every
// non-empty list must match; globs ("*", "?", "[...]") are allowed in
// kinds, namespaces, names and containers.
type Exception struct {
	// Checks lists the check IDs it covers.
	Checks []string
	// Kinds, Namespaces, Names and Containers restrict which findings it covers.
	Kinds, Namespaces, Names, Containers []string
	// Reason is the required justification.
	Reason string
	// Expires is when it stops applying; zero means never.
	Expires time.Time
	// Vulnerabilities, when set, makes it cover those vulnerability IDs
	// (globs) of image-vulnerability's findings rather than whole findings
	// (CoversVulnerability); UntilFixAvailable then keeps it only while
	// no fixed version is known.
	Vulnerabilities   []string
	UntilFixAvailable bool
	// Source is where it is declared (config file and line).
	Source inventory.Location
}

// Expired reports whether e has an expiry date and it is before now.
func (e *Exception) Expired(now time.Time) bool {
	return !e.Expires.IsZero() && e.Expires.Before(now)
}
