import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { DesiredStateReader } from '../desired/DesiredStateReader';
import { defaultEnvironmentConfig } from '../environments';
import { ServiceTarget } from '../ServiceTarget';
import { memoryGitProvider } from 'gitops-testkit';
import { renderNewService } from './renderNewService';
import {
  COMBINATIONS,
  DIGEST,
  TEMPLATES,
  exampleSpec,
} from './__testUtils__/exampleSpec';
import { invalidObjects } from 'gitops-testkit';
import { NewServiceSpec } from './types';

/**
 * What the plugin's own reader makes of a new service's files: each environment read the way
 * the backend reads it, from `gitops.environments` of the example app-config.
 */
async function readBack(spec: NewServiceSpec) {
  const rendered = renderNewService(spec);
  const files = new Map(rendered.files.map(f => [f.path, f.content]));
  const target: ServiceTarget = {
    entityRef: `component:default/${spec.name}`,
    service: spec.name,
    path: rendered.annotations['gitops.backstage.io/path'],
    repository: spec.repository,
    provider: memoryGitProvider(files),
    // As the backend derives them from the entity's annotations.
    hints: {
      workloadName: rendered.annotations['backstage.io/kubernetes-id'],
      image: rendered.annotations['gitops.backstage.io/image'],
    },
    selectors: {},
  };
  const reader = new DesiredStateReader();
  return Promise.all(
    spec.environments.map(env =>
      reader.read({
        target,
        environment: defaultEnvironmentConfig(env.name, {
          ...TEMPLATES,
          autoSync: env.autoSync,
        }),
        revision: 'f'.repeat(40),
      }),
    ),
  );
}

const SIZES = {
  dev: {
    requests: { cpu: '50m', memory: '64Mi' },
    limits: { cpu: '100m', memory: '128Mi' },
  },
  staging: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '250m', memory: '256Mi' },
  },
  prod: {
    requests: { cpu: '200m', memory: '256Mi' },
    limits: { cpu: '500m', memory: '512Mi' },
  },
};

const HPA = {
  minReplicas: 3,
  maxReplicas: 10,
  targetCPUUtilizationPercentage: 70,
  targetMemoryUtilizationPercentage: 80,
};

/** Where the reader says each combination's state comes from. */
function expectedSource(
  engine: NewServiceSpec['engine'],
  layout: NewServiceSpec['layout'],
  env: string,
): Partial<DesiredState> {
  if (engine === 'argocd') {
    return {
      definition: {
        kind: 'Application',
        name: `hello-${env}`,
        file: `argocd/hello-${env}.yaml`,
      },
      namespace: `hello-${env}`,
      unsupported: undefined,
    };
  }
  if (layout === 'kustomize') {
    return {
      definition: {
        kind: 'Kustomization',
        name: `hello-${env}`,
        file: `clusters/${env}/hello.yaml`,
      },
      namespace: `hello-${env}`,
      unsupported: undefined,
    };
  }
  // The environment's Kustomization applies its overlay, which holds the HelmRelease: the
  // chart from this repository with the chart's values.yaml and values-<env>.yaml.
  return {
    definition: {
      kind: 'HelmRelease',
      name: 'hello',
      file: `clusters/${env}/hello.yaml`,
    },
    namespace: `hello-${env}`,
    unsupported: undefined,
  };
}

describe('renderNewService read back by DesiredStateReader', () => {
  describe.each(COMBINATIONS)('%s + %s', (engine, layout) => {
    let results: Awaited<ReturnType<typeof readBack>>;
    beforeAll(async () => {
      results = await readBack(exampleSpec(engine, layout));
    });

    it.each([
      ['dev', 0, { replicas: 1, autoscaling: null, digest: null }],
      ['staging', 1, { replicas: 2, autoscaling: null, digest: null }],
      ['prod', 2, { replicas: null, autoscaling: HPA, digest: DIGEST }],
    ] as const)('%s', (env, index, scale) => {
      const { state } = results[index];
      expect(state).toMatchObject({
        layout,
        image: 'ghcr.io/acme/hello',
        tag: 'v1.4.2',
        ...scale,
        resources: SIZES[env],
        workload: 'hello',
        warnings: [],
      });
      // Promotions write the version where the environment sets it, never in a shared file.
      const versionFile =
        layout === 'kustomize'
          ? `apps/hello/overlays/${env}/kustomization.yaml`
          : `apps/hello/values-${env}.yaml`;
      // A Flux Kustomization's plain overlay reports no origins (the planner finds the
      // overlay's `images` entry itself); the others name the environment's own file.
      const inVersionFile = expect.objectContaining({ file: versionFile });
      expect(state.origins?.tag).toEqual(
        engine === 'flux' && layout === 'kustomize' ? undefined : inVersionFile,
      );
      expect(state.origins?.tag?.shared ?? false).toBe(false);
      const source = expectedSource(engine, layout, env);
      expect({
        definition: state.definition,
        namespace: state.namespace,
        unsupported: state.unsupported,
      }).toEqual(source);
    });

    if (layout === 'kustomize') {
      it('builds overlays whose objects validate, hardened and probed in every environment', () => {
        for (const { rendered } of results) {
          if (rendered.layout !== 'kustomize') throw new Error('not kustomize');
          expect(invalidObjects(rendered.objects)).toEqual([]);
          const deployment = rendered.objects.find(
            o => o.kind === 'Deployment',
          );
          const container = deployment?.spec.template.spec.containers[0];
          expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
          expect(container.livenessProbe.httpGet.path).toBe('/health');
          expect(container.readinessProbe.httpGet.path).toBe('/ready');
          expect(container.startupProbe.httpGet.path).toBe('/health');
        }
      });

      it('meets Pod Security "restricted" with only the digest left to pin outside prod', () => {
        results.forEach(({ state }, index) => {
          expect(state.podSecurity).toEqual({
            level: 'restricted',
            findings: [],
          });
          expect(state.manifestChecks?.map(f => f.check)).toEqual(
            index === 2 ? [] : ['digestPinned'],
          );
        });
      });
    }
  });

  it.each([
    [['prod'], [['prod', null, HPA]]],
    [
      ['dev', 'prod'],
      [
        ['dev', 1, null],
        ['prod', null, HPA],
      ],
    ],
    [
      ['dev', 'qa', 'staging', 'prod'],
      [
        ['dev', 1, null],
        ['staging', 2, null],
        ['staging', 2, null],
        ['prod', null, HPA],
      ],
    ],
  ] as const)(
    'sizes environments %j by their place in the promotion order',
    async (envs, tiers) => {
      const states = await readBack(exampleSpec('argocd', 'helm', [...envs]));
      expect(
        states.map(({ state }) => [
          state.resources,
          state.replicas,
          state.autoscaling,
          state.digest,
        ]),
      ).toEqual(
        tiers.map(([tier, replicas, autoscaling], i) => [
          SIZES[tier],
          replicas,
          autoscaling,
          i === envs.length - 1 ? DIGEST : null,
        ]),
      );
    },
  );
});
