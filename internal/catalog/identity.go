package catalog

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

var serviceAccountKind = schema.GroupKind{Kind: "ServiceAccount"}

// serviceAccountName returns the service account a pod runs as, reading the
// deprecated serviceAccount field too.
func serviceAccountName(spec *corev1.PodSpec) string {
	switch {
	case spec.ServiceAccountName != "":
		return spec.ServiceAccountName
	case spec.DeprecatedServiceAccount != "":
		return spec.DeprecatedServiceAccount
	}
	return "default"
}

// Credential detection for secret-in-env.
var (
	credentialName = regexp.MustCompile(`(?i)(pass(wd|word)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth[_-]?key)`)
	// Names that mention a credential but hold something else: where it is, whether it is used, how long it lives.
	notACredentialName = regexp.MustCompile(`(?i)(_(file|path|dir|url|uri|endpoint|host|port|name|user(name)?|enabled?|disabled?|ttl|expiry|length|len|size|type|mode|header|audience|issuer|ref)$)`)
	awsAccessKey       = regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`)
	privateKeyBlock    = regexp.MustCompile(`-{3,}\s*BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?\s*-{3,}`)
	knownTokenPrefix   = regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{36}|xox[abpr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_-]{20})\b`)
	placeholderValue   = regexp.MustCompile(`^(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\([A-Za-z_][A-Za-z0-9_]*\)|<[^>]*>|\{\{.*\}\}|changeme|true|false|yes|no|none|null|/[^ ]*)$`)
)

// mayHoldToken reports whether v contains a literal that knownTokenPrefix
// needs.
func mayHoldToken(v string) bool {
	return strings.Contains(v, "gh") || strings.Contains(v, "xox") || strings.Contains(v, "sk_live_") || strings.Contains(v, "glpat-")
}

// mayNameCredential reports whether credentialName may match name: an
// ASCII name must contain one of the words it looks for. Other names go to
// the regexp, whose case folding reaches beyond ASCII.
func mayNameCredential(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return true
		}
	}
	lower := strings.ToLower(name)
	for _, word := range []string{"pass", "secret", "token", "key", "credential"} {
		if strings.Contains(lower, word) {
			return true
		}
	}
	return false
}

// credentialKind says why a literal env value looks like a credential, or "".
func credentialKind(name, value string) string {
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return ""
	// Each pattern is tried only when the literal it needs is present:
	// most values are short and harmless, and regexps are slow.
	case strings.Contains(v, "PRIVATE KEY") && privateKeyBlock.MatchString(v):
		return "a private key"
	case (strings.Contains(v, "AKIA") || strings.Contains(v, "ASIA")) && awsAccessKey.MatchString(v):
		return "an AWS access key ID"
	case mayHoldToken(v) && knownTokenPrefix.MatchString(v):
		return "an API token"
	case mayNameCredential(name) && credentialName.MatchString(name) && !notACredentialName.MatchString(name) && !placeholderValue.MatchString(strings.ToLower(v)) &&
		(!allDigits(v) || numericCredential(name, v)):
		return "a credential (by its name)"
	}
	return ""
}

// minNumericSecret is the fewest digits an all-digit value needs to count as
// a credential: shorter numbers are flags (MYSQL_ALLOW_EMPTY_PASSWORD=1) or
// small counts, while PINs and passwords such as 123456 have four or more.
const minNumericSecret = 4

// numericCredential reports whether the all-digit value v of the variable
// name is a credential rather than a number about one (a port, a count, a
// lifetime): the name must end with the credential word itself, as in
// MYSQL_ROOT_PASSWORD, not merely mention it, as in SECRET_ROTATION_DAYS or
// MAX_TOKENS, and the value must have minNumericSecret digits.
func numericCredential(name, v string) bool {
	if len(v) < minNumericSecret {
		return false
	}
	words := nameWords(name)
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	switch last {
	case "password", "passwd", "pass", "pwd", "secret", "token", "credential", "credentials", "apikey", "accesskey", "privatekey", "authkey", "pin":
		return true
	case "key":
		if len(words) < 2 {
			return false
		}
		switch words[len(words)-2] {
		case "api", "access", "private", "auth", "secret":
			return true
		}
	}
	return false
}

// allDigits reports whether v is a non-empty string of ASCII digits.
func allDigits(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return v != ""
}

// nameWords splits a variable name into lower-case words at underscores,
// dashes, dots and lower-to-upper case changes: MYSQL_ROOT_PASSWORD and
// mysqlRootPassword both give mysql, root, password.
func nameWords(name string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 {
			words = append(words, strings.ToLower(name[start:end]))
			start = -1
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		isLetterOrDigit := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf
		switch {
		case !isLetterOrDigit:
			flush(i)
		case c >= 'A' && c <= 'Z' && i > 0 && name[i-1] >= 'a' && name[i-1] <= 'z':
			flush(i)
			start = i
		case start < 0:
			start = i
		}
	}
	flush(len(name))
	return words
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "service-account-token-automount",
			Title:    "Service account token mounted automatically",
			Layer:    check.LayerCode,
			Reads:    append([]string{"ServiceAccount"}, inventory.WorkloadKinds...),
			Severity: check.Low,
			Looks: "automountServiceAccountToken of the pod spec and, when the pod does not set it and the ServiceAccount is " +
				"among the scanned objects, of the ServiceAccount. The pod's setting wins.",
			Rationale: "Every pod gets an API token unless told otherwise. Most applications never call the Kubernetes API, " +
				"but an attacker inside the container can use the token with whatever RBAC grants the account.",
			Remediation: "Set automountServiceAccountToken: false on the pod (or its ServiceAccount) and mount a projected token only where the API is used.",
			Example: `spec:
  automountServiceAccountToken: false`,
			References: check.References{
				CIS:   []string{"5.1.6"},
				NSA:   []string{"Kubernetes Pod security: Protecting Pod service account tokens"},
				MITRE: []string{"T1528"},
			},
		},
		Run: func(ctx *check.Context) {
			// One message per service account name: most pods of a
			// namespace share a few, and a large scan has thousands.
			mounted := map[string]string{}
			for _, w := range ctx.Inventory.Workloads() {
				if v := w.Spec.AutomountServiceAccountToken; v != nil {
					if *v {
						ctx.Report(w.Object, w.SpecPath+".automountServiceAccountToken", "pod sets automountServiceAccountToken: true; set it to false unless the application calls the Kubernetes API")
					}
					continue
				}
				saName := serviceAccountName(w.Spec)
				if automountDisabledOn(ctx.Inventory.Get(serviceAccountKind, w.Object.Namespace(), saName)) {
					continue
				}
				msg, ok := mounted[saName]
				if !ok {
					msg = "the service account token of " + quote(saName) +
						" is mounted into the pod; set automountServiceAccountToken: false on the pod or the ServiceAccount"
					mounted[saName] = msg
				}
				ctx.Report(w.Object, w.SpecPath+".automountServiceAccountToken", msg)
			}
		},
		// A pod that sets true on purpose may call the API: left to a person.
		Fix: check.SetIfAbsent(false),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:          "default-service-account",
			Title:       "Pod runs as the default service account",
			Layer:       check.LayerCode,
			Severity:    check.Low,
			Looks:       "serviceAccountName of every workload (unset means default).",
			Rationale:   "The default service account is shared by every pod of the namespace that names no other; permissions granted to it for one application leak to all.",
			Remediation: "Create a ServiceAccount per application and set serviceAccountName.",
			Example: `spec:
  serviceAccountName: storefront`,
			References: check.References{
				CIS:   []string{"5.1.5"},
				NSA:   []string{"Authentication and authorization"},
				MITRE: []string{"T1078.001"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, w := range ctx.Inventory.Workloads() {
				if serviceAccountName(w.Spec) == "default" {
					ctx.Report(w.Object, w.SpecPath+".serviceAccountName", "pod runs as the namespace's default service account; give the application its own ServiceAccount")
				}
			}
		},
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "secret-in-env",
			Title:    "Credential written in an environment variable",
			Layer:    check.LayerCode,
			Severity: check.High,
			Looks: "literal env values of every container: private key blocks, AWS access key IDs and well-known API token formats anywhere, " +
				"and non-placeholder values of variables whose name says password, secret, token, API key, access key, private key or credential " +
				"(an all-digit value only when the name ends with that word and the value has at least four digits: MYSQL_ROOT_PASSWORD=123456, " +
				"not MYSQL_ALLOW_EMPTY_PASSWORD=1 or SECRET_ROTATION_DAYS=3650). " +
				"The value itself is never printed.",
			Rationale: "A credential in a manifest is in version control, in CI logs, in kubectl describe output and in the API " +
				"server's storage in clear text, readable by anyone who can read the workload.",
			Remediation: "Move the value into a Secret (or an external secret manager) and mount it as a file; rotate the credential, since it has leaked.",
			Example: `volumes:
  - name: db
    secret:
      secretName: db-credentials
# and mount it; read the password from /var/run/secrets/db/password`,
			References: check.References{
				CIS:   []string{"5.4.1"},
				NSA:   []string{"Network separation and hardening: Secrets"},
				MITRE: []string{"T1552.001", "T1552.007"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			for i, e := range c.Env {
				if e.ValueFrom != nil {
					continue
				}
				if kind := credentialKind(e.Name, e.Value); kind != "" {
					ctx.ReportContainer(w, c, c.Path+".env["+strconv.Itoa(i)+"].value", "env var "+e.Name+" of container "+quote(c.Name)+" holds "+kind+
						" in clear text; move it to a Secret and rotate it")
				}
			}
		}),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "secrets-as-env",
			Title:    "Secret exposed as environment variables",
			Layer:    check.LayerCode,
			Severity: check.Low,
			Looks:    "env[].valueFrom.secretKeyRef and envFrom[].secretRef of every container.",
			Rationale: "Environment variables are inherited by every child process, printed by crash reporters and debug endpoints, " +
				"and cannot be rotated without a restart; files mounted from a Secret avoid all three.",
			Remediation: "Mount the Secret as a volume and read the value from the file.",
			Example: `volumeMounts:
  - name: api-key
    mountPath: /var/run/secrets/api
    readOnly: true`,
			References: check.References{
				CIS:   []string{"5.4.1"},
				NSA:   []string{"Network separation and hardening: Secrets"},
				MITRE: []string{"T1552.007"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			for i, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					ctx.ReportContainer(w, c, c.Path+".env["+strconv.Itoa(i)+"].valueFrom.secretKeyRef", "env var "+e.Name+" of container "+quote(c.Name)+
						" comes from Secret "+quote(e.ValueFrom.SecretKeyRef.Name)+"; mount the Secret as a file instead")
				}
			}
			for i, e := range c.EnvFrom {
				if e.SecretRef != nil {
					ctx.ReportContainer(w, c, c.Path+".envFrom["+strconv.Itoa(i)+"].secretRef", "container "+quote(c.Name)+" loads every key of Secret "+
						quote(e.SecretRef.Name)+" as environment variables; mount the Secret as a file instead")
				}
			}
		}),
	})
}

// automountDisabledOn reports whether obj is a ServiceAccount that disables
// token automounting.
func automountDisabledOn(obj *inventory.Object) bool {
	if obj == nil {
		return false
	}
	sa, ok := obj.Obj.(*corev1.ServiceAccount)
	return ok && sa.AutomountServiceAccountToken != nil && !*sa.AutomountServiceAccountToken
}
