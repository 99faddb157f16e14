import { ServiceTarget } from '../ServiceTarget';
import { memoryGitProvider } from 'gitops-testkit';
import { invalidObjects } from 'gitops-testkit';
import { DesiredStateReader } from './DesiredStateReader';
import {
  CHECKOUT_IMAGE,
  GUESTBOOK_IMAGE,
  PODINFO_IMAGE,
  argoRolloutsObjects,
  rolloutRepoFiles,
} from './__testUtils__/rolloutRepo';
import { defaultEnvironmentConfig } from '../environments';

/** Issue 30: Argo Rollouts and Flagger in the desired state of Kustomize overlays. */

async function read(
  service: string,
  image: string,
  env: string,
  edit: (files: Map<string, string>) => void = () => {},
) {
  const files = rolloutRepoFiles();
  edit(files);
  const target: ServiceTarget = {
    entityRef: `component:default/${service}`,
    service,
    path: `apps/${service}`,
    repository: { url: 'https://example.com/gitops.git', branch: 'main' },
    provider: memoryGitProvider(files),
    hints: { workloadName: service, image },
    selectors: {},
  };
  return new DesiredStateReader().read({
    target,
    environment: defaultEnvironmentConfig(env),
    revision: 'abc123',
  });
}

describe('DesiredStateReader with Argo Rollouts and Flagger', () => {
  it('has Rollout and AnalysisTemplate fixtures that validate with @kubernetes-models/argo-rollouts', () => {
    const objects = argoRolloutsObjects(rolloutRepoFiles());
    expect(objects.length).toBe(4);
    expect(invalidObjects(objects)).toEqual([]);
  });

  it("reads a base's Rollout through an overlay that sets its image with images:", async () => {
    const { state, rendered } = await read(
      'guestbook',
      GUESTBOOK_IMAGE,
      'staging',
    );
    expect(state).toMatchObject({
      layout: 'kustomize',
      workload: 'guestbook',
      workloadKind: 'Rollout',
      namespace: 'guestbook-staging',
      image: GUESTBOOK_IMAGE,
      tag: 'v1.0.4',
      // The overlay's patch of the Rollout.
      replicas: 3,
      autoscaling: null,
      warnings: [],
      podSecurity: expect.objectContaining({ level: expect.any(String) }),
    });
    expect(state.progressive).toEqual({
      controller: 'argo-rollouts',
      kind: 'Rollout',
      name: 'guestbook',
      strategy: 'canary',
      workloadRef: null,
      steps: [
        { kind: 'setWeight', label: 'weight 20 %', weight: 20 },
        { kind: 'pause', label: 'pause until promoted', weight: null },
        { kind: 'analysis', label: 'analysis success-rate', weight: null },
        { kind: 'setWeight', label: 'weight 50 %', weight: 50 },
        { kind: 'pause', label: 'pause 5m', weight: null },
      ],
      metrics: [
        {
          name: 'success-rate',
          template: 'success-rate',
          successCondition: 'result[0] >= 0.95',
          failureCondition: null,
          interval: '1m',
          provider: 'prometheus',
          query:
            'sum(rate(http_requests_total{service="{{args.service-name}}",code!~"5.."}[2m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[2m]))',
        },
      ],
    });
    if (rendered.layout !== 'kustomize') throw new Error('not kustomize');
    expect(invalidObjects(rendered.objects)).toEqual([]);
  });

  it('reads the HPA that scales a Rollout', async () => {
    const { state } = await read('guestbook', GUESTBOOK_IMAGE, 'prod');
    expect(state).toMatchObject({
      workloadKind: 'Rollout',
      tag: 'v1.0.3',
      replicas: 2,
      autoscaling: { minReplicas: 3, maxReplicas: 10 },
    });
  });

  it("reads a workloadRef Rollout: the Deployment's image, the Rollout's replicas, its HPA", async () => {
    const { state } = await read('checkout', CHECKOUT_IMAGE, 'prod');
    expect(state).toMatchObject({
      workload: 'checkout-rollout',
      workloadKind: 'Rollout',
      image: CHECKOUT_IMAGE,
      // The overlay's images entry, applied to the Deployment whose template the Rollout runs.
      tag: '2.1.0',
      replicas: 4,
      autoscaling: { minReplicas: 4, maxReplicas: 12 },
      progressive: {
        kind: 'Rollout',
        name: 'checkout-rollout',
        strategy: 'blueGreen',
        workloadRef: 'checkout',
        activeService: 'checkout',
        previewService: 'checkout-preview',
        steps: [],
        metrics: [],
      },
      warnings: [],
    });
  });

  it('reads the Flagger Canary over a Deployment in an overlay', async () => {
    const { state } = await read('podinfo', PODINFO_IMAGE, 'prod');
    expect(state.workloadKind).toBeUndefined();
    expect(state).toMatchObject({ workload: 'podinfo', tag: '6.5.1' });
    expect(state.progressive).toEqual({
      controller: 'flagger',
      kind: 'Canary',
      name: 'podinfo',
      strategy: 'canary',
      steps: [],
      workloadRef: null,
      interval: '1m',
      threshold: 5,
      maxWeight: 50,
      stepWeight: 10,
      stepWeights: null,
      metrics: [
        {
          name: 'request-success-rate',
          template: null,
          successCondition: '>= 99',
          failureCondition: null,
          interval: '1m',
          provider: 'builtin',
          query: null,
        },
        {
          name: 'error-rate',
          template: 'error-rate',
          successCondition: '<= 1',
          failureCondition: null,
          interval: '1m',
          provider: 'prometheus',
          query:
            '100 - sum(rate(istio_requests_total{response_code!~"5.*"}[{{ interval }}])) / sum(rate(istio_requests_total[{{ interval }}])) * 100',
        },
      ],
    });
  });

  it("reads an overlay that replaces the base's Deployment with a Rollout ($patch: delete)", async () => {
    const { state, rendered } = await read(
      'podinfo',
      PODINFO_IMAGE,
      'prod',
      files => {
        const overlay = 'apps/podinfo/overlays/prod';
        files.set(
          `${overlay}/kustomization.yaml`,
          `${files
            .get(`${overlay}/kustomization.yaml`)!
            .replace(
              '  - ../../base\n',
              '  - ../../base\n  - rollout.yaml\n',
            )}patches:\n  - patch: |\n      $patch: delete\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: podinfo\n`,
        );
        files.set(
          `${overlay}/rollout.yaml`,
          files
            .get('apps/podinfo/base/deployment.yaml')!
            .replace('apps/v1', 'argoproj.io/v1alpha1')
            .replace('kind: Deployment', 'kind: Rollout')
            .concat(
              '  strategy:\n    canary:\n      steps:\n        - setWeight: 50\n',
            ),
        );
      },
    );
    if (rendered.layout !== 'kustomize') throw new Error('not kustomize');
    expect(rendered.objects.map(o => o.kind).sort()).toEqual([
      'Canary',
      'MetricTemplate',
      'Rollout',
    ]);
    expect(state).toMatchObject({
      workloadKind: 'Rollout',
      tag: '6.5.1',
      progressive: { kind: 'Rollout', steps: [{ label: 'weight 50 %' }] },
    });
  });

  it('leaves progressive out for a plain Deployment', async () => {
    const { state } = await read('podinfo', PODINFO_IMAGE, 'prod', files =>
      files.set(
        'apps/podinfo/base/kustomization.yaml',
        files
          .get('apps/podinfo/base/kustomization.yaml')!
          .replace('  - canary.yaml\n', ''),
      ),
    );
    expect(state).not.toHaveProperty('progressive');
    expect(state).not.toHaveProperty('workloadKind');
  });
});
