package catalog

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// awsAuthMapping is one entry of the aws-auth ConfigMap's mapRoles or
// mapUsers.
type awsAuthMapping struct {
	RoleARN  string   `json:"rolearn"`
	UserARN  string   `json:"userarn"`
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
}

// arn returns the mapped IAM principal.
func (m awsAuthMapping) arn() string {
	if m.RoleARN != "" {
		return m.RoleARN
	}
	return m.UserARN
}

var configMapKind = schema.GroupKind{Kind: "ConfigMap"}

// awsAuthConfigMap returns kube-system/aws-auth with its data, or nil (a
// live scan that could not get it has only its metadata).
func awsAuthConfigMap(inv *inventory.Inventory) *inventory.Object {
	obj := inv.Get(configMapKind, "kube-system", "aws-auth")
	if obj == nil {
		return nil
	}
	if _, ok := obj.Obj.(*corev1.ConfigMap); !ok {
		return nil
	}
	return obj
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "eks-aws-auth-mapping",
			Title:    "EKS aws-auth ConfigMap maps IAM identities too broadly",
			Layer:    check.LayerCloud,
			Severity: check.High,
			Reads:    []string{"ConfigMap"},
			Looks: "mapRoles and mapUsers of the ConfigMap kube-system/aws-auth (a live scan gets that one ConfigMap with its data; " +
				"the others are listed by metadata only): mappings to system:masters (critical), ARNs with a wildcard, and node " +
				"mappings (group system:nodes) that people can use: an IAM user, an IAM Identity Center (SSO) role, a username " +
				"other than system:node:{{EC2PrivateDNSName}}, or a role also mapped to another user.",
			Rationale: "aws-auth turns IAM principals into Kubernetes users and groups. system:masters bypasses RBAC entirely and " +
				"cannot be revoked by any binding; a node mapping lets its holder act as a kubelet; a wildcard grants to principals " +
				"nobody listed. A person who can assume such a role owns the cluster or its nodes.",
			Remediation: "Map people to groups bound to the least RBAC they need, never to system:masters; keep node roles for " +
				"nodes alone (username system:node:{{EC2PrivateDNSName}}); name each ARN. Better, move to EKS access entries, " +
				"managed through the AWS API.",
			Example: `mapRoles: |
  - rolearn: arn:aws:iam::111122223333:role/eks-nodes
    username: system:node:{{EC2PrivateDNSName}}
    groups: [system:bootstrappers, system:nodes]
  - rolearn: arn:aws:iam::111122223333:role/platform-viewers
    username: viewer:{{SessionName}}
    groups: [platform-viewers]`,
			References: check.References{
				MITRE: []string{"T1078.004", "T1098"},
				URLs:  []string{"https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html", eksBestPracticesIAM},
			},
		},
		Run: func(ctx *check.Context) {
			obj := awsAuthConfigMap(ctx.Inventory)
			if obj == nil {
				return
			}
			cm := obj.Obj.(*corev1.ConfigMap)
			roles := readAWSAuth(ctx, obj, cm, "mapRoles")
			users := readAWSAuth(ctx, obj, cm, "mapUsers")
			judgeAWSAuth(ctx, obj, "mapRoles", "role", roles, roles)
			judgeAWSAuth(ctx, obj, "mapUsers", "user", users, roles)
		},
	})
}

// readAWSAuth parses one key of aws-auth; a value EKS cannot read either
// is reported.
func readAWSAuth(ctx *check.Context, obj *inventory.Object, cm *corev1.ConfigMap, key string) []awsAuthMapping {
	text, ok := cm.Data[key]
	if !ok || strings.TrimSpace(text) == "" {
		return nil
	}
	var out []awsAuthMapping
	if err := yaml.Unmarshal([]byte(text), &out); err != nil {
		ctx.ReportFinding(check.Finding{Object: obj, Path: "data." + key, Severity: check.Medium,
			Message: "aws-auth " + key + " cannot be read (" + err.Error() + "); EKS ignores mappings it cannot parse: fix the YAML"})
		return nil
	}
	return out
}

// judgeAWSAuth reports the risky mappings of one key. roles are every
// mapRoles entry, to find node roles mapped twice.
func judgeAWSAuth(ctx *check.Context, obj *inventory.Object, key, principal string, mappings, roles []awsAuthMapping) {
	path := "data." + key
	for i, m := range mappings {
		arn := m.arn()
		what := "aws-auth maps IAM " + principal + " " + quote(arn)
		report := func(sev check.Severity, msg string) {
			ctx.ReportFinding(check.Finding{Object: obj, Path: path, Severity: sev, Message: what + msg})
		}
		if slices.Contains(m.Groups, "system:masters") {
			report(check.Critical, " to system:masters: it is cluster-admin beyond the reach of RBAC; map it to a group bound to the roles it needs")
		}
		if strings.Contains(arn, "*") {
			report(check.High, " with a wildcard: a mapping names one IAM principal, and a pattern grants "+joinQuoted(m.Groups)+
				" to whichever principals it is taken to match; list each ARN")
		}
		if !slices.Contains(m.Groups, "system:nodes") {
			continue
		}
		switch {
		case principal == "user":
			report(check.High, " to system:nodes: an IAM user's long-lived keys act as a kubelet; map only node instance roles to system:nodes")
		case strings.Contains(arn, "AWSReservedSSO_") || strings.Contains(arn, "/aws-reserved/sso.amazonaws.com/"):
			report(check.High, " to system:nodes, but it is an IAM Identity Center role that people sign in with; map only node instance roles to system:nodes")
		case !strings.HasPrefix(m.Username, "system:node:"):
			report(check.High, " to system:nodes under the username "+quote(m.Username)+": nodes are system:node:{{EC2PrivateDNSName}}, so people use it; keep the node role for nodes")
		default:
			if other := otherMapping(roles, i, key, arn); other != nil {
				report(check.High, " to system:nodes and also to user "+quote(other.Username)+" (groups "+joinQuoted(other.Groups)+
					"): whoever assumes it as that user can act as a node too; give people a role of their own")
			}
		}
	}
}

// otherMapping returns another mapRoles entry of the same role that is not
// a node mapping, or nil. self is the entry's index when key is mapRoles.
func otherMapping(roles []awsAuthMapping, self int, key, arn string) *awsAuthMapping {
	for j := range roles {
		if key == "mapRoles" && j == self || roles[j].RoleARN != arn || slices.Contains(roles[j].Groups, "system:nodes") {
			continue
		}
		return &roles[j]
	}
	return nil
}
