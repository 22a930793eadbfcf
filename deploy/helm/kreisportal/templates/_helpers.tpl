{{- define "kreisportal.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kreisportal.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "kreisportal.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "kreisportal.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Every non-secret setting: the ConfigMap's data and the migration Job's environment. */}}
{{- define "kreisportal.config" -}}
KREISPORTAL_PRODUCTION: "1"
BEHIND_TLS_PROXY: "1"
BASE_DOMAIN: {{ .Values.baseDomain | quote }}
PUBLIC_URL: {{ printf "https://%s" .Values.baseDomain | quote }}
WAGTAILADMIN_BASE_URL: {{ printf "https://%s" .Values.baseDomain | quote }}
KREISPORTAL_HOME: /var/lib/kreisportal
MEDIA_ROOT: /var/lib/kreisportal/media
{{- range $key, $value := .Values.config }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "kreisportal.volumeMounts" -}}
- {name: state, mountPath: /var/lib/kreisportal}
- {name: media, mountPath: /var/lib/kreisportal/media}
- {name: tmp, mountPath: /tmp}
{{- end -}}

{{- define "kreisportal.volumes" -}}
- name: state
  emptyDir: {}
- name: tmp
  emptyDir: {}
- name: media
{{- if .Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ .Values.persistence.existingClaim | default (printf "%s-media" (include "kreisportal.fullname" .)) }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{- define "kreisportal.pod" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end }}
securityContext: {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .root.Values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.affinity }}
affinity: {{- toYaml . | nindent 2 }}
{{- end }}
volumes: {{- include "kreisportal.volumes" .root | nindent 2 }}
{{- end -}}
