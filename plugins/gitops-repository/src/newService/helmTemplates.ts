import { SUCCESS_RATE_TEMPLATE } from './progressiveObjects';

/** The canary steps of a Rollout, from values. */
const ROLLOUT_STRATEGY = `
  {{- if .Values.progressiveDelivery.enabled }}
  strategy:
    canary:
      steps:
        {{- toYaml .Values.progressiveDelivery.steps | nindent 8 }}
  {{- end }}`;

const DEPLOYMENT = `
    apiVersion: apps/v1
    kind: Deployment`;

/** The HPA scales the Rollout where it replaces the Deployment. */
const ROLLOUT_OR_DEPLOYMENT = `
    {{- if .Values.progressiveDelivery.enabled }}
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    {{- else }}
    apiVersion: apps/v1
    kind: Deployment
    {{- end }}`;

/**
 * The templates of a new service's Helm chart, after `helm create`'s: the same helpers and
 * value names (`image.*`, `replicaCount`, `service.port`, `resources`, `autoscaling.*`,
 * `podSecurityContext`, `securityContext`), plus `image.digest`, the probes and
 * `podDisruptionBudget`. Every object also carries `backstage.io/kubernetes-id`. With
 * `canary`, `progressiveDelivery.enabled` makes the workload an Argo Rollouts Rollout, scaled
 * by the HPA, with its AnalysisTemplate.
 */
export function helmTemplates(
  chart: string,
  options: { canary?: boolean } = {},
): Record<string, string> {
  const t = (name: string) => `"${chart}.${name}"`;
  const canary = options.canary === true;
  return {
    '_helpers.tpl': `{{/*
Named templates of the ${chart} chart, after helm create's.
*/}}

{{/*
The chart's name, or nameOverride.
*/}}
{{- define ${t('name')} -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The objects' name: fullnameOverride, else the release name, with the chart's name unless the
release name holds it already.
*/}}
{{- define ${t('fullname')} -}}
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

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define ${t('chart')} -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object; backstage.io/kubernetes-id is how the Backstage Kubernetes plugin finds them.
*/}}
{{- define ${t('labels')} -}}
helm.sh/chart: {{ include ${t('chart')} . }}
{{ include ${t('selectorLabels')} . }}
backstage.io/kubernetes-id: {{ include ${t('name')} . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels: they cannot change on an existing Deployment.
*/}}
{{- define ${t('selectorLabels')} -}}
app.kubernetes.io/name: {{ include ${t('name')} . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The image: by digest when image.digest is set (the tag then only names the version), else by tag.
*/}}
{{- define ${t('image')} -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}
{{- end }}
`,
    'deployment.yaml': `${
      canary ? rolloutHeader(chart) : deploymentHeader(chart)
    }
metadata:
  name: {{ include ${t('fullname')} . }}
  labels:
    {{- include ${t('labels')} . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}${canary ? ROLLOUT_STRATEGY : ''}
  selector:
    matchLabels:
      {{- include ${t('selectorLabels')} . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include ${t('labels')} . | nindent 8 }}
    spec:
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .Chart.Name }}
          image: {{ include ${t('image')} . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
              protocol: TCP
          livenessProbe:
            {{- toYaml .Values.livenessProbe | nindent 12 }}
          readinessProbe:
            {{- toYaml .Values.readinessProbe | nindent 12 }}
          startupProbe:
            {{- toYaml .Values.startupProbe | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          volumeMounts:
            # The root filesystem is read-only: /tmp is where the container may write.
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
`,
    'service.yaml': `{{- /* The Service of ${chart}: service.port of its pods, inside the cluster. */ -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include ${t('fullname')} . }}
  labels:
    {{- include ${t('labels')} . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
      name: http
  selector:
    {{- include ${t('selectorLabels')} . | nindent 4 }}
`,
    'hpa.yaml': `{{- /* The HorizontalPodAutoscaler of ${chart}, where autoscaling.enabled (the last environment). */ -}}
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include ${t('fullname')} . }}
  labels:
    {{- include ${t('labels')} . | nindent 4 }}
spec:
  scaleTargetRef:${canary ? ROLLOUT_OR_DEPLOYMENT : DEPLOYMENT}
    name: {{ include ${t('fullname')} . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    {{- if .Values.autoscaling.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
    {{- end }}
    {{- if .Values.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetMemoryUtilizationPercentage }}
    {{- end }}
{{- end }}
`,
    'pdb.yaml': `{{- /* The PodDisruptionBudget of ${chart}, where podDisruptionBudget.enabled (the last environment). */ -}}
{{- if .Values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include ${t('fullname')} . }}
  labels:
    {{- include ${t('labels')} . | nindent 4 }}
spec:
  minAvailable: {{ .Values.podDisruptionBudget.minAvailable }}
  selector:
    matchLabels:
      {{- include ${t('selectorLabels')} . | nindent 6 }}
{{- end }}
`,
    ...(canary ? { 'analysistemplate.yaml': analysisTemplate(chart) } : {}),
  };
}

function deploymentHeader(chart: string): string {
  return `{{- /* The Deployment of ${chart}: replicas from replicaCount unless the HPA owns them. */ -}}
apiVersion: apps/v1
kind: Deployment`;
}

/** The workload is a Rollout where `progressiveDelivery.enabled` (the last environment). */
function rolloutHeader(chart: string): string {
  return `{{- /* The workload of ${chart}: a Deployment, or where progressiveDelivery.enabled an Argo Rollouts Rollout of the same pods whose canary steps are progressiveDelivery.steps. Replicas from replicaCount unless the HPA owns them. */ -}}
{{- if .Values.progressiveDelivery.enabled }}
apiVersion: argoproj.io/v1alpha1
kind: Rollout
{{- else }}
apiVersion: apps/v1
kind: Deployment
{{- end }}`;
}

/**
 * The AnalysisTemplate of the canary's analysis step, its numbers and query from
 * `progressiveDelivery.analysis` (values.yaml says why they are what they are). The query is
 * a value, not template text: its `{{args.service-name}}` is for Argo Rollouts, not Helm.
 */
function analysisTemplate(chart: string): string {
  const a = '.Values.progressiveDelivery.analysis';
  return `{{- /* The analysis of ${chart}'s canary steps, where progressiveDelivery.enabled (the last environment). */ -}}
{{- if .Values.progressiveDelivery.enabled }}
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ${SUCCESS_RATE_TEMPLATE}
  labels:
    {{- include "${chart}.labels" . | nindent 4 }}
spec:
  args:
    - name: service-name
  metrics:
    - name: ${SUCCESS_RATE_TEMPLATE}
      interval: {{ ${a}.interval }}
      count: {{ ${a}.count }}
      successCondition: {{ ${a}.successCondition | quote }}
      failureLimit: {{ ${a}.failureLimit }}
      provider:
        prometheus:
          address: {{ ${a}.prometheusAddress | quote }}
          query: {{ ${a}.query | quote }}
{{- end }}
`;
}

/** `.helmignore`: what `helm package` leaves out of the chart. */
export function helmIgnore(): string {
  return `# Files helm package leaves out of this chart (shell globs, one per line, ! negates).
# The catalog entity and Flux's per-environment releases are beside the chart, not part of it.
catalog-info.yaml
overlays/
# Version control and editor files
.git/
.gitignore
.DS_Store
*.swp
*.bak
*.tmp
*.orig
*~
.idea/
.vscode/
`;
}
