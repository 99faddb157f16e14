import { parseAllDocuments, parse } from 'yaml';
import { renderNewService } from './renderNewService';
import { COMBINATIONS, DIGEST, exampleSpec } from './__testUtils__/exampleSpec';
import { invalidObjects } from 'gitops-testkit';
import { RenderedService } from './types';

const kustomizeFiles = [
  'apps/hello/base/deployment.yaml',
  'apps/hello/base/kustomization.yaml',
  'apps/hello/base/service.yaml',
  'apps/hello/catalog-info.yaml',
  'apps/hello/overlays/dev/kustomization.yaml',
  'apps/hello/overlays/prod/hpa.yaml',
  'apps/hello/overlays/prod/kustomization.yaml',
  'apps/hello/overlays/prod/pdb.yaml',
  'apps/hello/overlays/staging/kustomization.yaml',
];
const helmFiles = [
  'apps/hello/.helmignore',
  'apps/hello/Chart.yaml',
  'apps/hello/catalog-info.yaml',
  'apps/hello/templates/_helpers.tpl',
  'apps/hello/templates/deployment.yaml',
  'apps/hello/templates/hpa.yaml',
  'apps/hello/templates/pdb.yaml',
  'apps/hello/templates/service.yaml',
  'apps/hello/values-dev.yaml',
  'apps/hello/values-prod.yaml',
  'apps/hello/values-staging.yaml',
  'apps/hello/values.yaml',
];
const argoFiles = [
  'argocd/hello-dev.yaml',
  'argocd/hello-prod.yaml',
  'argocd/hello-staging.yaml',
];
const fluxFiles = [
  'clusters/dev/hello.yaml',
  'clusters/prod/hello.yaml',
  'clusters/staging/hello.yaml',
];

/** Files that are not YAML: Helm templates and the ignore list. */
const isYaml = (file: string) =>
  /\.ya?ml$/.test(file) && !file.includes('/templates/');

/** Every document of every YAML file, parsed strictly. */
function documentsOf(rendered: RenderedService) {
  return rendered.files
    .filter(f => isYaml(f.path))
    .flatMap(f =>
      parseAllDocuments(f.content).map(doc => {
        if (doc.errors.length) throw new Error(`${f.path}: ${doc.errors[0]}`);
        return { file: f.path, value: doc.toJS() as Record<string, any> };
      }),
    );
}

/** Kinds that are not Kubernetes objects: Kustomize's own file and the catalog entity. */
/** Flux and a chart in Git: each environment's Kustomization applies its HelmRelease. */
const fluxReleaseFiles = ['dev', 'staging', 'prod'].flatMap(env => [
  `apps/hello/overlays/${env}/helmrelease.yaml`,
  `apps/hello/overlays/${env}/kustomization.yaml`,
]);

const NOT_IN_CLUSTER = [
  'kustomize.config.k8s.io/v1beta1 Kustomization',
  'backstage.io/v1alpha1 Component',
];

const fileOf = (rendered: RenderedService, file: string) => {
  const found = rendered.files.find(f => f.path === file);
  if (!found) throw new Error(`no ${file}`);
  return found.content;
};

describe('renderNewService', () => {
  it.each([
    ['argocd', 'kustomize', [...kustomizeFiles, ...argoFiles]],
    ['argocd', 'helm', [...helmFiles, ...argoFiles]],
    ['flux', 'kustomize', [...kustomizeFiles, ...fluxFiles]],
    ['flux', 'helm', [...helmFiles, ...fluxFiles, ...fluxReleaseFiles]],
  ] as const)('%s + %s writes exactly these files', (engine, layout, files) => {
    const rendered = renderNewService(exampleSpec(engine, layout));
    expect(rendered.files.map(f => f.path).sort()).toEqual([...files].sort());
    expect(rendered.catalogInfoPath).toBe('apps/hello/catalog-info.yaml');
  });

  it.each([
    [
      'argocd',
      'kustomize',
      'Application×3 Deployment HorizontalPodAutoscaler PodDisruptionBudget Service',
    ],
    ['argocd', 'helm', 'Application×3'],
    [
      'flux',
      'kustomize',
      'Deployment HorizontalPodAutoscaler Kustomization×3 Namespace×3 PodDisruptionBudget Service',
    ],
    ['flux', 'helm', 'HelmRelease×3 Kustomization×3 Namespace×3'],
  ] as const)(
    '%s + %s: every object validates with kubernetes-models (%s)',
    (engine, layout, kinds) => {
      const objects = documentsOf(renderNewService(exampleSpec(engine, layout)))
        .map(d => d.value)
        .filter(
          o => o?.kind && !NOT_IN_CLUSTER.includes(`${o.apiVersion} ${o.kind}`),
        );
      const counts = new Map<string, number>();
      for (const o of objects)
        counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
      expect(
        [...counts]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([kind, n]) => (n > 1 ? `${kind}×${n}` : kind))
          .join(' '),
      ).toBe(kinds);
      expect(invalidObjects(objects)).toEqual([]);
    },
  );

  describe.each(COMBINATIONS)('%s + %s', (engine, layout) => {
    const rendered = renderNewService(exampleSpec(engine, layout));

    it('never says latest, and starts every file with a comment saying what it is', () => {
      const saysLatest = rendered.files.filter(f => /latest/i.test(f.content));
      expect(saysLatest.map(f => f.path)).toEqual([]);
      const uncommented = rendered.files.filter(
        f => !/^(# |\{\{\/\*\n|\{\{- \/\* )\S/.test(f.content),
      );
      expect(uncommented.map(f => f.path)).toEqual([]);
    });

    it('writes the catalog entity with the annotations the portal finds the service by', () => {
      const entity = parse(fileOf(rendered, rendered.catalogInfoPath));
      const expected = {
        'backstage.io/kubernetes-id': 'hello',
        'gitops.backstage.io/path': 'apps/hello',
        'gitops.backstage.io/image': 'ghcr.io/acme/hello',
        ...(engine === 'argocd'
          ? { 'argocd/app-selector': 'app.kubernetes.io/name=hello' }
          : {}),
      };
      expect(entity).toEqual({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'hello',
          description: 'Says hello.',
          annotations: expected,
        },
        spec: {
          type: 'service',
          lifecycle: 'experimental',
          owner: 'team-a',
          system: 'shop',
        },
      });
      expect(rendered.annotations).toEqual(expected);
    });
  });

  describe.each(['argocd', 'flux'] as const)(
    '%s + kustomize workload',
    engine => {
      const rendered = renderNewService(exampleSpec(engine, 'kustomize'));
      const deployment = parse(
        fileOf(rendered, 'apps/hello/base/deployment.yaml'),
      );
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];

      it('runs as a non-root user with a read-only root filesystem, no capabilities and the runtime seccomp profile', () => {
        expect(pod.securityContext).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 10001,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 10001,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(container.volumeMounts).toEqual([
          { name: 'tmp', mountPath: '/tmp' },
        ]);
        expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
      });

      it('probes /health and /ready on the container port', () => {
        expect(container.ports).toEqual([
          { name: 'http', containerPort: 8080, protocol: 'TCP' },
        ]);
        expect(container.livenessProbe.httpGet).toEqual({
          path: '/health',
          port: 'http',
        });
        expect(container.readinessProbe.httpGet).toEqual({
          path: '/ready',
          port: 'http',
        });
        expect(container.startupProbe.httpGet).toEqual({
          path: '/health',
          port: 'http',
        });
      });

      it('labels every object for the Kubernetes plugin and Argo CD', () => {
        for (const file of [
          'base/deployment.yaml',
          'base/service.yaml',
          'overlays/prod/hpa.yaml',
          'overlays/prod/pdb.yaml',
        ]) {
          expect(
            parse(fileOf(rendered, `apps/hello/${file}`)).metadata.labels,
          ).toEqual({
            'app.kubernetes.io/name': 'hello',
            'backstage.io/kubernetes-id': 'hello',
          });
        }
      });

      it('pins the last environment by digest and keeps the tag beside it', () => {
        const images = (env: string) =>
          parse(
            fileOf(rendered, `apps/hello/overlays/${env}/kustomization.yaml`),
          ).images;
        expect(images('dev')).toEqual([
          { name: 'ghcr.io/acme/hello', newTag: 'v1.4.2' },
        ]);
        expect(images('staging')).toEqual([
          { name: 'ghcr.io/acme/hello', newTag: 'v1.4.2' },
        ]);
        expect(images('prod')).toEqual([
          { name: 'ghcr.io/acme/hello', newTag: 'v1.4.2', digest: DIGEST },
        ]);
      });
    },
  );

  describe.each(['argocd', 'flux'] as const)('%s + helm chart', engine => {
    const rendered = renderNewService(exampleSpec(engine, 'helm'));
    const values = parse(fileOf(rendered, 'apps/hello/values.yaml'));
    const template = fileOf(rendered, 'apps/hello/templates/deployment.yaml');

    it('follows helm create conventions in values.yaml', () => {
      expect(values).toMatchObject({
        image: { repository: 'ghcr.io/acme/hello', tag: '', digest: '' },
        replicaCount: 1,
        service: { port: 8080 },
        resources: { requests: { cpu: '50m', memory: '64Mi' } },
        autoscaling: {
          enabled: false,
          minReplicas: 3,
          maxReplicas: 10,
          targetCPUUtilizationPercentage: 70,
          targetMemoryUtilizationPercentage: 80,
        },
        podDisruptionBudget: { enabled: false, minAvailable: 1 },
      });
      expect(parse(fileOf(rendered, 'apps/hello/Chart.yaml'))).toMatchObject({
        apiVersion: 'v2',
        name: 'hello',
        appVersion: 'v1.4.2',
      });
    });

    it('runs the pod hardened, with its probes, from values the template uses', () => {
      expect(values.podSecurityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(values.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(values.livenessProbe.httpGet).toEqual({
        path: '/health',
        port: 'http',
      });
      expect(values.readinessProbe.httpGet).toEqual({
        path: '/ready',
        port: 'http',
      });
      expect(values.startupProbe.httpGet).toEqual({
        path: '/health',
        port: 'http',
      });
      for (const use of [
        'toYaml .Values.podSecurityContext | nindent 8',
        'toYaml .Values.securityContext | nindent 12',
        'livenessProbe:\n            {{- toYaml .Values.livenessProbe',
        'readinessProbe:\n            {{- toYaml .Values.readinessProbe',
        'startupProbe:\n            {{- toYaml .Values.startupProbe',
        'mountPath: /tmp',
        'emptyDir: {}',
      ]) {
        expect(template).toContain(use);
      }
      // No environment's values take the hardening or the probes away.
      for (const env of ['dev', 'staging', 'prod']) {
        const own = parse(fileOf(rendered, `apps/hello/values-${env}.yaml`));
        expect(
          Object.keys(own).filter(k => /Probe|ecurityContext/.test(k)),
        ).toEqual([]);
      }
    });

    it('pulls by digest when one is set, else by tag', () => {
      const helpers = fileOf(rendered, 'apps/hello/templates/_helpers.tpl');
      expect(helpers).toContain(
        '{{- if .Values.image.digest }}\n{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}',
      );
      expect(template).toContain(
        'image: {{ include "hello.image" . | quote }}',
      );
      expect(
        parse(fileOf(rendered, 'apps/hello/values-prod.yaml')).image,
      ).toEqual({
        tag: 'v1.4.2',
        digest: DIGEST,
      });
      expect(
        parse(fileOf(rendered, 'apps/hello/values-dev.yaml')).image,
      ).toEqual({
        tag: 'v1.4.2',
      });
    });
  });

  it.each([
    ['dev', { automated: { prune: true, selfHeal: true } }],
    ['staging', { automated: { prune: true, selfHeal: false } }],
    ['prod', {}],
  ])('syncs %s as seed 002 says', (env, automated) => {
    const rendered = renderNewService(exampleSpec('argocd', 'kustomize'));
    expect(
      parse(fileOf(rendered, `argocd/hello-${env}.yaml`)).spec.syncPolicy,
    ).toEqual({
      ...automated,
      syncOptions: ['CreateNamespace=true'],
    });
  });

  it.each(['kustomize', 'helm'] as const)(
    'says in the Flux %s objects that prod is gated by review, having no manual sync',
    layout => {
      const rendered = renderNewService(exampleSpec('flux', layout));
      const gate =
        /Flux has no manual sync.*The gate for prod is the review of the change/;
      expect(fileOf(rendered, 'clusters/prod/hello.yaml')).toMatch(gate);
      expect(fileOf(rendered, 'clusters/dev/hello.yaml')).not.toMatch(gate);
    },
  );

  it('writes Argo CD Applications of a Helm chart with its values files, relative to it', () => {
    const rendered = renderNewService({
      ...exampleSpec('argocd', 'helm'),
      argocd: { namespace: 'gitops', project: 'shop' },
    });
    const app = parse(fileOf(rendered, 'argocd/hello-staging.yaml'));
    expect(app.metadata).toEqual({
      name: 'hello-staging',
      namespace: 'gitops',
      labels: {
        'app.kubernetes.io/name': 'hello',
        'gitops.backstage.io/environment': 'staging',
      },
    });
    expect(app.spec).toMatchObject({
      project: 'shop',
      source: {
        repoURL: 'https://github.com/acme/gitops-repo.git',
        targetRevision: 'main',
        path: 'apps/hello',
        helm: { valueFiles: ['values.yaml', 'values-staging.yaml'] },
      },
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: 'hello-staging',
      },
    });
  });

  it('writes Flux objects against the configured GitRepository', () => {
    const flux = {
      sourceName: 'fleet',
      sourceNamespace: 'sources',
      namespace: 'apps',
    };
    const helm = renderNewService({ ...exampleSpec('flux', 'helm'), flux });
    const release = parse(
      fileOf(helm, 'apps/hello/overlays/dev/helmrelease.yaml'),
    );
    // In the environment's namespace, where its Kustomization applies it.
    expect(release.metadata).toEqual({
      name: 'hello',
      labels: expect.any(Object),
    });
    expect(release.spec).toMatchObject({
      chart: {
        spec: {
          chart: './apps/hello',
          reconcileStrategy: 'Revision',
          sourceRef: {
            kind: 'GitRepository',
            name: 'fleet',
            namespace: 'sources',
          },
          valuesFiles: ['apps/hello/values.yaml', 'apps/hello/values-dev.yaml'],
        },
      },
    });
    expect(
      parse(fileOf(helm, 'apps/hello/overlays/dev/kustomization.yaml')),
    ).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['helmrelease.yaml'],
    });
    const applies = parseAllDocuments(fileOf(helm, 'clusters/dev/hello.yaml'))
      .map(d => d.toJS())
      .find(d => d.kind === 'Kustomization');
    expect(applies.metadata.namespace).toBe('apps');
    expect(applies.spec).toMatchObject({
      path: './apps/hello/overlays/dev',
      targetNamespace: 'hello-dev',
    });
    const docs = parseAllDocuments(
      fileOf(
        renderNewService({ ...exampleSpec('flux', 'kustomize'), flux }),
        'clusters/dev/hello.yaml',
      ),
    ).map(d => d.toJS());
    expect(docs.map(d => `${d.kind} ${d.metadata.name}`)).toEqual([
      'Namespace hello-dev',
      'Kustomization hello-dev',
    ]);
    expect(docs[1].spec).toMatchObject({
      path: './apps/hello/overlays/dev',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'fleet', namespace: 'sources' },
      targetNamespace: 'hello-dev',
    });
  });

  it("adds the caller's annotations to the entity", () => {
    const spec = exampleSpec('flux', 'kustomize');
    spec.entity.annotations = { 'gitops.backstage.io/repo': 'fleet' };
    const rendered = renderNewService(spec);
    expect(rendered.annotations['gitops.backstage.io/repo']).toBe('fleet');
    expect(
      parse(fileOf(rendered, rendered.catalogInfoPath)).metadata.annotations,
    ).toEqual(rendered.annotations);
  });

  it("computes the overlay's way to the base from where the overlay is", () => {
    const spec = exampleSpec('argocd', 'kustomize');
    spec.environments[0].overlayPath = 'envs/dev/hello';
    const overlay = parse(
      fileOf(renderNewService(spec), 'envs/dev/hello/kustomization.yaml'),
    );
    expect(overlay.resources).toEqual(['../../../apps/hello/base']);
  });
});
