import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import {
  FIXTURE_NOW,
  healthyArgoService,
  healthyFluxService,
} from './__fixtures__/clusterObjects';
import {
  FailureScenario,
  failureScenarios,
} from './__fixtures__/failureScenarios';
import { detectDrift, diagnose } from './diagnose';
import { parseDuration } from './staleReconcile';
import { HINTS } from './hints';
import { memoryCluster } from './memoryCluster';
import { selectServiceObjects } from './selectServiceObjects';
import { syncState } from './syncState';

function desiredOf(scenario: Pick<FailureScenario, 'desired'>): DesiredState {
  return {
    layout: 'kustomize',
    image: scenario.desired.image,
    tag: scenario.desired.tag,
    digest: scenario.desired.digest,
    replicas: scenario.desired.replicas,
    autoscaling: null,
    resources: null,
    namespace: null,
    workload: 'guestbook',
    source: {
      repo: 'r',
      branch: 'main',
      path: 'apps/guestbook/overlays/prod',
      revision: 'x',
    },
    warnings: [],
  };
}

function objectsOf(
  snapshot: Record<string, any>,
  service = 'guestbook',
  env = 'prod',
) {
  return selectServiceObjects(memoryCluster(snapshot), {
    namespace: `${service}-${env}`,
    environment: env,
    kubernetesId: service,
    argoAppSelector: `app.kubernetes.io/name=${service}`,
  });
}

const context = {
  expectAutoSync: true,
  argoReconcileSeconds: 180,
  now: new Date(FIXTURE_NOW),
};

describe('diagnose', () => {
  it.each(failureScenarios.map(s => [s.name, s] as const))(
    'reports %s with its type and hint, and nothing it does not show',
    (_name, scenario) => {
      const objects = objectsOf(
        scenario.snapshot,
        scenario.service,
        scenario.env,
      );
      const problems = diagnose(objects, {
        ...context,
        desired: desiredOf(scenario),
      });
      expect(problems.map(p => p.type).sort()).toEqual(
        [scenario.type, ...scenario.alsoProduces].sort(),
      );
      const problem = problems.find(p => p.type === scenario.type)!;
      expect(problem.hint).toBe(HINTS[scenario.type]);
      expect(problem.message.length).toBeGreaterThan(10);
      expect(problem.object).toMatch(
        /^(Pod|Deployment|HorizontalPodAutoscaler|PersistentVolumeClaim|Application|Kustomization|HelmRelease|GitRepository|OCIRepository|Event) /,
      );
    },
  );

  it.each([
    [
      'Argo CD',
      healthyArgoService({
        service: 'guestbook',
        env: 'prod',
        tag: 'v1.0.3',
        replicas: 3,
      }),
    ],
    [
      'Flux',
      healthyFluxService({
        service: 'guestbook',
        env: 'prod',
        tag: 'v1.0.3',
        replicas: 3,
      }),
    ],
  ])('finds no problem in a healthy %s service', (_engine, snapshot) => {
    const objects = objectsOf(snapshot);
    expect(objects.deployment).toBeDefined();
    const desired = desiredOf({
      desired: {
        image: 'ghcr.io/acme/guestbook',
        tag: 'v1.0.3',
        digest: null,
        replicas: 3,
      },
    });
    expect(diagnose(objects, { ...context, desired })).toEqual([]);
  });

  it('gives Argo CD and Flux variants of the same failure the same contract shape', () => {
    const [argo, flux] = ['crashLoopBackOff', 'crashLoopBackOff (Flux)'].map(
      name => {
        const scenario = failureScenarios.find(s => s.name === name)!;
        const objects = objectsOf(scenario.snapshot);
        return {
          sync: syncState(objects),
          problems: diagnose(objects, {
            ...context,
            desired: desiredOf(scenario),
          }),
        };
      },
    );
    expect(Object.keys(argo.sync).sort()).toEqual(
      Object.keys(flux.sync).sort(),
    );
    expect(argo.sync.engine).toBe('argocd');
    expect(flux.sync.engine).toBe('flux');
    expect(argo.problems.map(p => [p.type, p.severity, p.hint])).toEqual(
      flux.problems.map(p => [p.type, p.severity, p.hint]),
    );
  });
});

describe('recent events', () => {
  it('ignores probe failures of an incident more than 30 minutes old', () => {
    const scenario = failureScenarios.find(s => s.name === 'probeFailing')!;
    const objects = objectsOf(scenario.snapshot);
    const desired = desiredOf(scenario);
    const inAnHour = new Date(Date.parse(FIXTURE_NOW) + 60 * 60 * 1000);
    expect(
      diagnose(objects, { ...context, desired }).map(p => p.type),
    ).toContain('ProbeFailing');
    // Still running with not-ready containers is not enough without recent Unhealthy events.
    const later = diagnose(objects, { ...context, now: inAnHour, desired });
    expect(later.map(p => p.type)).not.toContain('ProbeFailing');
  });
});

describe('detectDrift', () => {
  const healthy = healthyArgoService({
    service: 'guestbook',
    env: 'prod',
    tag: 'v1.0.3',
    replicas: 3,
  });
  const desired = (over: Partial<FailureScenario['desired']>) =>
    desiredOf({
      desired: {
        image: 'ghcr.io/acme/guestbook',
        tag: 'v1.0.3',
        digest: null,
        replicas: 3,
        ...over,
      },
    });
  it.each([
    ['no drift when tag and replicas match', desired({}), []],
    [
      'an image tag drift',
      desired({ tag: 'v1.0.4' }),
      [
        {
          field: 'image',
          desired: 'ghcr.io/acme/guestbook:v1.0.4',
          live: 'ghcr.io/acme/guestbook:v1.0.3',
        },
      ],
    ],
    [
      'a replicas drift',
      desired({ replicas: 5 }),
      [{ field: 'replicas', desired: 5, live: 3 }],
    ],
    [
      'a digest Git pins that the cluster does not run',
      desired({ tag: null, digest: 'sha256:abc' }),
      [
        {
          field: 'image',
          desired: 'ghcr.io/acme/guestbook@sha256:abc',
          live: 'ghcr.io/acme/guestbook:v1.0.3',
        },
      ],
    ],
    ['no replicas drift when Git sets none', desired({ replicas: null }), []],
  ])('finds %s', (_name, wanted, expected) => {
    expect(detectDrift(wanted, objectsOf(healthy))).toEqual(expected);
  });

  it('calls no replica count drift when the account may not list HPAs (one may own it)', () => {
    const objects = objectsOf(healthy);
    expect(detectDrift(desired({ replicas: 5 }), objects)).toHaveLength(1);
    expect(
      detectDrift(desired({ replicas: 5 }), {
        ...objects,
        hpaUnreadable: true,
      }),
    ).toEqual([]);
    // The image is still compared.
    expect(
      detectDrift(desired({ tag: 'v1.0.4' }), {
        ...objects,
        hpaUnreadable: true,
      }).map(d => d.field),
    ).toEqual(['image']);
  });

  it('ignores replicas that an HPA owns', () => {
    const withHpa = healthyArgoService({
      service: 'guestbook',
      env: 'prod',
      tag: 'v1.0.3',
      replicas: 3,
      hpa: { min: 3, max: 10, current: 6, cpu: 70 },
    });
    // Git says 5, the Deployment says 3: drift without an HPA, none with one.
    expect(
      detectDrift(desired({ replicas: 5 }), objectsOf(healthy)).map(
        d => d.field,
      ),
    ).toEqual(['replicas']);
    expect(detectDrift(desired({ replicas: 5 }), objectsOf(withHpa))).toEqual(
      [],
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['5m0s', 300_000],
    ['1h0m0s', 3_600_000],
    ['', null],
    ['soon', null],
  ])('parses %s', (value, expected) => {
    expect(parseDuration(value)).toBe(expected);
  });
});
