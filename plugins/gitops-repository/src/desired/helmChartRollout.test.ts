import { ServiceTarget } from '../ServiceTarget';
import { memoryGitProvider } from 'gitops-testkit';
import { invalidObjects } from 'gitops-testkit';
import { DesiredStateReader } from './DesiredStateReader';
import { keptText } from './helmChartRollout';
import { defaultEnvironmentConfig } from '../environments';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

/** A chart whose workload is a Rollout in every environment, its steps from values. */
const rolloutTemplate = lines(
  '{{- /* The Rollout of shop. */ -}}',
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Rollout',
  'metadata:',
  '  name: {{ include "shop.fullname" . }}',
  'spec:',
  '  {{- if not .Values.autoscaling.enabled }}',
  '  replicas: {{ .Values.replicaCount }}',
  '  {{- end }}',
  '  strategy:',
  '    canary:',
  '      steps:',
  '        {{- toYaml .Values.rollout.steps | nindent 8 }}',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: shop',
  '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
);

/** `helm create`'s deployment.yaml turned into a Rollout where a value says so. */
const switchedTemplate = lines(
  '{{- if .Values.canary.enabled }}',
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Rollout',
  '{{- else }}',
  'apiVersion: apps/v1',
  'kind: Deployment',
  '{{- end }}',
  'metadata:',
  '  name: {{ include "shop.fullname" . }}',
);

const steps = [
  { setWeight: 25 },
  { pause: { duration: '1m' } },
  { setWeight: 75 },
  { pause: {} },
];

function chartFiles(template: { file: string; text: string }) {
  return new Map([
    [
      'apps/shop/Chart.yaml',
      lines(
        'apiVersion: v2',
        'name: shop',
        'version: 0.1.0',
        'appVersion: "1.0.0"',
      ),
    ],
    [
      'apps/shop/values.yaml',
      lines(
        'image:',
        '  repository: ghcr.io/acme/shop',
        '  tag: ""',
        'replicaCount: 2',
        'canary:',
        '  enabled: false',
        'rollout:',
        '  steps:',
        ...steps.map(s => `    - ${JSON.stringify(s)}`),
      ),
    ],
    ['apps/shop/values-dev.yaml', lines('image:', '  tag: "1.2.0"')],
    [
      'apps/shop/values-prod.yaml',
      lines(
        'image:',
        '  tag: "1.1.0" # updated on promotion',
        'canary:',
        '  enabled: true',
      ),
    ],
    [`apps/shop/templates/${template.file}`, template.text],
  ]);
}

async function read(files: Map<string, string>, env: string) {
  const target: ServiceTarget = {
    entityRef: 'component:default/shop',
    service: 'shop',
    path: 'apps/shop',
    repository: { url: 'https://example.com/gitops.git', branch: 'main' },
    provider: memoryGitProvider(files),
    hints: { workloadName: 'shop', image: 'ghcr.io/acme/shop' },
    selectors: {},
  };
  return new DesiredStateReader().read({
    target,
    environment: defaultEnvironmentConfig(env),
    revision: 'abc123',
  });
}

describe('a Helm chart that runs an Argo Rollouts Rollout', () => {
  it('has steps that validate as a Rollout strategy with @kubernetes-models/argo-rollouts', () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'shop' } },
        template: {
          metadata: { labels: { app: 'shop' } },
          spec: {
            containers: [{ name: 'shop', image: 'ghcr.io/acme/shop:1.1.0' }],
          },
        },
        strategy: { canary: { steps } },
      },
    };
    expect(invalidObjects([rollout])).toEqual([]);
  });

  it('reads the version from values as for a Deployment, and the kind and steps from the chart', async () => {
    const files = chartFiles({ file: 'rollout.yaml', text: rolloutTemplate });
    const { state, inputs } = await read(files, 'prod');
    expect(state).toMatchObject({
      layout: 'helm',
      workload: 'shop',
      workloadKind: 'Rollout',
      image: 'ghcr.io/acme/shop',
      tag: '1.1.0',
      replicas: 2,
      warnings: [],
    });
    expect(state.progressive).toEqual({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'shop',
      strategy: 'canary',
      workloadRef: null,
      steps: [
        { kind: 'setWeight', label: 'weight 25 %', weight: 25 },
        { kind: 'pause', label: 'pause 1m', weight: null },
        { kind: 'setWeight', label: 'weight 75 %', weight: 75 },
        { kind: 'pause', label: 'pause until promoted', weight: null },
      ],
      metrics: [],
    });
    // A change of the template can change the kind: it is an input of the state.
    expect(inputs).toContain('apps/shop/templates/rollout.yaml');
  });

  it.each([
    ['dev', undefined],
    ['prod', 'Rollout'],
  ])(
    'decides an if on a value of the environment: %s runs %s',
    async (env, kind) => {
      const files = chartFiles({
        file: 'deployment.yaml',
        text: switchedTemplate,
      });
      const { state } = await read(files, env);
      expect(state.workloadKind).toBe(kind);
      expect(state.progressive === undefined).toBe(kind === undefined);
      expect(state.warnings).toEqual([]);
    },
  );

  it('says so, instead of guessing, when the condition is not one of values', async () => {
    const files = chartFiles({
      file: 'deployment.yaml',
      text: switchedTemplate.replace(
        '.Values.canary.enabled',
        '(.Capabilities.APIVersions.Has "argoproj.io/v1alpha1")',
      ),
    });
    const { state } = await read(files, 'prod');
    expect(state.workloadKind).toBeUndefined();
    expect(state.warnings).toEqual([
      'apps/shop/templates/deployment.yaml: whether it renders an Argo Rollouts Rollout depends on a condition not read here (only .Values fields are); read as a Deployment',
    ]);
  });

  it('reads a chart without such templates as before', async () => {
    const files = chartFiles({ file: 'service.yaml', text: 'kind: Service\n' });
    const { state } = await read(files, 'prod');
    expect(state).toMatchObject({ tag: '1.1.0', warnings: [] });
    expect(state).not.toHaveProperty('workloadKind');
  });
});

describe('keptText', () => {
  const values = {
    a: { on: true, off: false, name: 'canary', n: 0, list: [] },
  };

  it.each([
    ['{{ if .Values.a.on }}yes{{ else }}no{{ end }}', 'yes'],
    ['{{ if .Values.a.off }}yes{{ else }}no{{ end }}', 'no'],
    ['{{ if not .Values.a.off }}yes{{ end }}', 'yes'],
    ['{{ if .Values.a.missing.deeper }}yes{{ end }}', ''],
    ['{{ if and .Values.a.on .Values.a.n }}yes{{ end }}', ''],
    ['{{ if or .Values.a.list .Values.a.on }}yes{{ end }}', 'yes'],
    ['{{ if eq .Values.a.name "canary" }}yes{{ end }}', 'yes'],
    [
      '{{ if .Values.a.off }}1{{ else if .Values.a.on }}2{{ else }}3{{ end }}',
      '2',
    ],
    ['{{ define "x" }}inside{{ end }}after', 'after'],
    ['a\n{{- if .Values.a.on }}\nb\n{{- end }}\nc', 'a\nb\nc'],
    ['kind: {{ .Values.a.name }}', 'kind: …'],
  ])('%j keeps %j', (template, kept) => {
    expect(keptText(template, values).kept).toBe(kept);
  });

  it('keeps what an undecidable condition holds apart', () => {
    expect(
      keptText(
        '{{ if include "x" . }}Rollout{{ else }}Deployment{{ end }}',
        values,
      ),
    ).toEqual({ kept: '', unknown: 'RolloutDeployment' });
  });
});
