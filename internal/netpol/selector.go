package netpol

import (
	"cmp"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// NameLabel is the label the API server sets on every namespace to its
// name; it is known even for namespaces without a Namespace object.
const NameLabel = "kubernetes.io/metadata.name"

// selector is a compiled label selector. A selector that is not given
// (nil in the spec) is different from an empty one, which selects
// everything.
type selector struct {
	given bool
	sel   labels.Selector
	text  string
	err   error
	// keys are labels a pod must carry to match, for the label index.
	keys []label
}

// label is one label, a key and its value.
type label struct{ key, value string }

// compareLabels orders labels by key, then value.
func compareLabels(a, b label) int {
	return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.value, b.value))
}

func newSelector(ls *metav1.LabelSelector) selector {
	if ls == nil {
		return selector{}
	}
	sel, err := metav1.LabelSelectorAsSelector(ls)
	s := selector{given: true, sel: sel, text: formatSelector(ls), err: err}
	for k, v := range ls.MatchLabels {
		s.keys = append(s.keys, label{k, v})
	}
	for _, e := range ls.MatchExpressions {
		if e.Operator == metav1.LabelSelectorOpIn && len(e.Values) == 1 {
			s.keys = append(s.keys, label{e.Key, e.Values[0]})
		}
	}
	return s
}

// key identifies what a valid selector selects: equal for selectors that
// select alike, as written or not.
func (s selector) key() string {
	if !s.given {
		return "-"
	}
	return "+" + s.sel.String()
}

// everything reports whether the selector is given and empty.
func (s selector) everything() bool { return s.given && s.err == nil && s.sel.Empty() }

// matchNamespace evaluates the selector on a namespace. For a namespace
// without a Namespace object only NameLabel is known: a requirement on any
// other key makes the answer Unknown (unless another requirement already
// fails), and those keys are returned.
func (s selector) matchNamespace(ns *Namespace) (Decision, []string) {
	if !s.given || s.err != nil {
		return Denied, nil
	}
	if ns.Known {
		return decisionOf(s.sel.Matches(ns.Labels)), nil
	}
	reqs, _ := s.sel.Requirements()
	v := Allowed
	var unknown []string
	for i := range reqs {
		r := &reqs[i]
		if r.Key() == NameLabel {
			if !r.Matches(ns.Labels) {
				return Denied, nil
			}
			continue
		}
		v = Unknown
		unknown = append(unknown, r.Key())
	}
	return v, unknown
}

// formatSelector writes a selector compactly: "{}" when empty, else its
// requirements in the usual label-selector syntax, keys in order.
func formatSelector(ls *metav1.LabelSelector) string {
	var parts []string
	for k, v := range ls.MatchLabels {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	for _, e := range ls.MatchExpressions {
		switch e.Operator {
		case metav1.LabelSelectorOpExists:
			parts = append(parts, e.Key)
		case metav1.LabelSelectorOpDoesNotExist:
			parts = append(parts, "!"+e.Key)
		default:
			parts = append(parts, e.Key+" "+strings.ToLower(string(e.Operator))+" ("+strings.Join(e.Values, ",")+")")
		}
	}
	if len(parts) == 0 {
		return "{}"
	}
	return strings.Join(parts, ",")
}
