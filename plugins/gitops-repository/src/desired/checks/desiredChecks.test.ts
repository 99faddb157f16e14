import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { desiredChecks } from './desiredChecks';

const DIGEST = `sha256:${'cd'.repeat(32)}`;

function deployment(name: string, image: string, extra: object = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      template: {
        metadata: {},
        spec: { containers: [{ name, image, ...extra }] },
      },
    },
  };
}

function state(overrides: Partial<DesiredState> = {}): DesiredState {
  return {
    layout: 'kustomize',
    image: 'ghcr.io/acme/web',
    tag: '1.0.0',
    digest: null,
    replicas: 1,
    autoscaling: null,
    resources: null,
    namespace: null,
    workload: 'web',
    source: { repo: 'r', branch: 'main', path: 'p', revision: 'abc' },
    warnings: [],
    ...overrides,
  };
}

const options = {
  hints: { workloadName: 'web', image: 'ghcr.io/acme/web' },
  environment: 'prod',
  requireDigest: true,
};

const digestFindings = (result: ReturnType<typeof desiredChecks>) =>
  result.manifestChecks?.filter(f => f.check === 'digestPinned');

describe('desiredChecks', () => {
  it.each<[string, Partial<DesiredState>, number]>([
    // An Application's kustomize.images pins the digest after the build: the state says so.
    ['the state pins a digest the render lacks', { digest: DIGEST }, 0],
    ['the state and the render agree on a tag', {}, 1],
    // A chart's default image is not the rendered container's: keep the render's.
    [
      'the image comes from chart defaults',
      { digest: DIGEST, imageSource: 'chartDefaults' },
      1,
    ],
  ])(
    'checks the image the environment runs when %s',
    (_what, overrides, failures) => {
      const result = desiredChecks(
        state(overrides),
        {
          layout: 'kustomize',
          objects: [deployment('web', 'ghcr.io/acme/web:1.0.0')],
        },
        options,
      );
      expect(digestFindings(result)).toHaveLength(failures);
    },
  );

  it("checks the service's workload, not a sidecar deployment beside it", () => {
    const result = desiredChecks(
      state(),
      {
        layout: 'kustomize',
        objects: [
          deployment('redis', 'redis', {
            securityContext: { privileged: true },
          }),
          deployment('web', `ghcr.io/acme/web:1.0.0@${DIGEST}`),
        ],
      },
      options,
    );
    expect(result.podSecurity?.level).toBe('baseline');
  });

  it.each<[string, Parameters<typeof desiredChecks>[1]]>([
    ['Helm values', { layout: 'helm', values: { image: { tag: '1' } } }],
    ['a render without a workload', { layout: 'kustomize', objects: [] }],
    [
      'a workload without a pod template',
      {
        layout: 'kustomize',
        objects: [{ kind: 'Deployment', metadata: { name: 'web' }, spec: {} }],
      },
    ],
  ])('knows no pod template for %s', (_what, rendered) => {
    expect(desiredChecks(state(), rendered, options)).toEqual({
      podSecurity: null,
    });
  });
});
