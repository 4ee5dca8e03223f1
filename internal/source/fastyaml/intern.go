package fastyaml

// common holds the keys and type names that most manifests repeat, so that
// reading them allocates no new string.
var common = func() map[string]string {
	words := []string{
		"apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations",
		"spec", "status", "data", "stringData", "type", "items", "generateName",
		"uid", "ownerReferences", "finalizers", "creationTimestamp",
		"app", "app.kubernetes.io/name", "app.kubernetes.io/instance",
		"app.kubernetes.io/component", "app.kubernetes.io/part-of",
		"app.kubernetes.io/version", "app.kubernetes.io/managed-by",
		"replicas", "selector", "matchLabels", "matchExpressions", "key", "operator",
		"values", "value", "template", "strategy", "rollingUpdate", "maxSurge",
		"maxUnavailable", "revisionHistoryLimit", "minReadySeconds", "serviceName",
		"volumeClaimTemplates", "updateStrategy", "podManagementPolicy",
		"containers", "initContainers", "ephemeralContainers", "image",
		"imagePullPolicy", "command", "args", "workingDir", "ports", "containerPort",
		"hostPort", "protocol", "env", "envFrom", "valueFrom", "fieldRef",
		"fieldPath", "secretKeyRef", "configMapKeyRef", "configMapRef", "secretRef",
		"resourceFieldRef", "resource", "divisor", "optional", "prefix",
		"resources", "limits", "requests", "cpu", "memory", "ephemeral-storage",
		"volumeMounts", "mountPath", "subPath", "readOnly", "mountPropagation",
		"volumeDevices", "devicePath", "livenessProbe", "readinessProbe",
		"startupProbe", "httpGet", "path", "port", "scheme", "httpHeaders",
		"tcpSocket", "exec", "grpc", "initialDelaySeconds", "periodSeconds",
		"timeoutSeconds", "successThreshold", "failureThreshold",
		"terminationGracePeriodSeconds", "lifecycle", "preStop", "postStart",
		"securityContext", "runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup",
		"fsGroupChangePolicy", "supplementalGroups", "privileged",
		"allowPrivilegeEscalation", "readOnlyRootFilesystem", "capabilities", "add",
		"drop", "seccompProfile", "localhostProfile", "appArmorProfile",
		"seLinuxOptions", "level", "role", "user", "windowsOptions", "procMount",
		"sysctls", "stdin", "stdinOnce", "tty", "terminationMessagePath",
		"terminationMessagePolicy", "restartPolicy", "volumes", "emptyDir",
		"medium", "sizeLimit", "hostPath", "configMap", "secret", "secretName",
		"defaultMode", "persistentVolumeClaim", "claimName", "projected", "sources",
		"serviceAccountToken", "expirationSeconds", "audience", "downwardAPI",
		"mode", "nodeSelector", "nodeName", "affinity", "nodeAffinity",
		"podAffinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
		"preferredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms",
		"labelSelector", "topologyKey", "weight", "podAffinityTerm", "preference",
		"tolerations", "effect", "tolerationSeconds", "topologySpreadConstraints",
		"maxSkew", "whenUnsatisfiable", "serviceAccountName", "serviceAccount",
		"automountServiceAccountToken", "hostNetwork", "hostPID", "hostIPC",
		"dnsPolicy", "dnsConfig", "priorityClassName", "priority", "schedulerName",
		"imagePullSecrets", "hostAliases", "hostname", "subdomain",
		"shareProcessNamespace", "enableServiceLinks", "runtimeClassName",
		"overhead", "os", "hostUsers", "schedule", "jobTemplate",
		"concurrencyPolicy", "successfulJobsHistoryLimit", "failedJobsHistoryLimit",
		"startingDeadlineSeconds", "suspend", "backoffLimit", "completions",
		"parallelism", "activeDeadlineSeconds", "ttlSecondsAfterFinished",
		"clusterIP", "clusterIPs", "externalTrafficPolicy", "sessionAffinity",
		"targetPort", "nodePort", "loadBalancerIP", "externalName", "ipFamilies",
		"ipFamilyPolicy", "rules", "apiGroups", "verbs", "resourceNames",
		"nonResourceURLs", "roleRef", "subjects", "apiGroup", "ingress", "egress",
		"from", "to", "podSelector", "namespaceSelector", "ipBlock", "cidr",
		"except", "policyTypes", "host", "http", "paths", "pathType", "backend",
		"service", "number", "tls", "hosts", "ingressClassName", "accessModes",
		"storageClassName", "storage", "volumeMode", "volumeName", "group",
		"version", "versions", "served", "names", "plural", "singular", "shortNames",
		"listKind", "scope", "schema", "openAPIV3Schema", "properties",
		"description", "format", "required", "additionalProperties",
		"x-kubernetes-preserve-unknown-fields", "enum", "default", "minimum",
		"maximum", "nullable", "subresources", "additionalPrinterColumns",
		"jsonPath", "object", "string", "integer", "boolean", "array",
		"v1", "apps/v1", "batch/v1", "rbac.authorization.k8s.io/v1",
		"networking.k8s.io/v1", "policy/v1", "apiextensions.k8s.io/v1",
		"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
		"ReplicationController", "Job", "CronJob", "PodTemplate", "Service",
		"ConfigMap", "Secret", "ServiceAccount", "Namespace", "Role", "RoleBinding",
		"ClusterRole", "ClusterRoleBinding", "NetworkPolicy", "Ingress",
		"PersistentVolumeClaim", "PersistentVolume", "List",
		"CustomResourceDefinition", "PodDisruptionBudget",
		"HorizontalPodAutoscaler", "TCP", "UDP", "Always", "IfNotPresent", "Never",
		"RuntimeDefault", "ALL", "true", "false",
	}
	m := make(map[string]string, len(words))
	for _, w := range words {
		m[w] = w
	}
	return m
}()

// intern returns b as a string, shared with earlier ones when it is common.
func intern(b []byte) string {
	if s, ok := common[string(b)]; ok {
		return s
	}
	return string(b)
}
