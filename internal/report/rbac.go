package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/kube4c/kube4c/internal/rbac"
)

// RBACFormats are the formats of kube4c rbac who-can and rbac can.
func RBACFormats() []string { return []string{"table", "json"} }

// WriteWhoCan writes the answer of rbac who-can: the grants that allow
// the request q (counting the RoleBindings of every namespace when
// allNamespaces is set), as a table or as JSON.
func WriteWhoCan(w io.Writer, format string, q rbac.Query, allNamespaces bool, grants []rbac.Grant) error {
	switch format {
	case "table":
		return writeWhoCanTable(w, grants)
	case "json":
		return writeIndentedJSON(w, whoCanJSON(q, allNamespaces, grants))
	}
	return unknownRBACFormat(format)
}

// WriteCan writes the answer of rbac can: the effective rules of a
// subject, who has identity id, in namespace (or in every namespace when
// it is ""), as a table or as JSON.
func WriteCan(w io.Writer, format string, s rbac.Subject, id rbac.Identity, namespace string, perms []rbac.Permission) error {
	switch format {
	case "table":
		return writeCanTable(w, id, perms)
	case "json":
		return writeIndentedJSON(w, canJSON(s, id, namespace, perms))
	}
	return unknownRBACFormat(format)
}

func unknownRBACFormat(format string) error {
	return fmt.Errorf("unknown output format %q (want %s)", format, strings.Join(RBACFormats(), " or "))
}

// writeIndentedJSON writes v indented by two spaces, ending with a line
// break.
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// scopeName prints a grant scope for people.
func scopeName(scope string) string {
	if scope == "" {
		return "cluster"
	}
	return scope
}
