{{/* The chart's name, or nameOverride. */}}
{{- define "kube4c.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The prefix of every object's name: fullnameOverride, else the release name
when it already contains the chart's name, else RELEASE-kube4c. Kept short
enough for the component suffixes (-admission-selfsigned is the longest).
*/}}
{{- define "kube4c.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kube4c.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name of a component's objects: (dict "root" $ "component" "watch"). */}}
{{- define "kube4c.componentName" -}}
{{- printf "%s-%s" (include "kube4c.fullname" .root) .component -}}
{{- end -}}

{{/* Labels that select a component's pods. */}}
{{- define "kube4c.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kube4c.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels of every object of a component. */}}
{{- define "kube4c.labels" -}}
{{ include "kube4c.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: kube4c
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "kube4c.chart" .root }}
{{- end -}}

{{/*
The image: repository@digest when a digest is set, else repository:tag (the
chart's appVersion by default). kube4c reports a version tag without a
digest as image-not-pinned (low), and only latest or no tag as
image-latest-tag (medium): the chart excepts neither, so a scan of what it
renders tells the truth about the image the values name.
*/}}
{{- define "kube4c.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
The namespaces the admission webhook leaves out: admission.exemptNamespaces
and the release's namespace, as a JSON list.
*/}}
{{- define "kube4c.admission.exemptNamespaces" -}}
{{- concat .Values.admission.exemptNamespaces (list .Release.Namespace) | uniq | toJson -}}
{{- end -}}

{{/*
The .kube4c.yaml of every component: .Values.config, with
admission.exempt.namespaces set from admission.exemptNamespaces.
*/}}
{{- define "kube4c.config" -}}
{{- $config := deepCopy (.Values.config | default dict) -}}
{{- $admission := get $config "admission" | default dict -}}
{{- $exempt := get $admission "exempt" | default dict -}}
{{- if hasKey $exempt "namespaces" -}}
{{- fail "config.admission.exempt.namespaces: set admission.exemptNamespaces instead; the chart writes it into both the webhook configuration and the config" -}}
{{- end -}}
{{- $_ := set $exempt "namespaces" (include "kube4c.admission.exemptNamespaces" . | fromJsonArray) -}}
{{- $_ := set $admission "exempt" $exempt -}}
{{- $_ := set $config "admission" $admission -}}
{{- toYaml $config -}}
{{- end -}}

{{/* The pod-level security context of every component (Restricted). */}}
{{- define "kube4c.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The container-level security context of every component. */}}
{{- define "kube4c.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
seccompProfile:
  type: RuntimeDefault
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
The API token, mounted explicitly where automountServiceAccountToken would
put it: a token the kubelet renews every hour, the cluster's CA and the
namespace, where client-go's in-cluster configuration looks.
*/}}
{{- define "kube4c.apiTokenVolume" -}}
- name: api-token
  projected:
    defaultMode: 0440
    sources:
      - serviceAccountToken:
          path: token
          expirationSeconds: 3600
      - configMap:
          name: kube-root-ca.crt
          items:
            - key: ca.crt
              path: ca.crt
      - downwardAPI:
          items:
            - path: namespace
              fieldRef:
                fieldPath: metadata.namespace
{{- end -}}

{{- define "kube4c.apiTokenMount" -}}
- name: api-token
  mountPath: /var/run/secrets/kubernetes.io/serviceaccount
  readOnly: true
{{- end -}}

{{/*
The affinity of a component: its own value, else its replicas preferably on
different nodes. (dict "root" $ "component" "watch" "values" .Values.watch)
*/}}
{{- define "kube4c.affinity" -}}
{{- if .values.affinity -}}
{{- toYaml .values.affinity -}}
{{- else -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "kube4c.selectorLabels" . | nindent 12 }}
{{- end -}}
{{- end -}}

{{/* Spread over zones and nodes where the cluster has several. */}}
{{- define "kube4c.topologySpread" -}}
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "kube4c.selectorLabels" . | nindent 6 }}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "kube4c.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* Scheduling fields shared by the components' pod specs. */}}
{{- define "kube4c.scheduling" -}}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
The egress rules of a component that talks to the API server: the API
server's ports (networkPolicy.apiServer) and DNS.
*/}}
{{- define "kube4c.egressAPIServer" -}}
- to:
    {{- range .Values.networkPolicy.apiServer.cidrs }}
    - ipBlock:
        cidr: {{ .cidr }}
        {{- with .except }}
        except:
          {{- toYaml . | nindent 10 }}
        {{- end }}
    {{- end }}
  ports:
    {{- range .Values.networkPolicy.apiServer.ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- include "kube4c.egressDNS" . }}
{{- end -}}

{{- define "kube4c.egressDNS" -}}
{{- if .Values.networkPolicy.dns.enabled }}
- to:
    - namespaceSelector:
        {{- toYaml .Values.networkPolicy.dns.namespaceSelector | nindent 8 }}
      podSelector:
        {{- toYaml .Values.networkPolicy.dns.podSelector | nindent 8 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}
{{- end -}}

{{/*
A serving certificate generated by the chart when cert-manager is off, for
the Service of a component: (dict "root" $ "component" "admission"
"tls" .Values.admission.tls). An existing Secret of the release is kept, so
that an upgrade does not replace the CA that the API server trusts; the
result is a dict with ca.crt, tls.crt and tls.key, base64-encoded, as JSON.
*/}}
{{- define "kube4c.generatedCert" -}}
{{- $name := include "kube4c.componentName" . -}}
{{- $ns := .root.Release.Namespace -}}
{{- $secretName := printf "%s-tls" $name -}}
{{- $existing := lookup "v1" "Secret" $ns $secretName -}}
{{- if and $existing $existing.data (hasKey $existing.data "ca.crt") (hasKey $existing.data "tls.crt") (hasKey $existing.data "tls.key") -}}
{{- dict "ca.crt" (index $existing.data "ca.crt") "tls.crt" (index $existing.data "tls.crt") "tls.key" (index $existing.data "tls.key") | toJson -}}
{{- else -}}
{{- $dnsNames := list $name (printf "%s.%s" $name $ns) (printf "%s.%s.svc" $name $ns) (printf "%s.%s.svc.cluster.local" $name $ns) -}}
{{- $dnsNames = concat $dnsNames (.tls.extraDNSNames | default list) -}}
{{- $ips := .tls.extraIPs | default list -}}
{{- $days := int .tls.validityDays -}}
{{- $ca := genCA (printf "%s CA" $name) $days -}}
{{- $cert := genSignedCert $name $ips $dnsNames $days $ca -}}
{{- dict "ca.crt" ($ca.Cert | b64enc) "tls.crt" ($cert.Cert | b64enc) "tls.key" ($cert.Key | b64enc) | toJson -}}
{{- end -}}
{{- end -}}

{{/*
The serving certificate of a component, issued and renewed by cert-manager:
a self-signed Issuer makes a CA of the component's own, a CA Issuer uses it,
and a Certificate for the Service's names is written into the Secret
NAME-tls that the pods mount. (dict "root" $ "component" "admission"
"tls" .Values.admission.tls)
*/}}
{{- define "kube4c.certManager" -}}
{{- $name := include "kube4c.componentName" . -}}
{{- $ns := .root.Release.Namespace -}}
{{- $labels := include "kube4c.labels" . -}}
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: {{ $name }}-selfsigned
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {{ $name }}-ca
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  isCA: true
  commonName: {{ $name }} CA
  secretName: {{ $name }}-ca
  duration: 43800h # 5 years
  renewBefore: 8760h
  privateKey:
    algorithm: ECDSA
    size: 256
    rotationPolicy: Always
  issuerRef:
    group: cert-manager.io
    kind: Issuer
    name: {{ $name }}-selfsigned
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: {{ $name }}-ca
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  ca:
    secretName: {{ $name }}-ca
---
# Renewed a month before it expires; the server reads the renewed files of
# the mounted Secret.
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {{ $name }}
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  secretName: {{ $name }}-tls
  dnsNames:
    - {{ $name }}
    - {{ $name }}.{{ $ns }}
    - {{ $name }}.{{ $ns }}.svc
    - {{ $name }}.{{ $ns }}.svc.cluster.local
    {{- range .tls.extraDNSNames }}
    - {{ . }}
    {{- end }}
  {{- with .tls.extraIPs }}
  ipAddresses:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  duration: 2160h # 90 days
  renewBefore: 720h
  usages: [server auth, digital signature]
  privateKey:
    algorithm: ECDSA
    size: 256
    rotationPolicy: Always
  issuerRef:
    group: cert-manager.io
    kind: Issuer
    name: {{ $name }}-ca
{{- end -}}

{{/* The Secret NAME-tls of a generated certificate (kube4c.generatedCert's JSON). */}}
{{- define "kube4c.tlsSecret" -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "kube4c.componentName" . }}-tls
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "kube4c.labels" . | nindent 4 }}
type: kubernetes.io/tls
data:
  ca.crt: {{ index .cert "ca.crt" }}
  tls.crt: {{ index .cert "tls.crt" }}
  tls.key: {{ index .cert "tls.key" }}
{{- end -}}
