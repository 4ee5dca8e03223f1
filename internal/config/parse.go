package config

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/check"
)

// Keys allowed at each level of the file.
var (
	rootKeys      = []string{"checks", "settings", "exceptions", "admission", "images"}
	overrideKeys  = []string{"enabled", "severity"}
	exceptionKeys = []string{"checks", "kinds", "namespaces", "names", "containers", "vulnerabilities", "reason", "expires", "until"}
)

// Parse parses the content of a configuration file read from path (used in
// error messages and exception sources). See Load.
func Parse(path string, data []byte) (*Config, error) {
	root, err := parseDocument(data)
	if err != nil {
		return nil, syntaxError(path, err)
	}
	p := &parser{nodes: nodes{file: path}, cfg: &Config{
		Path:     path,
		Checks:   map[string]Override{},
		settings: map[string]*yaml.Node{},
		text:     bytes.Clone(data),
		root:     root,
	}}
	if root != nil {
		p.mapping(root, "the configuration", rootKeys, func(k, v *yaml.Node) {
			switch k.Value {
			case "checks":
				p.checks(v)
			case "settings":
				p.settings(v)
			case "exceptions":
				p.exceptions(v)
			case "admission":
				p.admission(v)
			case "images":
				p.images(v)
			}
		})
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return p.cfg, nil
}

// parser builds a Config from the YAML tree, collecting every problem.
type parser struct {
	nodes
	cfg *Config
}

// ref records a check ID written at n, for Validate.
func (p *parser) ref(id, where string, n *yaml.Node) {
	p.cfg.refs = append(p.cfg.refs, idRef{id: id, where: where, at: p.loc(n)})
}

// checks reads the per-check overrides.
func (p *parser) checks(n *yaml.Node) {
	p.mapping(n, "checks", nil, func(k, v *yaml.Node) {
		id, where := k.Value, "checks."+k.Value
		p.ref(id, "checks", k)
		var o Override
		p.mapping(v, where, overrideKeys, func(k, v *yaml.Node) {
			switch k.Value {
			case "enabled":
				o.Enabled = p.boolean(v, where+".enabled")
			case "severity":
				o.Severity = p.severity(v, where+".severity")
			}
		})
		p.cfg.Checks[id] = o
	})
}

// settings keeps each check's settings mapping for Decode.
func (p *parser) settings(n *yaml.Node) {
	p.mapping(n, "settings", nil, func(k, v *yaml.Node) {
		p.ref(k.Value, "settings", k)
		switch r := resolve(v); {
		case isNull(r):
		case r.Kind == yaml.MappingNode:
			p.cfg.settings[k.Value] = r
		default:
			p.errorf(v, "settings.%s: want a mapping of settings, got %s", k.Value, describe(r))
		}
	})
}

// vulnerabilityCheck is the check whose findings an exception's
// vulnerabilities are.
const vulnerabilityCheck = "image-vulnerability"

// exceptions reads the exceptions list.
func (p *parser) exceptions(n *yaml.Node) {
	for i, item := range p.sequence(n, "exceptions") {
		if e, ok := p.exception(item, fmt.Sprintf("exceptions[%d]", i)); ok {
			p.cfg.Exceptions = append(p.cfg.Exceptions, e)
		}
	}
}

// exception reads one exception; ok is false when it is not a mapping.
func (p *parser) exception(n *yaml.Node, where string) (e check.Exception, ok bool) {
	e.Source = p.loc(n)
	ok = p.mapping(n, where, exceptionKeys, func(k, v *yaml.Node) {
		field := where + "." + k.Value
		switch k.Value {
		case "checks":
			e.Checks = p.stringList(v, field, func(id string, n *yaml.Node) {
				if id != "*" {
					p.ref(id, field, n)
				}
			})
		case "kinds":
			e.Kinds = p.stringList(v, field, p.glob(field))
		case "namespaces":
			e.Namespaces = p.stringList(v, field, p.glob(field))
		case "names":
			e.Names = p.stringList(v, field, p.glob(field))
		case "containers":
			e.Containers = p.stringList(v, field, p.glob(field))
		case "reason":
			e.Reason = strings.TrimSpace(p.str(v, field))
		case "expires":
			e.Expires = p.expiry(v, field)
		case "vulnerabilities":
			e.Vulnerabilities = p.stringList(v, field, p.glob(field))
		case "until":
			if until := p.str(v, field); until == "fix-available" {
				e.UntilFixAvailable = true
			} else {
				p.errorf(v, "%s: %q is not a condition kube4c knows (want fix-available)", field, until)
			}
		}
	})
	if !ok {
		return e, false
	}
	if len(e.Checks) == 0 {
		p.errorf(n, "%s: an exception needs a non-empty checks list (use [\"*\"] for every check)", where)
	}
	if e.Reason == "" {
		p.errorf(n, "%s: an exception needs a reason", where)
	}
	if e.UntilFixAvailable && len(e.Vulnerabilities) == 0 {
		p.errorf(n, "%s: until: fix-available needs the vulnerabilities it waits for", where)
	}
	if len(e.Vulnerabilities) > 0 && !slices.ContainsFunc(e.Checks, func(id string) bool { return id == "*" || id == vulnerabilityCheck }) {
		p.errorf(n, "%s: vulnerabilities are findings of %s: list it in checks", where, vulnerabilityCheck)
	}
	return e, true
}

// glob returns a callback for strings that rejects malformed glob patterns.
func (p *parser) glob(field string) func(string, *yaml.Node) {
	return func(pattern string, n *yaml.Node) {
		if _, err := path.Match(pattern, ""); err != nil {
			p.errorf(n, "%s: malformed pattern %q", field, pattern)
		}
	}
}

// severity reads a severity name.
func (p *parser) severity(n *yaml.Node, field string) *check.Severity {
	name := p.str(n, field)
	if name == "" {
		return nil
	}
	s, err := check.ParseSeverity(name)
	if err != nil {
		p.errorf(n, "%s: %v", field, err)
		return nil
	}
	return &s
}

// expiry reads a date (the end of that day, UTC) or an RFC 3339 time.
func (p *parser) expiry(n *yaml.Node, field string) time.Time {
	v := p.str(n, field)
	if v == "" {
		return time.Time{}
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Add(24*time.Hour - time.Nanosecond)
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		p.errorf(n, "%s: want a date (YYYY-MM-DD) or an RFC 3339 time, got %q", field, v)
	}
	return t
}
