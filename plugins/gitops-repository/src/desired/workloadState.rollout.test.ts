import { KubernetesObject } from './buildKustomization';
import { extractWorkloadState, pickWorkload } from './workloadState';

/** Pod template of the guestbook container, as in Argo Rollouts' examples. */
const template = (image: string) => ({
  metadata: { labels: { app: 'guestbook' } },
  spec: {
    securityContext: { runAsNonRoot: true },
    containers: [{ name: 'guestbook', image, ports: [{ containerPort: 80 }] }],
  },
});

/** A canary Rollout with its template inline (argoproj.io/v1alpha1). */
const inlineRollout: KubernetesObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'guestbook' },
  spec: {
    replicas: 5,
    revisionHistoryLimit: 2,
    selector: { matchLabels: { app: 'guestbook' } },
    template: template('ghcr.io/acme/guestbook:v1.0.5'),
    strategy: {
      canary: {
        steps: [
          { setWeight: 20 },
          { pause: {} },
          { setWeight: 60 },
          { pause: { duration: '10m' } },
        ],
      },
    },
  },
};

/** A Rollout that runs an existing Deployment's template (`workloadRef`), and that Deployment. */
const referencing: KubernetesObject[] = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'guestbook' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'guestbook' } },
      template: template('ghcr.io/acme/guestbook:v1.0.4'),
    },
  },
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'guestbook-rollout' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'guestbook' } },
      workloadRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'guestbook',
        scaleDown: 'progressively',
      },
      strategy: { blueGreen: { activeService: 'guestbook-active' } },
    },
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'guestbook' },
    spec: {
      scaleTargetRef: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'guestbook-rollout',
      },
      minReplicas: 3,
      maxReplicas: 8,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: 70 },
          },
        },
      ],
    },
  },
];

const hints = { image: 'ghcr.io/acme/guestbook' };

describe('Argo Rollouts as the workload', () => {
  it.each<[string, KubernetesObject[], object]>([
    [
      'a Rollout with its template inline',
      [inlineRollout],
      {
        workload: 'guestbook',
        workloadKind: 'Rollout',
        image: 'ghcr.io/acme/guestbook',
        tag: 'v1.0.5',
        replicas: 5,
        autoscaling: null,
      },
    ],
    [
      "a Rollout running a Deployment's template (workloadRef), scaled by an HPA",
      referencing,
      {
        workload: 'guestbook-rollout',
        workloadKind: 'Rollout',
        tag: 'v1.0.4',
        replicas: 3,
        autoscaling: expect.objectContaining({
          minReplicas: 3,
          maxReplicas: 8,
          targetCPUUtilizationPercentage: 70,
        }),
      },
    ],
  ])('%s', (_name, resources, expected) => {
    expect(extractWorkloadState(resources, hints, 'overlay')).toMatchObject(
      expected,
    );
  });

  it('takes the Rollout, not the Deployment it scales to zero, when hints name either', () => {
    for (const workloadName of ['guestbook', 'guestbook-rollout']) {
      const picked = pickWorkload(referencing, { workloadName }, 'overlay');
      expect(picked.workload.kind).toBe('Rollout');
      expect(picked.template?.spec.securityContext).toEqual({
        runAsNonRoot: true,
      });
      expect(picked.container.image).toBe('ghcr.io/acme/guestbook:v1.0.4');
    }
  });

  it('says what it looked for when nothing runs', () => {
    expect(() =>
      pickWorkload(
        [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } }],
        hints,
        'apps/guestbook/overlays/dev',
      ),
    ).toThrow(
      'apps/guestbook/overlays/dev: renders no Deployment, StatefulSet, DaemonSet or Rollout',
    );
  });
});
