package catalog

import (
	"strings"
	"testing"
)

// workload wraps a pod spec (YAML indented for a pod's spec) in the given
// kind, so that the same fixture exercises every workload kind.
func workload(kind, podSpec string) string {
	indent := func(s string, n int) string {
		pad := strings.Repeat(" ", n)
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		for i, l := range lines {
			lines[i] = pad + l
		}
		return strings.Join(lines, "\n") + "\n"
	}
	switch kind {
	case "Pod":
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: w, namespace: ns}\nspec:\n" + indent(podSpec, 2)
	case "PodTemplate":
		return "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: w, namespace: ns}\ntemplate:\n  metadata: {labels: {app: w}}\n  spec:\n" + indent(podSpec, 4)
	case "CronJob":
		return "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: w, namespace: ns}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: w}}\n        spec:\n" + indent(podSpec, 10)
	case "Job":
		return "apiVersion: batch/v1\nkind: Job\nmetadata: {name: w, namespace: ns}\nspec:\n  template:\n    metadata: {labels: {app: w}}\n    spec:\n" + indent(podSpec, 6)
	case "ReplicationController":
		return "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: w, namespace: ns}\nspec:\n  replicas: 2\n  selector: {app: w}\n  template:\n    metadata: {labels: {app: w}}\n    spec:\n" + indent(podSpec, 6)
	default: // apps/v1 kinds
		return "apiVersion: apps/v1\nkind: " + kind + "\nmetadata: {name: w, namespace: ns}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: w}}\n  template:\n    metadata: {labels: {app: w}}\n    spec:\n" + indent(podSpec, 6)
	}
}

// specPath is where each kind's pod spec is.
var specPath = map[string]string{
	"Pod": "spec", "PodTemplate": "template.spec", "CronJob": "spec.jobTemplate.spec.template.spec",
	"Job": "spec.template.spec", "ReplicationController": "spec.template.spec", "Deployment": "spec.template.spec",
	"StatefulSet": "spec.template.spec", "DaemonSet": "spec.template.spec", "ReplicaSet": "spec.template.spec",
}

var allKinds = []string{"Pod", "PodTemplate", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}

type catalogueCase struct {
	name  string
	check string
	spec  string   // pod spec
	want  []string // paths below the pod spec; none for a near miss
	kinds []string // default: every kind
}

var catalogue = []catalogueCase{
	{name: "privileged init", check: "privileged-container", spec: "initContainers: [{name: i, image: x, securityContext: {privileged: true}}]\ncontainers: [{name: a, image: x}]", want: []string{"initContainers[0].securityContext.privileged"}},
	{name: "not privileged", check: "privileged-container", spec: "containers: [{name: a, image: x, securityContext: {privileged: false}}]"},

	{name: "escalation unset", check: "privilege-escalation-allowed", spec: "containers: [{name: a, image: x}]", want: []string{"containers[0].securityContext.allowPrivilegeEscalation"}},
	{name: "escalation true in init", check: "privilege-escalation-allowed", spec: "initContainers: [{name: i, image: x, securityContext: {allowPrivilegeEscalation: true}}]\ncontainers: [{name: a, image: x, securityContext: {allowPrivilegeEscalation: false}}]", want: []string{"initContainers[0].securityContext.allowPrivilegeEscalation"}},
	{name: "escalation false", check: "privilege-escalation-allowed", spec: "containers: [{name: a, image: x, securityContext: {allowPrivilegeEscalation: false}}]"},
	{name: "escalation windows", check: "privilege-escalation-allowed", spec: "os: {name: windows}\ncontainers: [{name: a, image: x}]"},

	{name: "root by default", check: "run-as-root", spec: "containers: [{name: a, image: x}]", want: []string{"containers[0].securityContext.runAsNonRoot"}},
	{name: "pod uid 0", check: "run-as-root", spec: "securityContext: {runAsUser: 0}\ncontainers: [{name: a, image: x}]", want: []string{"securityContext.runAsUser"}},
	{name: "container overrides pod non-root", check: "run-as-root", spec: "securityContext: {runAsNonRoot: true}\ncontainers: [{name: a, image: x, securityContext: {runAsNonRoot: false}}, {name: b, image: x}]", want: []string{"containers[0].securityContext.runAsNonRoot"}},
	{name: "container uid wins over pod root", check: "run-as-root", spec: "securityContext: {runAsUser: 0}\ncontainers: [{name: a, image: x, securityContext: {runAsUser: 1000}}]"},
	{name: "pod non-root", check: "run-as-root", spec: "securityContext: {runAsNonRoot: true}\ncontainers: [{name: a, image: x}]\nephemeralContainers: [{name: e, image: x}]"},
	{name: "ephemeral root", check: "run-as-root", spec: "securityContext: {runAsUser: 5}\ncontainers: [{name: a, image: x}]\nephemeralContainers: [{name: e, image: x, securityContext: {runAsUser: 0}}]", want: []string{"ephemeralContainers[0].securityContext.runAsUser"}},

	{name: "writable root", check: "writable-root-filesystem", spec: "containers: [{name: a, image: x, securityContext: {readOnlyRootFilesystem: false}}]", want: []string{"containers[0].securityContext.readOnlyRootFilesystem"}},
	{name: "read-only root", check: "writable-root-filesystem", spec: "containers: [{name: a, image: x, securityContext: {readOnlyRootFilesystem: true}}]"},

	{name: "caps kept", check: "capabilities-not-dropped", spec: "containers: [{name: a, image: x, securityContext: {capabilities: {drop: [NET_RAW]}}}]", want: []string{"containers[0].securityContext.capabilities.drop"}},
	{name: "caps dropped lower-case", check: "capabilities-not-dropped", spec: "containers: [{name: a, image: x, securityContext: {capabilities: {drop: [all]}}}]"},

	{name: "dangerous caps", check: "dangerous-capabilities", spec: "containers: [{name: a, image: x, securityContext: {capabilities: {add: [CHOWN, cap_sys_admin, NET_RAW]}}}]", want: []string{"containers[0].securityContext.capabilities.add[1]", "containers[0].securityContext.capabilities.add[2]"}},
	{name: "harmless caps", check: "dangerous-capabilities", spec: "containers: [{name: a, image: x, securityContext: {capabilities: {add: [NET_BIND_SERVICE, CHOWN], drop: [SYS_ADMIN]}}}]"},

	{name: "host network", check: "host-network", spec: "hostNetwork: true\ncontainers: [{name: a, image: x}]", want: []string{"hostNetwork"}},
	{name: "no host network", check: "host-network", spec: "hostNetwork: false\nhostPID: true\ncontainers: [{name: a, image: x}]"},
	{name: "host pid", check: "host-pid", spec: "hostPID: true\ncontainers: [{name: a, image: x}]", want: []string{"hostPID"}},
	{name: "no host pid", check: "host-pid", spec: "hostIPC: true\ncontainers: [{name: a, image: x}]"},
	{name: "host ipc", check: "host-ipc", spec: "hostIPC: true\ncontainers: [{name: a, image: x}]", want: []string{"hostIPC"}},
	{name: "no host ipc", check: "host-ipc", spec: "containers: [{name: a, image: x}]"},

	{name: "host port", check: "host-port", spec: "containers: [{name: a, image: x, ports: [{containerPort: 80}, {containerPort: 443, hostPort: 443}]}]", want: []string{"containers[0].ports[1].hostPort"}},
	{name: "no host port", check: "host-port", spec: "containers: [{name: a, image: x, ports: [{containerPort: 80}]}]"},

	{name: "sensitive paths", check: "sensitive-host-path", spec: `containers: [{name: a, image: x, volumeMounts: [{name: etc, mountPath: /h/etc, readOnly: true}, {name: data, mountPath: /data}, {name: root, mountPath: /h, readOnly: true}, {name: kube, mountPath: /k, readOnly: true}]}]
volumes:
  - {name: etc, hostPath: {path: /etc/ssl}}
  - {name: data, hostPath: {path: /srv/data}}
  - {name: root, hostPath: {path: /}}
  - {name: kube, hostPath: {path: /var/lib/kubelet/pki}}`, want: []string{"volumes[0].hostPath.path", "volumes[1].hostPath.path", "volumes[2].hostPath.path", "volumes[3].hostPath.path"}},
	{name: "harmless host path", check: "sensitive-host-path", spec: `containers: [{name: a, image: x, volumeMounts: [{name: d, mountPath: /d, readOnly: true}]}]
volumes: [{name: d, hostPath: {path: /srv/etc}}, {name: unused, hostPath: {path: /etc}}]`},

	{name: "seccomp missing", check: "seccomp-unconfined", spec: "containers: [{name: a, image: x}]", want: []string{"containers[0].securityContext.seccompProfile"}},
	{name: "seccomp unconfined container", check: "seccomp-unconfined", spec: "securityContext: {seccompProfile: {type: RuntimeDefault}}\ncontainers: [{name: a, image: x, securityContext: {seccompProfile: {type: Unconfined}}}, {name: b, image: x}]", want: []string{"containers[0].securityContext.seccompProfile.type"}},
	{name: "seccomp pod default", check: "seccomp-unconfined", spec: "securityContext: {seccompProfile: {type: RuntimeDefault}}\ncontainers: [{name: a, image: x}]"},

	{name: "apparmor unconfined", check: "apparmor-unconfined", spec: "securityContext: {appArmorProfile: {type: Unconfined}}\ncontainers: [{name: a, image: x}, {name: b, image: x, securityContext: {appArmorProfile: {type: RuntimeDefault}}}]", want: []string{"securityContext.appArmorProfile.type"}},
	{name: "apparmor default", check: "apparmor-unconfined", spec: "containers: [{name: a, image: x, securityContext: {appArmorProfile: {type: RuntimeDefault}}}]"},

	{name: "unsafe sysctl", check: "unsafe-sysctls", spec: "securityContext: {sysctls: [{name: net.ipv4.tcp_syncookies, value: '1'}, {name: kernel.msgmax, value: '1'}]}\ncontainers: [{name: a, image: x}]", want: []string{"securityContext.sysctls[1].name"}},
	{name: "safe sysctl", check: "unsafe-sysctls", spec: "securityContext: {sysctls: [{name: net.ipv4.ip_local_port_range, value: '1024 65535'}]}\ncontainers: [{name: a, image: x}]"},

	{name: "proc unmasked", check: "proc-mount-unmasked", spec: "containers: [{name: a, image: x, securityContext: {procMount: Unmasked}}]", want: []string{"containers[0].securityContext.procMount"}},
	{name: "proc unknown", check: "proc-mount-unmasked", spec: "containers: [{name: a, image: x, securityContext: {procMount: Other}}]", want: []string{"containers[0].securityContext.procMount"}},
	{name: "proc default", check: "proc-mount-unmasked", spec: "containers: [{name: a, image: x, securityContext: {procMount: Default}}]"},

	{name: "host process pod", check: "windows-host-process", spec: "securityContext: {windowsOptions: {hostProcess: true}}\nhostNetwork: true\ncontainers: [{name: a, image: x}]", want: []string{"securityContext.windowsOptions.hostProcess"}},
	{name: "host process overridden", check: "windows-host-process", spec: "securityContext: {windowsOptions: {hostProcess: true}}\ncontainers: [{name: a, image: x, securityContext: {windowsOptions: {hostProcess: false}}}]"},

	{name: "latest and no tag", check: "image-latest-tag", spec: "containers: [{name: a, image: nginx}, {name: b, image: 'nginx:latest'}, {name: c, image: 'host:5000/app'}, {name: d, image: 'Not A Ref'}]", want: []string{"containers[0].image", "containers[1].image", "containers[2].image", "containers[3].image"}},
	{name: "tagged or pinned", check: "image-latest-tag", spec: "containers: [{name: a, image: 'nginx:1.27'}, {name: b, image: 'nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'}, {name: c, image: 'host:5000/app:v1'}]"},
	{name: "not pinned", check: "image-not-pinned", spec: "containers: [{name: a, image: 'nginx:1.27'}, {name: b, image: 'app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'}]", want: []string{"containers[0].image"}},
	{name: "pinned", check: "image-not-pinned", spec: "containers: [{name: b, image: 'app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'}]"},
	{name: "pull policy", check: "image-pull-policy", spec: "containers: [{name: a, image: 'nginx:1.27'}, {name: b, image: nginx, imagePullPolicy: IfNotPresent}, {name: c, image: nginx}, {name: d, image: 'nginx:1.27', imagePullPolicy: Always}]", want: []string{"containers[0].imagePullPolicy", "containers[1].imagePullPolicy"}},
	{name: "pull policy pinned", check: "image-pull-policy", spec: "containers: [{name: a, image: 'nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', imagePullPolicy: Never}]"},

	{name: "token automount", check: "service-account-token-automount", spec: "containers: [{name: a, image: x}]", want: []string{"automountServiceAccountToken"}},
	{name: "token automount explicit", check: "service-account-token-automount", spec: "automountServiceAccountToken: true\ncontainers: [{name: a, image: x}]", want: []string{"automountServiceAccountToken"}},
	{name: "token off", check: "service-account-token-automount", spec: "automountServiceAccountToken: false\ncontainers: [{name: a, image: x}]"},
	{name: "default sa", check: "default-service-account", spec: "serviceAccountName: default\ncontainers: [{name: a, image: x}]", want: []string{"serviceAccountName"}},
	{name: "own sa", check: "default-service-account", spec: "serviceAccountName: app\ncontainers: [{name: a, image: x}]"},

	{name: "secret in env", check: "secret-in-env", spec: `containers:
  - name: a
    image: x
    env:
      - {name: DB_PASSWORD, value: "hunter2!"}
      - {name: AWS_KEY_ID, value: AKIAIOSFODNN7EXAMPLE}
      - {name: TLS, value: "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"}
      - {name: API_TOKEN_FILE, value: /var/run/token}
      - {name: PASSWORD, value: "${DB_PASSWORD}"}
      - {name: LOG_LEVEL, value: debug}
      - {name: SSH, value: "---BEGIN OPENSSH PRIVATE KEY---\nxx\n---END OPENSSH PRIVATE KEY---"}`, want: []string{"containers[0].env[0].value", "containers[0].env[1].value", "containers[0].env[2].value", "containers[0].env[6].value"}},
	{name: "all-digit password", check: "secret-in-env", spec: `containers:
  - name: a
    image: x
    env:
      - {name: MYSQL_ROOT_PASSWORD, value: "123456"}
      - {name: mysqlRootPassword, value: "2468"}
      - {name: DB_PASS, value: "00001111"}
      - {name: GITHUB_TOKEN, value: "31415926535"}`, want: []string{"containers[0].env[0].value", "containers[0].env[1].value", "containers[0].env[2].value", "containers[0].env[3].value"}},
	{name: "numbers beside secret words", check: "secret-in-env", spec: `containers:
  - name: a
    image: x
    env:
      - {name: MYSQL_ALLOW_EMPTY_PASSWORD, value: "1"}
      - {name: MYSQL_RANDOM_ROOT_PASSWORD, value: "1"}
      - {name: PASSWORD, value: "0"}
      - {name: SECRET_ROTATION_DAYS, value: "3650"}
      - {name: MAX_TOKENS, value: "4096"}
      - {name: TOKEN_LIFETIME_SECONDS, value: "86400"}
      - {name: PASSWORD_MIN_LENGTH, value: "12"}
      - {name: VAULT_TOKEN_PORT, value: "8200"}
      - {name: BCRYPT_PASSWORD_COST, value: "1200"}
      - {name: API_KEY_VERSION, value: "2024"}
      - {name: KEYCLOAK_TOKEN_REFRESH, value: "300000"}`},
	{name: "secret by reference", check: "secret-in-env", spec: "containers: [{name: a, image: x, env: [{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}, {name: TOKEN_TTL, value: '3600'}]}]"},
	{name: "secrets as env", check: "secrets-as-env", spec: "containers: [{name: a, image: x, env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: p}}}], envFrom: [{configMapRef: {name: c}}, {secretRef: {name: s}}]}]", want: []string{"containers[0].env[0].valueFrom.secretKeyRef", "containers[0].envFrom[1].secretRef"}},
	{name: "config as env", check: "secrets-as-env", spec: "containers: [{name: a, image: x, envFrom: [{configMapRef: {name: c}}]}]"},

	{name: "no memory limit", check: "missing-memory-limit", spec: "initContainers: [{name: i, image: x}]\ncontainers: [{name: a, image: x, resources: {requests: {memory: 1Gi}}}]", want: []string{"initContainers[0].resources.limits.memory", "containers[0].resources.limits.memory"}},
	{name: "memory limit", check: "missing-memory-limit", spec: "containers: [{name: a, image: x, resources: {limits: {memory: 1Gi}}}]\nephemeralContainers: [{name: e, image: x}]"},
	{name: "no memory request", check: "missing-memory-request", spec: "containers: [{name: a, image: x, resources: {requests: {cpu: 1}}}]", want: []string{"containers[0].resources.requests.memory"}},
	{name: "memory request from limit", check: "missing-memory-request", spec: "containers: [{name: a, image: x, resources: {limits: {memory: 1Gi}}}]"},
	{name: "no cpu request", check: "missing-cpu-request", spec: "containers: [{name: a, image: x}]", want: []string{"containers[0].resources.requests.cpu"}},
	{name: "cpu request", check: "missing-cpu-request", spec: "containers: [{name: a, image: x, resources: {requests: {cpu: 100m}}}]"},
	{name: "no cpu limit", check: "missing-cpu-limit", spec: "containers: [{name: a, image: x, resources: {requests: {cpu: 100m}}}]", want: []string{"containers[0].resources.limits.cpu"}},
	{name: "cpu limit", check: "missing-cpu-limit", spec: "containers: [{name: a, image: x, resources: {limits: {cpu: 1}}}]"},

	{name: "duplicate env", check: "duplicate-env-var", spec: "containers: [{name: a, image: x, env: [{name: A, value: '1'}, {name: B, value: '2'}, {name: A, value: '3'}]}]", want: []string{"containers[0].env[2].name"}},
	{name: "distinct env", check: "duplicate-env-var", spec: "containers: [{name: a, image: x, env: [{name: A, value: '1'}]}, {name: b, image: x, env: [{name: A, value: '1'}]}]"},
}

func TestCatalogueOverEveryWorkloadKind(t *testing.T) {
	for _, c := range catalogue {
		kinds := c.kinds
		if kinds == nil {
			kinds = allKinds
		}
		for _, kind := range kinds {
			t.Run(c.check+"/"+c.name+"/"+kind, func(t *testing.T) {
				var want []string
				for _, p := range c.want {
					want = append(want, specPath[kind]+"."+p)
				}
				expectFindings(t, scanText(t, c.check, workload(kind, c.spec)), want...)
			})
		}
	}
}

// Every registered check must have a case that fires and one that does not,
// here or in its own test file.
func TestEveryCheckHasCases(t *testing.T) {
	fires, misses := map[string]bool{}, map[string]bool{}
	for _, c := range catalogue {
		if len(c.want) > 0 {
			fires[c.check] = true
		} else {
			misses[c.check] = true
		}
	}
	for _, id := range []string{"privileged-container", "privilege-escalation-allowed", "run-as-root", "writable-root-filesystem", "capabilities-not-dropped",
		"dangerous-capabilities", "host-network", "host-pid", "host-ipc", "host-port", "sensitive-host-path", "seccomp-unconfined",
		"apparmor-unconfined", "unsafe-sysctls", "proc-mount-unmasked", "windows-host-process", "image-latest-tag", "image-not-pinned",
		"image-pull-policy", "service-account-token-automount", "default-service-account", "secret-in-env", "secrets-as-env",
		"missing-memory-limit", "missing-memory-request", "missing-cpu-request", "missing-cpu-limit", "duplicate-env-var"} {
		if !fires[id] || !misses[id] {
			t.Errorf("%s: fires=%v near-miss=%v", id, fires[id], misses[id])
		}
	}
}
