/*
 * Image automation fixtures, field by field from the controllers' APIs: Flux's
 * image.toolkit.fluxcd.io/v1 (image-reflector-controller: ImageRepository, ImagePolicy;
 * image-automation-controller: ImageUpdateAutomation; Flux 2.7) and Argo CD Image Updater 1.x's
 * argocd-image-updater.argoproj.io/v1alpha1 ImageUpdater (api/v1alpha1/imageupdater_types.go),
 * plus its 0.x annotations on an Application. Plain data like clusterObjects.ts; the Flux ones
 * are validated with @kubernetes-models/flux-cd in imageAutomationObjects.test.ts (there is no
 * model of ImageUpdater: that test checks its required fields instead).
 */

import {
  ARGOCD_NAMESPACE,
  FLUX_NAMESPACE,
  IMAGE_REGISTRY,
  KubeObject,
  condition,
  fakeGitSha,
  fakeSha256,
  minutesAgo,
  objectMeta,
} from './clusterObjects';

const DAY_MINUTES = 24 * 60;

/** A Ready condition that failed: reason and message as the controller writes them. */
export interface Failure {
  reason: string;
  message: string;
}

function ready(
  generation: number,
  ok: string,
  failure: Failure | undefined,
  minutes: number,
) {
  return failure
    ? condition('Ready', 'False', failure.reason, failure.message, minutes, {
        observedGeneration: generation,
      })
    : condition('Ready', 'True', 'Succeeded', ok, minutes, {
        observedGeneration: generation,
      });
}

/** An ImageRepository scanning `ghcr.io/acme/<service>` every 5 minutes. */
export function buildImageRepository(o: {
  service: string;
  tags: string[];
  failure?: Failure;
  namespace?: string;
}): KubeObject {
  const generation = 1;
  const image = `${IMAGE_REGISTRY}/${o.service}`;
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1',
    kind: 'ImageRepository',
    metadata: objectMeta(
      'ImageRepository',
      o.namespace ?? FLUX_NAMESPACE,
      o.service,
      {
        createdMinutesAgo: 30 * DAY_MINUTES,
        generation,
        finalizers: ['finalizers.fluxcd.io'],
      },
    ),
    spec: {
      image,
      interval: '5m0s',
      provider: 'generic',
      secretRef: { name: 'ghcr-auth' },
      exclusionList: ['^.*\\.sig$'],
    },
    status: {
      canonicalImageName: image,
      conditions: [
        ready(
          generation,
          `successful scan: found ${o.tags.length} tags`,
          o.failure,
          o.failure ? 4 : 3,
        ),
      ],
      lastScanResult: {
        latestTags: [...o.tags].sort().reverse().slice(0, 10),
        revision: `sha256:${fakeSha256(`tags:${o.tags.join(',')}`)}`,
        scanTime: minutesAgo(3),
        tagCount: o.tags.length,
      },
      observedExclusionList: ['^.*\\.sig$'],
      observedGeneration: generation,
    },
  };
}

/** An ImagePolicy `<service>-<env>` on that repository, semver `range` unless `choice` says. */
export function buildImagePolicy(o: {
  service: string;
  env: string;
  range?: string;
  choice?: Record<string, any>;
  filterTags?: Record<string, string>;
  latest: string | null;
  previous?: string;
  failure?: Failure;
  suspend?: boolean;
  labels?: Record<string, string>;
  name?: string;
}): KubeObject {
  const generation = 1;
  const image = `${IMAGE_REGISTRY}/${o.service}`;
  const name = o.name ?? `${o.service}-${o.env}`;
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1',
    kind: 'ImagePolicy',
    metadata: objectMeta('ImagePolicy', FLUX_NAMESPACE, name, {
      createdMinutesAgo: 30 * DAY_MINUTES,
      generation,
      labels: o.labels,
    }),
    spec: {
      imageRepositoryRef: { name: o.service },
      policy: o.choice ?? { semver: { range: o.range ?? '^1.x' } },
      ...(o.filterTags ? { filterTags: o.filterTags } : {}),
      ...(o.suspend ? { suspend: true } : {}),
    },
    status: {
      conditions: [
        ready(
          generation,
          `Latest image tag for ${image} resolved to ${o.latest}`,
          o.failure,
          3,
        ),
      ],
      ...(o.latest ? { latestRef: { name: image, tag: o.latest } } : {}),
      ...(o.previous
        ? { observedPreviousRef: { name: image, tag: o.previous } }
        : {}),
      observedGeneration: generation,
    },
  };
}

/** An ImageUpdateAutomation pushing to `main` of the gitops repo, for the files under `path`. */
export function buildImageUpdateAutomation(o: {
  name: string;
  path: string;
  pushedMinutesAgo: number;
  failure?: Failure;
  gitRepository?: string;
  policySelector?: Record<string, string>;
}): KubeObject {
  const generation = 1;
  const commit = fakeGitSha(`automation:${o.name}`);
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1',
    kind: 'ImageUpdateAutomation',
    metadata: objectMeta('ImageUpdateAutomation', FLUX_NAMESPACE, o.name, {
      createdMinutesAgo: 30 * DAY_MINUTES,
      generation,
      finalizers: ['finalizers.fluxcd.io'],
    }),
    spec: {
      interval: '5m0s',
      sourceRef: {
        kind: 'GitRepository',
        name: o.gitRepository ?? 'gitops-repo',
      },
      git: {
        checkout: { ref: { branch: 'main' } },
        commit: {
          author: {
            email: 'fluxcdbot@users.noreply.github.com',
            name: 'fluxcdbot',
          },
          messageTemplate:
            '{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}',
        },
        push: { branch: 'main' },
      },
      update: { path: o.path, strategy: 'Setters' },
      ...(o.policySelector
        ? { policySelector: { matchLabels: o.policySelector } }
        : {}),
    },
    status: {
      conditions: [ready(generation, 'repository up-to-date', o.failure, 2)],
      lastAutomationRunTime: minutesAgo(1),
      lastPushCommit: commit,
      lastPushTime: minutesAgo(o.pushedMinutesAgo),
      observedGeneration: generation,
      observedSourceRevision: `main@sha1:${commit}`,
    },
  };
}

/** An ImageUpdater (1.x) in `argocd` following `<service>` for the Applications `namePattern`. */
export function buildImageUpdater(o: {
  service: string;
  namePattern: string;
  imageName: string;
  updateStrategy?: string;
  allowTags?: string;
  updated?: { version: string; minutesAgo: number };
  error?: string;
  useAnnotations?: boolean;
}): KubeObject {
  const generation = 1;
  const image = `${IMAGE_REGISTRY}/${o.service}`;
  const conditions = o.error
    ? [
        condition('Ready', 'False', 'ReconcileError', o.error, 6, {
          observedGeneration: generation,
        }),
        condition('Error', 'True', 'ReconcileError', o.error, 6, {
          observedGeneration: generation,
        }),
      ]
    : [
        condition('Ready', 'True', 'ReconcileSuccess', 'Reconciled', 2, {
          observedGeneration: generation,
        }),
      ];
  const ref = o.useAnnotations
    ? { namePattern: o.namePattern, useAnnotations: true }
    : {
        namePattern: o.namePattern,
        images: [
          {
            alias: o.service,
            imageName: o.imageName,
            commonUpdateSettings: {
              updateStrategy: o.updateStrategy ?? 'semver',
              ...(o.allowTags ? { allowTags: o.allowTags } : {}),
            },
            manifestTargets: { kustomize: { name: image } },
          },
        ],
      };
  return {
    apiVersion: 'argocd-image-updater.argoproj.io/v1alpha1',
    kind: 'ImageUpdater',
    metadata: objectMeta('ImageUpdater', ARGOCD_NAMESPACE, o.service, {
      createdMinutesAgo: 30 * DAY_MINUTES,
      generation,
    }),
    spec: {
      writeBackConfig: { method: 'git', gitConfig: { branch: 'main' } },
      applicationRefs: [ref],
    },
    status: {
      observedGeneration: generation,
      lastCheckedAt: minutesAgo(1),
      ...(o.updated ? { lastUpdatedAt: minutesAgo(o.updated.minutesAgo) } : {}),
      applicationsMatched: 1,
      imagesManaged: 1,
      ...(o.updated
        ? {
            recentUpdates: [
              {
                alias: o.service,
                image,
                newVersion: o.updated.version,
                applicationsUpdated: 1,
                updatedAt: minutesAgo(o.updated.minutesAgo),
                message: `Successfully updated image '${image}' to '${image}:${o.updated.version}'`,
              },
            ],
          }
        : {}),
      conditions,
    },
  };
}

/** Image Updater 0.x's annotations on an Application, for `<service>` under `constraint`. */
export function imageUpdaterAnnotations(o: {
  service: string;
  constraint?: string;
  strategy?: string;
  allowTags?: string;
  writeBack?: string;
}): Record<string, string> {
  const prefix = 'argocd-image-updater.argoproj.io';
  const image = `${IMAGE_REGISTRY}/${o.service}`;
  return {
    [`${prefix}/image-list`]: `${o.service}=${image}${
      o.constraint ? `:${o.constraint}` : ''
    }`,
    ...(o.strategy
      ? { [`${prefix}/${o.service}.update-strategy`]: o.strategy }
      : {}),
    ...(o.allowTags
      ? { [`${prefix}/${o.service}.allow-tags`]: o.allowTags }
      : {}),
    ...(o.writeBack ? { [`${prefix}/write-back-method`]: o.writeBack } : {}),
  };
}
