// Package catalog holds kube4c's built-in checks and audit-log rules, one
// file per topic. Each file registers its checks with check.Register (and
// its audit-log rules with audit.Register) in init; importing the package
// makes them available, as internal/pipeline does.
//
// A check about one container at a time is a rule given to
// check.PerContainer; one about a workload as a whole, to check.PerWorkload;
// any other check is a function over the inventory, reaching the shared
// engines (network policies, RBAC, Pod Security Admission, images, the
// control plane) through the check context. Messages say what was found
// and what to do, and name at most a few objects when many are involved.
// docs/contributing.md walks through adding one.
package catalog
