import { parseAllDocuments } from 'yaml';

/*
 * A small GitOps repository of services rolled out progressively, as people write them:
 *
 * - `apps/guestbook`: a canary Rollout in the base with its AnalysisTemplate; staging's
 *   overlay sets the version with `images:` and the replicas in a patch of the Rollout; prod's
 *   adds an HPA that scales the Rollout.
 * - `apps/checkout`: a Deployment in the base run by a blue-green Rollout (`workloadRef`) and
 *   an HPA on the Rollout; prod's overlay sets the Deployment's image with `images:`.
 * - `apps/podinfo`: a Deployment and a Flagger Canary over it, with a MetricTemplate.
 */

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

export const GUESTBOOK_IMAGE = 'ghcr.io/acme/guestbook';
export const CHECKOUT_IMAGE = 'ghcr.io/acme/checkout';
export const PODINFO_IMAGE = 'ghcr.io/stefanprodan/podinfo';

const podTemplate = (name: string, image: string) => [
  '  selector:',
  '    matchLabels:',
  `      app: ${name}`,
  '  template:',
  '    metadata:',
  '      labels:',
  `        app: ${name}`,
  '    spec:',
  '      securityContext:',
  '        runAsNonRoot: true',
  '      containers:',
  `        - name: ${name}`,
  `          image: ${image}`,
  '          ports:',
  '            - containerPort: 8080',
];

const hpa = (target: string, kind: string, min: number, max: number) =>
  yaml(
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    'metadata:',
    `  name: ${target}`,
    'spec:',
    '  scaleTargetRef:',
    `    apiVersion: ${
      kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1'
    }`,
    `    kind: ${kind}`,
    `    name: ${target}`,
    `  minReplicas: ${min}`,
    `  maxReplicas: ${max}`,
    '  metrics:',
    '    - type: Resource',
    '      resource:',
    '        name: cpu',
    '        target:',
    '          type: Utilization',
    '          averageUtilization: 70',
  );

const guestbook: Record<string, string> = {
  'apps/guestbook/base/kustomization.yaml': yaml(
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - rollout.yaml',
    '  - analysis-template.yaml',
  ),
  'apps/guestbook/base/rollout.yaml': yaml(
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Rollout',
    'metadata:',
    '  name: guestbook',
    'spec:',
    '  replicas: 2',
    ...podTemplate('guestbook', `${GUESTBOOK_IMAGE}:v1.0.0`),
    '  strategy:',
    '    canary:',
    '      steps:',
    '        - setWeight: 20',
    '        - pause: {}',
    '        - analysis:',
    '            templates:',
    '              - templateName: success-rate',
    '            args:',
    '              - name: service-name',
    '                value: guestbook',
    '        - setWeight: 50',
    '        - pause:',
    '            duration: 5m',
  ),
  'apps/guestbook/base/analysis-template.yaml': yaml(
    'apiVersion: argoproj.io/v1alpha1',
    'kind: AnalysisTemplate',
    'metadata:',
    '  name: success-rate',
    'spec:',
    '  args:',
    '    - name: service-name',
    '  metrics:',
    '    - name: success-rate',
    '      interval: 1m',
    '      successCondition: result[0] >= 0.95',
    '      failureLimit: 1',
    '      provider:',
    '        prometheus:',
    '          address: http://prometheus.monitoring:9090',
    '          query: sum(rate(http_requests_total{service="{{args.service-name}}",code!~"5.."}[2m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[2m]))',
  ),
  'apps/guestbook/overlays/staging/kustomization.yaml': yaml(
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namespace: guestbook-staging',
    'resources:',
    '  - ../../base',
    'images:',
    `  - name: ${GUESTBOOK_IMAGE}`,
    '    newTag: v1.0.4 # updated on promotion',
    'patches:',
    '  - path: rollout-replicas.yaml',
  ),
  'apps/guestbook/overlays/staging/rollout-replicas.yaml': yaml(
    '# staging runs three pods of the Rollout',
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Rollout',
    'metadata:',
    '  name: guestbook',
    'spec:',
    '  replicas: 3',
  ),
  'apps/guestbook/overlays/prod/kustomization.yaml': yaml(
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namespace: guestbook-prod',
    'resources:',
    '  - ../../base',
    '  - hpa.yaml',
    'images:',
    `  - name: ${GUESTBOOK_IMAGE}`,
    '    newTag: v1.0.3 # updated on promotion',
  ),
  'apps/guestbook/overlays/prod/hpa.yaml': hpa('guestbook', 'Rollout', 3, 10),
};

const checkout: Record<string, string> = {
  'apps/checkout/base/kustomization.yaml': yaml(
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - deployment.yaml',
    '  - rollout.yaml',
  ),
  'apps/checkout/base/deployment.yaml': yaml(
    '# Run by the Rollout (workloadRef), which scales it to zero.',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: checkout',
    'spec:',
    '  replicas: 0',
    ...podTemplate('checkout', `${CHECKOUT_IMAGE}:2.0.0`),
  ),
  'apps/checkout/base/rollout.yaml': yaml(
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Rollout',
    'metadata:',
    '  name: checkout-rollout',
    'spec:',
    '  replicas: 4',
    '  selector:',
    '    matchLabels:',
    '      app: checkout',
    '  workloadRef:',
    '    apiVersion: apps/v1',
    '    kind: Deployment',
    '    name: checkout',
    '    scaleDown: onsuccess',
    '  strategy:',
    '    blueGreen:',
    '      activeService: checkout',
    '      previewService: checkout-preview',
    '      autoPromotionEnabled: false',
  ),
  'apps/checkout/overlays/prod/kustomization.yaml': yaml(
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namespace: checkout-prod',
    'resources:',
    '  - ../../base',
    '  - hpa.yaml',
    '# kustomize sets the image in the pod template of the Deployment the Rollout runs.',
    'images:',
    `  - name: ${CHECKOUT_IMAGE}`,
    '    newTag: 2.1.0 # updated on promotion',
  ),
  'apps/checkout/overlays/prod/hpa.yaml': hpa(
    'checkout-rollout',
    'Rollout',
    4,
    12,
  ),
};

const podinfo: Record<string, string> = {
  'apps/podinfo/base/kustomization.yaml': yaml(
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - deployment.yaml',
    '  - canary.yaml',
  ),
  'apps/podinfo/base/deployment.yaml': yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: podinfo',
    'spec:',
    ...podTemplate('podinfo', `${PODINFO_IMAGE}:6.5.0`),
  ),
  'apps/podinfo/base/canary.yaml': yaml(
    'apiVersion: flagger.app/v1beta1',
    'kind: Canary',
    'metadata:',
    '  name: podinfo',
    'spec:',
    '  targetRef:',
    '    apiVersion: apps/v1',
    '    kind: Deployment',
    '    name: podinfo',
    '  service:',
    '    port: 9898',
    '  analysis:',
    '    interval: 1m',
    '    threshold: 5',
    '    maxWeight: 50',
    '    stepWeight: 10',
    '    metrics:',
    '      - name: request-success-rate',
    '        thresholdRange:',
    '          min: 99',
    '        interval: 1m',
    '      - name: error-rate',
    '        templateRef:',
    '          name: error-rate',
    '        thresholdRange:',
    '          max: 1',
    '        interval: 1m',
    '---',
    'apiVersion: flagger.app/v1beta1',
    'kind: MetricTemplate',
    'metadata:',
    '  name: error-rate',
    'spec:',
    '  provider:',
    '    type: prometheus',
    '    address: http://prometheus.istio-system:9090',
    '  query: 100 - sum(rate(istio_requests_total{response_code!~"5.*"}[{{ interval }}])) / sum(rate(istio_requests_total[{{ interval }}])) * 100',
  ),
  'apps/podinfo/overlays/prod/kustomization.yaml': yaml(
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namespace: podinfo-prod',
    'resources:',
    '  - ../../base',
    'images:',
    `  - name: ${PODINFO_IMAGE}`,
    '    newTag: 6.5.1',
  ),
};

/** Every file of the repository, keyed by path. */
export function rolloutRepoFiles(): Map<string, string> {
  return new Map(Object.entries({ ...guestbook, ...checkout, ...podinfo }));
}

/** The Argo Rollouts objects of the repository's files, to validate with their models. */
export function argoRolloutsObjects(files: Map<string, string>): unknown[] {
  return [...files.values()]
    .flatMap(text => parseAllDocuments(text).map(doc => doc.toJS()))
    .filter(o => String(o?.apiVersion).startsWith('argoproj.io/'));
}
