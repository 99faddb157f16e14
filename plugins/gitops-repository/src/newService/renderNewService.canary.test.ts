import { InputError } from '@backstage/errors';
import { parse } from 'yaml';
import { DesiredStateReader } from '../desired/DesiredStateReader';
import { defaultEnvironmentConfig } from '../environments';
import { planChange } from '../planner/PromotionPlanner';
import { memoryGitProvider } from 'gitops-testkit';
import { invalidObjects } from 'gitops-testkit';
import { renderNewService } from './renderNewService';
import { renderHelmChart } from './__testUtils__/renderHelmChart';
import {
  COMBINATIONS,
  DIGEST,
  TEMPLATES,
  exampleSpec,
} from './__testUtils__/exampleSpec';
import { NewServiceSpec } from './types';

/** Issue 30: `progressiveDelivery: canary` runs prod as an Argo Rollouts canary. */

const canarySpec = (
  engine: NewServiceSpec['engine'],
  layout: NewServiceSpec['layout'],
  extra: Partial<NewServiceSpec> = {},
): NewServiceSpec => ({
  ...exampleSpec(engine, layout),
  progressiveDelivery: 'canary',
  ...extra,
});

const STEPS = [
  'weight 20 %',
  'pause 2m',
  'analysis success-rate',
  'weight 40 %',
  'pause 2m',
  'weight 60 %',
  'pause 2m',
  'weight 80 %',
  'pause 2m',
];

const QUERY =
  'sum(rate(http_requests_total{service="{{args.service-name}}",code!~"5.."}[2m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[2m]))';

const analysisMetric = (address: string) => ({
  name: 'success-rate',
  interval: '1m',
  count: 3,
  successCondition: 'result[0] >= 0.95',
  failureLimit: 1,
  provider: { prometheus: { address, query: QUERY } },
});

/** Every environment read back the way the backend reads it (see the round-trip test). */
async function readBack(spec: NewServiceSpec) {
  const rendered = renderNewService(spec);
  const files = new Map(rendered.files.map(f => [f.path, f.content]));
  const reader = new DesiredStateReader();
  const results = await Promise.all(
    spec.environments.map(env =>
      reader.read({
        target: {
          entityRef: `component:default/${spec.name}`,
          service: spec.name,
          path: rendered.annotations['gitops.backstage.io/path'],
          repository: spec.repository,
          provider: memoryGitProvider(files),
          hints: {
            workloadName: rendered.annotations['backstage.io/kubernetes-id'],
            image: rendered.annotations['gitops.backstage.io/image'],
          },
          selectors: {},
        },
        environment: defaultEnvironmentConfig(env.name, {
          ...TEMPLATES,
          autoSync: env.autoSync,
        }),
        revision: 'f'.repeat(40),
      }),
    ),
  );
  return { rendered, files, results };
}

const byKind = (objects: Array<Record<string, any>>, kind: string) =>
  objects.filter(o => o.kind === kind);

describe.each(COMBINATIONS)(
  'progressiveDelivery: canary, %s + %s',
  (engine, layout) => {
    let read: Awaited<ReturnType<typeof readBack>>;
    beforeAll(async () => {
      read = await readBack(canarySpec(engine, layout));
    });

    it('reads prod back as a Rollout with the canary steps; dev and staging keep Deployments', () => {
      const [dev, staging, prod] = read.results.map(r => r.state);
      for (const state of [dev, staging]) {
        expect(state).not.toHaveProperty('workloadKind');
        expect(state).not.toHaveProperty('progressive');
      }
      expect(prod).toMatchObject({
        workload: 'hello',
        workloadKind: 'Rollout',
        tag: 'v1.4.2',
        digest: DIGEST,
        replicas: null,
        autoscaling: { minReplicas: 3, maxReplicas: 10 },
        warnings: [],
        progressive: {
          controller: 'argo-rollouts',
          kind: 'Rollout',
          name: 'hello',
          strategy: 'canary',
          workloadRef: null,
        },
      });
      expect(prod.progressive!.steps.map(s => s.label)).toEqual(STEPS);
    });

    if (layout === 'kustomize') {
      it('builds a prod whose Rollout, AnalysisTemplate, HPA and PDB validate, with no Deployment', () => {
        const prod = read.results[2].rendered;
        if (prod.layout !== 'kustomize') throw new Error('not kustomize');
        expect(prod.objects.map(o => o.kind).sort()).toEqual([
          'AnalysisTemplate',
          'HorizontalPodAutoscaler',
          'PodDisruptionBudget',
          'Rollout',
          'Service',
        ]);
        expect(invalidObjects(prod.objects)).toEqual([]);
        expectRolloutLikeDeployment(prod.objects, devDeployment());
        expect(byKind(prod.objects, 'AnalysisTemplate')[0].spec).toEqual({
          args: [{ name: 'service-name' }],
          metrics: [
            analysisMetric(
              'http://prometheus.monitoring.svc.cluster.local:9090',
            ),
          ],
        });
        expect(read.results[2].state).toMatchObject({
          progressive: {
            metrics: [
              {
                name: 'success-rate',
                template: 'success-rate',
                successCondition: 'result[0] >= 0.95',
                interval: '1m',
                provider: 'prometheus',
                query: QUERY,
              },
            ],
          },
          podSecurity: { level: 'restricted', findings: [] },
          manifestChecks: [],
        });
      });

      it('promotes prod on its images entry and scales it on the HPA that targets the Rollout', async () => {
        const target = {
          layout: 'kustomize' as const,
          path: 'apps/hello/overlays/prod',
          image: 'ghcr.io/acme/hello',
          workload: 'hello',
          workloadKind: 'Rollout' as const,
        };
        const readFile = async (f: string) => read.files.get(f);
        const version = await planChange(
          target,
          {
            kind: 'version',
            tag: 'v1.5.0',
            digest: `sha256:${'d'.repeat(64)}`,
          },
          readFile,
        );
        expect(version.files.map(f => f.path)).toEqual([
          'apps/hello/overlays/prod/kustomization.yaml',
        ]);
        const scale = await planChange(
          target,
          { kind: 'autoscaling', maxReplicas: 20 },
          readFile,
        );
        expect(scale.files.map(f => f.path)).toEqual([
          'apps/hello/overlays/prod/hpa.yaml',
        ]);
      });
    } else {
      it("renders prod's chart as a Rollout, AnalysisTemplate and HPA that validate; dev as before", () => {
        const files = read.rendered.files;
        // One release name, so the selectors of the two environments compare.
        const prod = renderHelmChart(
          files,
          'apps/hello',
          'apps/hello/values-prod.yaml',
          'hello',
        );
        const dev = renderHelmChart(
          files,
          'apps/hello',
          'apps/hello/values-dev.yaml',
          'hello',
        );
        expect(prod.map(o => o.kind).sort()).toEqual([
          'AnalysisTemplate',
          'HorizontalPodAutoscaler',
          'PodDisruptionBudget',
          'Rollout',
          'Service',
        ]);
        expect(dev.map(o => o.kind).sort()).toEqual(['Deployment', 'Service']);
        expect(invalidObjects([...prod, ...dev])).toEqual([]);
        expectRolloutLikeDeployment(prod, byKind(dev, 'Deployment')[0]);
        expect(byKind(prod, 'AnalysisTemplate')[0].spec).toEqual({
          args: [{ name: 'service-name' }],
          metrics: [
            analysisMetric(
              'http://prometheus.monitoring.svc.cluster.local:9090',
            ),
          ],
        });
        const values = parse(read.files.get('apps/hello/values.yaml')!);
        expect(values.progressiveDelivery.enabled).toBe(false);
        expect(
          parse(read.files.get('apps/hello/values-prod.yaml')!)
            .progressiveDelivery,
        ).toEqual({
          enabled: true,
        });
      });
    }
  },
);

/** The dev Deployment of the Kustomize layout, as its overlay builds it. */
function devDeployment() {
  const rendered = renderNewService(canarySpec('argocd', 'kustomize'));
  return parse(
    rendered.files.find(f => f.path === 'apps/hello/base/deployment.yaml')!
      .content,
  );
}

/** The Rollout runs the Deployment's pods; the HPA scales it; the PDB keeps its pods. */
function expectRolloutLikeDeployment(
  objects: Array<Record<string, any>>,
  deployment: Record<string, any>,
) {
  const [rollout] = byKind(objects, 'Rollout');
  expect(rollout.apiVersion).toBe('argoproj.io/v1alpha1');
  expect(rollout.spec.selector).toEqual(deployment.spec.selector);
  const [pod, deployed] = [rollout, deployment].map(o => o.spec.template);
  expect(pod.metadata.labels).toMatchObject({
    'app.kubernetes.io/name': 'hello',
  });
  expect(pod.spec.securityContext).toEqual(deployed.spec.securityContext);
  expect(pod.spec.volumes).toEqual(deployed.spec.volumes);
  const [container, deployedContainer] = [pod, deployed].map(
    p => p.spec.containers[0],
  );
  for (const field of [
    'ports',
    'livenessProbe',
    'readinessProbe',
    'startupProbe',
    'securityContext',
    'volumeMounts',
  ]) {
    expect(container[field]).toEqual(deployedContainer[field]);
  }
  // Pinned by digest: kustomize writes the tag beside it, the chart only the digest.
  expect([
    `ghcr.io/acme/hello:v1.4.2@${DIGEST}`,
    `ghcr.io/acme/hello@${DIGEST}`,
  ]).toContain(container.image);
  expect(container.resources.limits).toEqual({ cpu: '500m', memory: '512Mi' });
  expect(rollout.spec.strategy.canary.steps).toHaveLength(9);
  expect(rollout.spec).not.toHaveProperty('replicas');
  const [hpa] = byKind(objects, 'HorizontalPodAutoscaler');
  expect(hpa.spec.scaleTargetRef).toEqual({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    name: 'hello',
  });
  const [pdb] = byKind(objects, 'PodDisruptionBudget');
  expect(pod.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
}

describe('progressiveDelivery options', () => {
  it('writes the Prometheus address it is given into the AnalysisTemplate', () => {
    const rendered = renderNewService(
      canarySpec('argocd', 'kustomize', {
        prometheusAddress: 'https://prom.example.com',
      }),
    );
    const template = parse(
      rendered.files.find(
        f => f.path === 'apps/hello/overlays/prod/analysis-template.yaml',
      )!.content,
    );
    expect(template.spec.metrics[0].provider.prometheus.address).toBe(
      'https://prom.example.com',
    );
  });

  it.each(['kustomize', 'helm'] as const)(
    'writes the same files as before with none (%s)',
    layout => {
      const none = renderNewService({
        ...exampleSpec('flux', layout),
        progressiveDelivery: 'none',
      });
      expect(none.files).toEqual(
        renderNewService(exampleSpec('flux', layout)).files,
      );
    },
  );

  it.each([
    [
      { progressiveDelivery: 'blue-green' as any },
      'progressiveDelivery: "blue-green" is not none or canary',
    ],
    [
      { prometheusAddress: 'prometheus:9090' },
      'prometheusAddress: "prometheus:9090" is not an http(s) URL',
    ],
    [
      { prometheusAddress: 'http://prom" injected' },
      'prometheusAddress: "http://prom\\" injected" is not an http(s) URL',
    ],
  ])('refuses %j', (extra, message) => {
    expect(() => renderNewService(canarySpec('argocd', 'helm', extra))).toThrow(
      InputError,
    );
    expect(() => renderNewService(canarySpec('argocd', 'helm', extra))).toThrow(
      message,
    );
  });
});
