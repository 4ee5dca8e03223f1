package catalog

import (
	"strconv"
	"strings"
)

// quote wraps a name in double quotes for messages, escaped as
// strconv.Quote does. Names are nearly always printable ASCII, which needs
// no escaping and takes the fast path.
func quote(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return strconv.Quote(s)
		}
	}
	return `"` + s + `"`
}

// joinQuoted lists names as "a", "b" and "c".
func joinQuoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return joinFirst(q, len(q))
}

// joinFirst lists items as "a, b and c", naming at most limit of them and
// counting the others: "a, b, c and 4 more". Messages stay readable when a
// selector matches thousands of workloads.
func joinFirst(items []string, limit int) string {
	switch {
	case len(items) == 0:
		return ""
	case len(items) == 1:
		return items[0]
	case len(items) <= limit:
		return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
	}
	return strings.Join(items[:limit], ", ") + " and " + strconv.Itoa(len(items)-limit) + " more"
}
