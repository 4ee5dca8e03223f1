package catalog

import "testing"

func TestPrivilegedContainer(t *testing.T) {
	fires := `apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - {name: init, image: x, securityContext: {privileged: true}}
          containers:
            - {name: ok, image: x, securityContext: {privileged: false}}
            - {name: bad, image: x, securityContext: {privileged: true}}
          ephemeralContainers:
            - {name: debug, image: x, securityContext: {privileged: true}}
`
	f := scanText(t, "privileged-container", fires)
	expectFindings(t, f,
		"spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.privileged",
		"spec.jobTemplate.spec.template.spec.containers[1].securityContext.privileged",
		"spec.jobTemplate.spec.template.spec.ephemeralContainers[0].securityContext.privileged")
	if f[1].Container != "bad" || f[1].Location.Line != 14 {
		t.Errorf("container %q at line %d", f[1].Container, f[1].Location.Line)
	}

	nearMiss := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - {name: a, image: x, securityContext: {privileged: false, allowPrivilegeEscalation: true}}
    - {name: b, image: x}
`
	expectFindings(t, scanText(t, "privileged-container", nearMiss))
}
