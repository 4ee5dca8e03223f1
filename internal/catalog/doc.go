// Package checks holds the built-in checks, one file per topic. Each file
// registers its checks with check.Register in init; importing the package
// (for its side effects) makes them available.
//
// A check sets one of three functions. Containers, for a rule about one
// container at a time: the engine runs all such rules together over blocks
// of workloads, which is the cheapest way through a large inventory. Run,
// for a check that needs the whole inventory (relations between objects,
// indexes shared through inventory.Memo such as netpol.For). Audit, for a
// rule over audit-log events. Messages say what was found and what to do,
// and name at most a few objects when many are involved.
package catalog
