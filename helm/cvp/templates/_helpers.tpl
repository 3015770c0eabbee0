{{/*
Names, labels and the per-service values of the cvp chart.
*/}}

{{- define "cvp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every resource name: <release>-cvp, or <release> when it already contains the chart name. */}}
{{- define "cvp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "cvp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of a service's resources: <fullname>-<service>. Argument: dict "root" $ "name" <service>. */}}
{{- define "cvp.componentName" -}}
{{- printf "%s-%s" (include "cvp.fullname" .root | trunc 52 | trimSuffix "-") .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cvp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cvp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cvp.labels" -}}
helm.sh/chart: {{ include "cvp.chart" . }}
{{ include "cvp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cvp
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of one service's resources. Argument: dict "root" $ "name" <service>. */}}
{{- define "cvp.componentLabels" -}}
{{ include "cvp.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "cvp.componentSelectorLabels" -}}
{{ include "cvp.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* metadata.annotations from commonAnnotations (and extra ones). Argument: dict "root" $ "extra" <map>. */}}
{{- define "cvp.annotations" -}}
{{- $annotations := merge (deepCopy (default dict .extra)) (deepCopy (default dict .root.Values.commonAnnotations)) -}}
{{- with $annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "cvp.image" -}}
{{- $repository := .Values.image.repository -}}
{{- if .Values.image.registry -}}
{{- $repository = printf "%s/%s" .Values.image.registry .Values.image.repository -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/*
The image of one service: `image` with the service's non-empty image.repository / tag / digest over it; a service
tag without a service digest drops `image.digest`. Argument: dict "root" $ "svc" <effective service values>.
*/}}
{{- define "cvp.serviceImage" -}}
{{- $image := deepCopy .root.Values.image -}}
{{- $own := default dict .svc.image -}}
{{- range $key, $value := $own -}}
{{- if $value -}}{{- $_ := set $image $key $value -}}{{- end -}}
{{- end -}}
{{- if and $own.tag (not $own.digest) -}}{{- $_ := set $image "digest" "" -}}{{- end -}}
{{- include "cvp.image" (dict "Values" (dict "image" $image) "Chart" .root.Chart) -}}
{{- end -}}

{{- define "cvp.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "cvp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "cvp.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "cvp.configMapName" -}}
{{- printf "%s-config" (include "cvp.fullname" .) -}}
{{- end -}}

{{/* Secret and key of DATABASE_URL: the existing Secret, else the one the chart makes from database.url. */}}
{{- define "cvp.databaseSecretName" -}}
{{- if .Values.database.existingSecret -}}
{{- .Values.database.existingSecret -}}
{{- else -}}
{{- printf "%s-database" (include "cvp.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "cvp.databaseSecretKey" -}}
{{- if .Values.database.existingSecret -}}
{{- .Values.database.existingSecretKey -}}
{{- else -}}
database-url
{{- end -}}
{{- end -}}

{{- define "cvp.databaseUrlEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "cvp.databaseSecretName" . }}
      key: {{ include "cvp.databaseSecretKey" . }}
{{- end -}}

{{/*
Recursive merge of two maps: keys of .values override those of .defaults; nested maps merge key by key; any other
value (lists included) is replaced. Unlike sprig's merge/mergeOverwrite, a false, 0 or "" in .values does override.
Renders YAML; use with fromYaml.
*/}}
{{- define "cvp.deepMerge" -}}
{{- $out := deepCopy (default dict .defaults) -}}
{{- range $key, $value := (default dict .values) -}}
{{- $current := index $out $key -}}
{{- if and (kindIs "map" $value) (kindIs "map" $current) -}}
{{- $_ := set $out $key (include "cvp.deepMerge" (dict "defaults" $current "values" $value) | fromYaml) -}}
{{- else -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The effective values of one service: serviceDefaults overridden by services.<name>. Renders YAML. */}}
{{- define "cvp.serviceValues" -}}
{{- $svc := include "cvp.deepMerge" (dict "defaults" .root.Values.serviceDefaults "values" (index .root.Values.services .name)) | fromYaml -}}
{{- if not $svc.script -}}
{{- $_ := set $svc "script" (printf "dist/apps/%s/src/main.js" .name) -}}
{{- end -}}
{{- toYaml $svc -}}
{{- end -}}

{{/* "true" when some enabled service lists the dependency (.dependency). Argument: dict "root" $ "dependency" <name>. */}}
{{- define "cvp.anyServiceUses" -}}
{{- $root := .root -}}
{{- $dependency := .dependency -}}
{{- range $name, $_ := $root.Values.services -}}
{{- $svc := include "cvp.serviceValues" (dict "root" $root "name" $name) | fromYaml -}}
{{- if and $svc.enabled (has $dependency $svc.dependencies) -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/* Fails the render with a clear message when a required value is missing. */}}
{{- define "cvp.validateValues" -}}
{{- $usesRedis := include "cvp.anyServiceUses" (dict "root" . "dependency" "redis") -}}
{{- $usesPostgres := include "cvp.anyServiceUses" (dict "root" . "dependency" "postgres") -}}
{{- if not .Values.kafka.brokers -}}
{{- fail "kafka.brokers is required, e.g. --set kafka.brokers='{kafka-0.kafka:9092,kafka-1.kafka:9092}'" -}}
{{- end -}}
{{- if and $usesRedis (not .Values.redis.url) (not .Values.redis.existingSecret) -}}
{{- fail "redis.url (or redis.existingSecret) is required by the enabled services that list redis, e.g. --set redis.url=redis://redis-master:6379" -}}
{{- end -}}
{{- if and (or $usesPostgres .Values.migrations.enabled) (not .Values.database.existingSecret) (not .Values.database.url) -}}
{{- fail "database.existingSecret is required (a Secret whose key database.existingSecretKey holds postgresql://user:password@host:5432/db), e.g. --set database.existingSecret=cvp-database" -}}
{{- end -}}
{{- range $name, $_ := .Values.services -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $name) -}}
{{- fail (printf "services.%s: a service name must be a DNS label (lower case letters, digits, '-')" $name) -}}
{{- end -}}
{{- end -}}
{{- range $name, $_ := .Values.services -}}
{{- $svc := include "cvp.serviceValues" (dict "root" $ "name" $name) | fromYaml -}}
{{- range $svc.upstreams -}}
{{- if not (hasKey $.Values.services .) -}}
{{- fail (printf "services.%s.upstreams: %s is not a service of services" $name .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "cvp.podSecurityContext" -}}
{{- if .Values.podSecurityContext.enabled }}
securityContext:
  {{- omit .Values.podSecurityContext "enabled" | toYaml | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "cvp.containerSecurityContext" -}}
{{- if .Values.containerSecurityContext.enabled }}
securityContext:
  {{- omit .Values.containerSecurityContext "enabled" | toYaml | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Annotations that roll the pods when the shared configuration or the chart-made database Secret changes. */}}
{{- define "cvp.checksumAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if and (not .Values.database.existingSecret) .Values.database.url }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end -}}

{{/* An environment value as a string; whole numbers stay whole (YAML numbers reach templates as float64). */}}
{{- define "cvp.envValue" -}}
{{- if and (kindIs "float64" .) (eq . (floor .)) -}}
{{- . | int64 | toString -}}
{{- else -}}
{{- . | toString -}}
{{- end -}}
{{- end -}}

{{/*
The enabled upstreams of a service (its `upstreams` whose Deployment and Service are rendered), as a YAML list of
{name, envName, url, port}: url is `http://<fullname>-<name>:<service port>`, port the pods' own (for the egress rule).
A disabled upstream is left out, so it gets no URL. Argument: dict "root" $ "svc" <effective service values>.
*/}}
{{- define "cvp.upstreams" -}}
{{- $root := .root -}}
{{- $out := list -}}
{{- range .svc.upstreams -}}
{{- $upstream := include "cvp.serviceValues" (dict "root" $root "name" .) | fromYaml -}}
{{- if and $upstream.enabled $upstream.service.enabled -}}
{{- $host := include "cvp.componentName" (dict "root" $root "name" .) -}}
{{- $url := printf "http://%s:%d" $host (default $upstream.port $upstream.service.port | int) -}}
{{- $envName := printf "%s_URL" (. | replace "-" "_" | upper) -}}
{{- $out = append $out (dict "name" . "envName" $envName "url" $url "port" ($upstream.port | int)) -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* "true" when some enabled service mounts the model store. Argument: the root context. */}}
{{- define "cvp.anyServiceUsesModelStore" -}}
{{- $root := . -}}
{{- range $name, $_ := $root.Values.services -}}
{{- $svc := include "cvp.serviceValues" (dict "root" $root "name" $name) | fromYaml -}}
{{- if and $svc.enabled $svc.modelStore -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/* Kafka TLS and SASL settings of every client (README "Kafka security"): environment entries. */}}
{{- define "cvp.kafkaSecurityEnv" -}}
{{- with .Values.kafka.tls }}
{{- if .enabled }}
- name: KAFKA_TLS
  value: "true"
{{- if .caSecret }}
- name: KAFKA_TLS_CA_FILE
  value: "/etc/cvp/kafka-ca/{{ .caSecretKey }}"
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.kafka.sasl }}
{{- if .mechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ .mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.sasl.existingSecret is required with kafka.sasl.mechanism" .existingSecret }}
      key: {{ .usernameKey }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .passwordKey }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Kafka CA, when one is given: its volume mount and volume. */}}
{{- define "cvp.kafkaCaVolumeMount" -}}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret }}
- name: kafka-ca
  mountPath: /etc/cvp/kafka-ca
  readOnly: true
{{- end }}
{{- end }}

{{- define "cvp.kafkaCaVolume" -}}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.tls.caSecret | quote }}
{{- end }}
{{- end }}
