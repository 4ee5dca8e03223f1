package config

import (
	"fmt"
	"path"
	"time"

	"go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/check"
)

// Admission is the `admission:` section: how kube4c admission serve turns
// findings into decisions. A nil *Config gives DefaultAdmission.
type Admission struct {
	// Deny is the severity at or above which a finding refuses the
	// request; zero (written "none") never refuses.
	Deny check.Severity
	// Warn is the severity at or above which a finding that does not
	// refuse comes back as a warning; zero never warns.
	Warn check.Severity
	// DryRun only warns and records: nothing is refused.
	DryRun bool
	// FailOpen allows, with a warning, a request whose review failed or
	// did not finish within Timeout; without it such a request is refused.
	FailOpen bool
	// Timeout is the deadline of one review.
	Timeout time.Duration
	// Checks overrides the decision of single checks.
	Checks map[string]Decision
	// Exempt are the requests kube4c admits without looking.
	Exempt Exemptions
}

// Decision is what a finding of a check does to an admission request.
type Decision string

// The decisions a check can be given.
const (
	// DecideBySeverity is the default: the deny and warn thresholds decide.
	DecideBySeverity Decision = ""
	Deny             Decision = "deny"
	Warn             Decision = "warn"
	Off              Decision = "off"
)

// Exemptions say which requests are admitted without review.
type Exemptions struct {
	// Namespaces are names or globs (path.Match) of namespaces.
	Namespaces []string
	// NamespaceSelector, when set, exempts the namespaces whose labels it
	// matches; it needs the namespaces' labels (the informer cache).
	NamespaceSelector labels.Selector
	// Users are names or globs of the requesting users.
	Users []string
	// Groups are names or globs of the requesting users' groups.
	Groups []string
}

// DefaultExemptNamespaces are exempt unless the config lists its own:
// the control plane's namespace and kube4c's.
var DefaultExemptNamespaces = []string{"kube-system", "kube4c-system"}

// DefaultAdmission is the admission policy of a config without the section.
func DefaultAdmission() Admission {
	return Admission{
		Deny:    check.High,
		Warn:    check.Low,
		Timeout: 2 * time.Second,
		Checks:  map[string]Decision{},
		Exempt:  Exemptions{Namespaces: DefaultExemptNamespaces},
	}
}

// AdmissionPolicy returns the config's admission section with defaults.
func (c *Config) AdmissionPolicy() Admission {
	if c == nil || c.admission == nil {
		return DefaultAdmission()
	}
	return *c.admission
}

var (
	admissionKeys = []string{"deny", "warn", "dryRun", "failOpen", "timeout", "checks", "exempt"}
	exemptKeys    = []string{"namespaces", "namespaceSelector", "users", "groups"}
)

// admission reads the admission section.
func (p *parser) admission(n *yaml.Node) {
	a := DefaultAdmission()
	p.mapping(n, "admission", admissionKeys, func(k, v *yaml.Node) {
		field := "admission." + k.Value
		switch k.Value {
		case "deny":
			a.Deny = p.threshold(v, field)
		case "warn":
			a.Warn = p.threshold(v, field)
		case "dryRun":
			a.DryRun = p.flag(v, field)
		case "failOpen":
			a.FailOpen = p.flag(v, field)
		case "timeout":
			a.Timeout = p.timeout(v, field)
		case "checks":
			p.mapping(v, field, nil, func(k, v *yaml.Node) {
				p.ref(k.Value, field, k)
				switch d := Decision(p.str(v, field+"."+k.Value)); d {
				case Deny, Warn, Off:
					a.Checks[k.Value] = d
				default:
					p.errorf(v, "%s.%s: want deny, warn or off, got %q", field, k.Value, d)
				}
			})
		case "exempt":
			a.Exempt = p.exemptions(v, field)
		}
	})
	if a.Deny != 0 && a.Warn > a.Deny {
		p.errorf(n, "admission: warn (%s) is above deny (%s); warnings are for findings below deny", a.Warn, a.Deny)
	}
	p.cfg.admission = &a
}

// threshold reads a severity, or "none" (zero: never).
func (p *parser) threshold(n *yaml.Node, field string) check.Severity {
	if p.str(n, field) == "none" {
		return 0
	}
	if s := p.severity(n, field); s != nil {
		return *s
	}
	return 0
}

// flag reads a boolean, false when missing or wrong.
func (p *parser) flag(n *yaml.Node, field string) bool {
	b := p.boolean(n, field)
	return b != nil && *b
}

// timeout reads a positive Go duration of at most 30 s, the API server's
// longest webhook timeout.
func (p *parser) timeout(n *yaml.Node, field string) time.Duration {
	d, err := time.ParseDuration(p.str(n, field))
	switch {
	case err != nil:
		p.errorf(n, "%s: want a duration such as 2s or 500ms: %v", field, err)
	case d <= 0 || d > 30*time.Second:
		p.errorf(n, "%s: want a duration above 0 and at most 30s (the API server waits 30 s at most), got %s", field, d)
	default:
		return d
	}
	return DefaultAdmission().Timeout
}

// exemptions reads admission.exempt.
func (p *parser) exemptions(n *yaml.Node, where string) Exemptions {
	e := Exemptions{Namespaces: DefaultExemptNamespaces}
	p.mapping(n, where, exemptKeys, func(k, v *yaml.Node) {
		field := where + "." + k.Value
		switch k.Value {
		case "namespaces":
			e.Namespaces = p.stringList(v, field, p.glob(field))
		case "users":
			e.Users = p.stringList(v, field, p.glob(field))
		case "groups":
			e.Groups = p.stringList(v, field, p.glob(field))
		case "namespaceSelector":
			e.NamespaceSelector = p.labelSelector(v, field)
		}
	})
	return e
}

// labelSelector reads a Kubernetes label selector (matchLabels and
// matchExpressions), validated as the API server would.
func (p *parser) labelSelector(n *yaml.Node, field string) labels.Selector {
	text, err := yaml.Marshal(n)
	if err != nil {
		p.errorf(n, "%s: %v", field, err)
		return nil
	}
	var ls metav1.LabelSelector
	if err := sigsyaml.UnmarshalStrict(text, &ls); err != nil {
		p.errorf(n, "%s: not a label selector: %v", field, err)
		return nil
	}
	if len(ls.MatchLabels) == 0 && len(ls.MatchExpressions) == 0 {
		p.errorf(n, "%s: an empty selector matches every namespace and would exempt the whole cluster; leave it out, or name labels", field)
		return nil
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		p.errorf(n, "%s: %v", field, err)
		return nil
	}
	return sel
}

// Exempt reports whether a request in namespace (labels nsLabels, nil when
// unknown) by user with groups is exempt, and why.
func (e Exemptions) Exempt(namespace string, nsLabels map[string]string, user string, groups []string) (string, bool) {
	match := func(patterns []string, s string) bool {
		for _, p := range patterns {
			if ok, _ := path.Match(p, s); ok {
				return true
			}
		}
		return false
	}
	switch {
	case namespace != "" && match(e.Namespaces, namespace):
		return fmt.Sprintf("namespace %s is exempt", namespace), true
	case namespace != "" && e.NamespaceSelector != nil && nsLabels != nil && e.NamespaceSelector.Matches(labels.Set(nsLabels)):
		return fmt.Sprintf("namespace %s is exempt by its labels", namespace), true
	case match(e.Users, user):
		return "user " + user + " is exempt", true
	}
	for _, g := range groups {
		if match(e.Groups, g) {
			return "group " + g + " is exempt", true
		}
	}
	return "", false
}
