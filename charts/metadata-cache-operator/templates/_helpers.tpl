{{/*
Names and labels shared by every template. Pod-template labels use "mdc.selectorLabels" plus
stable labels only: the chart version changes on every upgrade and would roll the pods for nothing.
*/}}

{{/* Chart name, overridable. */}}
{{- define "mdc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: <release>-<chart> unless the release name already contains the chart name. */}}
{{- define "mdc.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart label value: name-version, with "+" (not allowed in labels) replaced. */}}
{{- define "mdc.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the operator pods; never change them after a release exists. */}}
{{- define "mdc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mdc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Labels safe on pod templates: selector labels plus the app version (changes with the image anyway). */}}
{{- define "mdc.podLabels" -}}
{{ include "mdc.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: metadatacache
{{- end }}

{{/* Labels on every resource the chart creates (not on pod templates). */}}
{{- define "mdc.labels" -}}
helm.sh/chart: {{ include "mdc.chart" . }}
app.kubernetes.io/name: {{ include "mdc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: metadatacache
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The operator's ServiceAccount name. */}}
{{- define "mdc.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mdc.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The operator image reference. */}}
{{- define "mdc.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Name of the optional MetadataCache instance. */}}
{{- define "mdc.cacheName" -}}
{{- default (include "mdc.fullname" .) .Values.cache.name | trunc 42 | trimSuffix "-" }}
{{- end }}

{{/* Namespace for an optional object: the given override or the release namespace. */}}
{{- define "mdc.namespaceOr" -}}
{{- default .root.Release.Namespace .override }}
{{- end }}

{{/*
The operator's command-line flags (operator/src/main.ts). The image ENTRYPOINT supplies the
command itself, so that the manifest and the image cannot disagree about it.
*/}}
{{- define "mdc.operatorArgs" -}}
- --http-port={{ .Values.operator.metricsPort }}
- --leader-elect={{ .Values.operator.leaderElection.enabled }}
- --lease-name={{ include "mdc.fullname" . }}
{{- with .Values.operator.extraArgs }}
{{ toYaml . }}
{{- end }}
{{- end }}
