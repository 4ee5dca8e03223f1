package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/rbac"
)

const certificatesGroup = "certificates.k8s.io"

var (
	approveSigners = probe{verbs: []string{"approve"}, group: certificatesGroup, resources: []string{"signers"}, anyName: true, clusterScoped: true}
	updateApproval = probe{verbs: []string{"update"}, group: certificatesGroup, resources: []string{"certificatesigningrequests/approval"}, anyName: true, clusterScoped: true}
)

func init() {
	registerRBAC(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-approve-csr",
			Title:    "Subject may approve certificate signing requests",
			Severity: check.Critical,
			Looks: "every subject that ClusterRoleBindings grant both approve on signers and update on " +
				"certificatesigningrequests/approval (" + certificatesGroup + "), even for named signers; the two may come from " +
				"different bindings. Each is reported on the binding that grants approve. Memberships of groups are unknown, so " +
				"a user and a group it belongs to are not combined.",
			Rationale: "Approving a CSR for the kube-apiserver-client signer issues a client certificate for any user and group, " +
				"system:masters included: a credential that cannot be revoked before it expires.",
			Remediation: "Keep CSR approval to the controllers that need it, with approve limited to their signers by resourceNames.",
			Example: `rules:
  - apiGroups: ["certificates.k8s.io"]
    resources: ["signers"]
    verbs: ["approve"]
    resourceNames: ["example.com/my-signer"]   # not kubernetes.io/*`,
			References: check.References{
				CIS:   []string{"5.1.11"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1649"},
			},
		},
		Run: func(ctx *check.Context) {
			e := ctx.RBAC()
			approvals := map[rbac.Subject]grant{}
			for _, g := range grantsWhere(e, updateApproval.allows) {
				s := g.binding.Subjects[g.subject]
				if _, seen := approvals[s]; !seen {
					approvals[s] = g
				}
			}
			for _, g := range grantsWhere(e, approveSigners.allows) {
				other, ok := approvals[g.binding.Subjects[g.subject]]
				if !ok {
					continue
				}
				const what = "approve certificate signing requests"
				if other.binding == g.binding {
					g.rules = mergeIndexes(g.rules, other.rules)
					reportGrant(ctx, g, what, 0)
					continue
				}
				reportSubject(ctx, g.binding, g.subject, check.Finding{Folded: &check.Folded{Summary: what},
					Message: grantMessage(g, what) + "; and update on certificatesigningrequests/approval: " + chain(other.binding, other.rules)})
			}
		},
	})
}

// mergeIndexes unites two sorted lists of rule indexes.
func mergeIndexes(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}
