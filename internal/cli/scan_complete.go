package cli

import "github.com/kube4c/kube4c/internal/report"

// inventoryComplete says whether the scanned objects are all the objects
// of the cluster, so that checks may report references to objects that do
// not exist (rbac-binding-missing-role): on files only when the user says
// so with --complete; on a live cluster when the Roles and ClusterRoles
// could be listed.
func inventoryComplete(flagComplete bool, cov *report.Coverage) bool {
	if flagComplete || cov == nil {
		return flagComplete
	}
	collected := 0
	for _, r := range cov.Resources {
		if r.Kind == "Role" || r.Kind == "ClusterRole" {
			if r.State != "collected" {
				return false
			}
			collected++
		}
	}
	return collected == 2
}
