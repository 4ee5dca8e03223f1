// Package checks holds the built-in checks, one file per topic. Each file
// registers its checks with check.Register in init; importing the package
// (for its side effects) makes them available.
package checks
