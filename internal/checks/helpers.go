package checks

import (
	"strconv"
	"strings"
)

// quote wraps a name in double quotes for messages.
func quote(s string) string { return strconv.Quote(s) }

// joinQuoted lists names as "a", "b" and "c".
func joinQuoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	default:
		return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
	}
}
