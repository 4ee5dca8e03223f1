package check

import (
	"fmt"
	"strings"
)

// Severity ranks how urgent a finding is. Higher values are more severe.
type Severity int

// Severities, from least to most severe.
const (
	// Unset is the zero value: the check's default severity applies.
	Unset Severity = iota
	Info
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// Severities lists every severity from most to least severe.
func Severities() []Severity { return []Severity{Critical, High, Medium, Low, Info} }

// String returns the lower-case name of the severity.
func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s-1]
}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(n, strings.TrimSpace(name)) {
			return Severity(i + 1), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of critical, high, medium, low, info)", name)
}

// MarshalText writes the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the severity by name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Layer is the 4C layer of cloud-native security that a check belongs to.
type Layer string

// The four layers, innermost first.
const (
	LayerCode      Layer = "code"
	LayerContainer Layer = "container"
	LayerCluster   Layer = "cluster"
	LayerCloud     Layer = "cloud"
)

// Layers lists the four layers, innermost first.
func Layers() []Layer { return []Layer{LayerCode, LayerContainer, LayerCluster, LayerCloud} }

// Valid reports whether l is one of the four layers.
func (l Layer) Valid() bool {
	for _, v := range Layers() {
		if v == l {
			return true
		}
	}
	return false
}
