package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
)

// flagTest judges a command line. It returns the flag the verdict is about
// and, when the item fails, why.
type flagTest func(f controlplane.Flags) (flag, failure string)

// flagIs wants the flag's value (def when unset) to be want.
func flagIs(flag, want, def string) flagTest {
	return func(f controlplane.Flags) (string, string) {
		v, ok := f.Value(flag)
		switch {
		case !ok && def != want:
			return flag, fmt.Sprintf("--%s is unset, so it is %q; set --%s=%s", flag, def, flag, want)
		case ok && !strings.EqualFold(v, want):
			return flag, fmt.Sprintf("--%s is %q; set --%s=%s", flag, v, flag, want)
		}
		return flag, ""
	}
}

// flagNot wants the flag's value (def when unset) not to be bad.
func flagNot(flag, bad, def string) flagTest {
	return func(f controlplane.Flags) (string, string) {
		v, ok := f.Value(flag)
		if !ok {
			v = def
		}
		if strings.EqualFold(v, bad) {
			return flag, fmt.Sprintf("--%s is %q; remove it or set another value", flag, v)
		}
		return flag, ""
	}
}

// flagsSet wants every flag set to a non-empty value.
func flagsSet(flags ...string) flagTest {
	return func(f controlplane.Flags) (string, string) {
		for _, fl := range flags {
			if !f.Has(fl) {
				return fl, "--" + fl + " is not set"
			}
		}
		return flags[0], ""
	}
}

// flagUnset wants the flag absent.
func flagUnset(flag string) flagTest {
	return func(f controlplane.Flags) (string, string) {
		if f.Has(flag) {
			return flag, "--" + flag + " is set; remove it"
		}
		return flag, ""
	}
}

// listIncludes wants the comma-separated flag to list value.
func listIncludes(flag, value string) flagTest {
	return func(f controlplane.Flags) (string, string) {
		if !f.ListHas(flag, value) {
			return flag, fmt.Sprintf("--%s does not include %s", flag, value)
		}
		return flag, ""
	}
}

// listExcludes wants the comma-separated flag (defaults when unset) not to
// list value.
func listExcludes(flag, value string, defaults ...string) flagTest {
	return func(f controlplane.Flags) (string, string) {
		list := f.List(flag)
		if _, set := f.Value(flag); !set {
			list = defaults
		}
		if slices.Contains(list, value) {
			return flag, fmt.Sprintf("--%s includes %s", flag, value)
		}
		return flag, ""
	}
}

// flagAtLeast wants the integer flag set to min or more.
func flagAtLeast(flag string, min int) flagTest {
	return func(f controlplane.Flags) (string, string) {
		v, ok := f.Value(flag)
		n, err := strconv.Atoi(v)
		switch {
		case !ok:
			return flag, fmt.Sprintf("--%s is not set; set it to %d or more", flag, min)
		case err != nil || n < min:
			return flag, fmt.Sprintf("--%s is %q; set it to %d or more", flag, v, min)
		}
		return flag, ""
	}
}

// onlyAmong wants the comma-separated flag set, with every value in allowed.
func onlyAmong(flag string, allowed []string) flagTest {
	return func(f controlplane.Flags) (string, string) {
		list := f.List(flag)
		if len(list) == 0 {
			return flag, "--" + flag + " is not set, so weak cipher suites are accepted"
		}
		for _, v := range list {
			if !slices.Contains(allowed, v) {
				return flag, "--" + flag + " allows " + v
			}
		}
		return flag, ""
	}
}

// naPrefix marks a flagTest failure that is a reason for not applicable.
const naPrefix = "\x00not applicable: "

// unlessSet makes the item not applicable, for the reason, when the flag
// is set (for example a configuration file that replaces the flags the
// item is about).
func unlessSet(flag, reason string, test flagTest) flagTest {
	return func(f controlplane.Flags) (string, string) {
		if f.Has(flag) {
			return flag, naPrefix + reason
		}
		return test(f)
	}
}

// flagItem is a CIS item a component's command line decides.
type flagItem struct {
	cis, id   string
	component string
	severity  check.Severity
	title     string
	test      flagTest
	why, fix  string
}

// registerFlagItems registers flag items as checks.
func registerFlagItems(items []flagItem) {
	for _, it := range items {
		registerCIS(cisItem{
			id: it.id, title: it.title, cis: []string{it.cis}, severity: it.severity,
			looks:       "the command line of the " + it.component + " static pod (kube-system, or /etc/kubernetes/manifests under kube4c node).",
			rationale:   it.why,
			remediation: it.fix,
			decide: func(ctx *check.Context, v *controlplane.View) {
				c := component(ctx, v, it.component)
				if c == nil {
					return
				}
				flag, failure := it.test(c.Flags)
				if reason, ok := strings.CutPrefix(failure, naPrefix); ok {
					ctx.NotApplicable(c.Pod, it.component+": "+reason)
					return
				}
				if failure != "" {
					ctx.Report(c.Pod, c.FlagPath(flag), it.component+": "+failure)
					return
				}
				ctx.Pass(c.Pod, c.FlagPath(flag), it.component+": "+it.title)
			},
		})
	}
}
