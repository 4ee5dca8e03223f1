// Package controlplane reads the configuration of Kubernetes control-plane
// components and kubelets (command lines of static pods, KubeletConfiguration
// and its systemd drop-ins, EncryptionConfiguration, audit Policy) into
// typed views that checks decide CIS items from.
package controlplane

import (
	"strconv"
	"strings"
)

// Flag is one occurrence of a flag on a command line.
type Flag struct {
	// Name is the flag's name without its leading dashes.
	Name string
	// Value is the flag's value; "true" for a bare boolean flag.
	Value string
	// Index is the position of the argument that holds the flag.
	Index int
}

// Flags is a parsed command line in the components' flag syntax
// (spf13/pflag): --flag=value, --flag value, bare booleans, repeated flags.
type Flags struct {
	list []Flag
}

// ParseFlags parses a component's arguments (without the program name).
// A flag followed by an argument that is not itself a flag takes it as its
// value, unless the flag is written --flag=value; a flag with no value is a
// bare boolean. Arguments that are not flags are ignored.
func ParseFlags(args []string) Flags {
	var out Flags
	for i := 0; i < len(args); i++ {
		arg := strings.TrimSpace(args[i])
		if !strings.HasPrefix(arg, "-") || arg == "-" || arg == "--" {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		index := i
		if !hasValue {
			value = "true"
			if i+1 < len(args) && !isBoolFlag(name) && (!strings.HasPrefix(args[i+1], "-") || isNegativeNumber(args[i+1])) {
				value = args[i+1]
				i++
			}
		}
		out.list = append(out.list, Flag{Name: name, Value: value, Index: index})
	}
	return out
}

// boolFlags are flags of the components that take no separate value, so
// that "--flag next" never swallows the next argument.
var boolFlags = map[string]bool{
	"anonymous-auth": true, "profiling": true, "client-cert-auth": true, "peer-client-cert-auth": true,
	"auto-tls": true, "peer-auto-tls": true, "use-service-account-credentials": true,
	"service-account-lookup": true, "make-iptables-util-chains": true, "protect-kernel-defaults": true,
	"rotate-certificates": true, "rotate-server-certificates": true, "allow-privileged": true,
	"service-account-extend-token-expiration": true, "seccomp-default": true, "enable-bootstrap-token-auth": true,
}

func isBoolFlag(name string) bool { return boolFlags[name] }

// isNegativeNumber reports whether an argument is a value such as -1
// rather than a flag.
func isNegativeNumber(arg string) bool {
	_, err := strconv.ParseFloat(arg, 64)
	return err == nil
}

// Last returns the last occurrence of the flag (the one that wins), and
// whether the flag is set.
func (f Flags) Last(name string) (Flag, bool) {
	for i := len(f.list) - 1; i >= 0; i-- {
		if f.list[i].Name == name {
			return f.list[i], true
		}
	}
	return Flag{}, false
}

// Value returns the value of the flag, and whether it is set.
func (f Flags) Value(name string) (string, bool) {
	fl, ok := f.Last(name)
	return fl.Value, ok
}

// Has reports whether the flag is set to a non-empty value.
func (f Flags) Has(name string) bool {
	v, ok := f.Value(name)
	return ok && v != ""
}

// Bool returns the flag as a boolean, or def when it is unset or not a
// boolean.
func (f Flags) Bool(name string, def bool) bool {
	v, ok := f.Value(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def
	}
	return b
}

// List returns the comma-separated values of every occurrence of the flag,
// in order, trimmed and without empty entries. Repeated and comma-joined
// flags (--admission-plugins=A,B --admission-plugins=C) both add up.
func (f Flags) List(name string) []string {
	var out []string
	for _, fl := range f.list {
		if fl.Name != name {
			continue
		}
		for _, v := range strings.Split(fl.Value, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// ListHas reports whether the comma-separated flag lists value.
func (f Flags) ListHas(name, value string) bool {
	for _, v := range f.List(name) {
		if v == value {
			return true
		}
	}
	return false
}

// Gate returns the value of a feature gate in --feature-gates, and whether
// it is set there.
func (f Flags) Gate(gate string) (bool, bool) {
	found, value := false, false
	for _, entry := range f.List("feature-gates") {
		k, v, _ := strings.Cut(entry, "=")
		if strings.TrimSpace(k) == gate {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			found, value = err == nil, b
		}
	}
	return value, found
}

// All returns every flag occurrence, in order.
func (f Flags) All() []Flag { return f.list }
