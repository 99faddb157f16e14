// The Argo CD Application that deploys a service's overlay into one environment.
import { CREATED, STARTED, uid } from './k8sShared.mjs';

/** The Argo CD Application deploying the service's overlay, Synced and Healthy. */
export function application({
  service,
  env,
  revision,
  repoUrl,
  autoSync,
  resourceVersion,
}) {
  const namespace = `${service}-${env}`;
  const resources = [
    {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      namespace,
      name: service,
      status: 'Synced',
      health: { status: 'Healthy' },
    },
    ...(env === 'prod'
      ? [
          {
            group: 'autoscaling',
            version: 'v2',
            kind: 'HorizontalPodAutoscaler',
            namespace,
            name: service,
            status: 'Synced',
            health: { status: 'Healthy' },
          },
        ]
      : []),
  ];
  const source = {
    repoURL: repoUrl,
    path: `apps/${service}/overlays/${env}`,
    targetRevision: 'main',
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${service}-${env}`,
      namespace: 'argocd',
      uid: uid('argocd', service, env),
      resourceVersion: String(resourceVersion),
      generation: 12,
      creationTimestamp: CREATED,
      labels: {
        'app.kubernetes.io/name': service,
        'gitops.backstage.io/environment': env,
      },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'default',
      source,
      destination: { server: 'https://kubernetes.default.svc', namespace },
      ...(autoSync
        ? {
            syncPolicy: {
              automated: { prune: true, selfHeal: true },
              syncOptions: ['CreateNamespace=true'],
            },
          }
        : {}),
    },
    status: {
      sync: {
        status: 'Synced',
        revision,
        comparedTo: {
          source,
          destination: { server: 'https://kubernetes.default.svc', namespace },
        },
      },
      health: { status: 'Healthy', lastTransitionTime: STARTED },
      resources,
      // Replaced with the serving time by the fake API: Argo CD refreshes it every few minutes.
      reconciledAt: STARTED,
      operationState: {
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        startedAt: CREATED,
        finishedAt: STARTED,
        operation: { sync: { revision } },
        syncResult: {
          revision,
          source,
          resources: resources.map(r => ({
            ...r,
            status: 'Synced',
            message: `${r.kind.toLowerCase()}.${r.group} configured`,
            hookPhase: 'Running',
            syncPhase: 'Sync',
          })),
        },
      },
      sourceType: 'Kustomize',
      summary: { images: [] },
      history: [{ revision, deployedAt: STARTED, id: 3, source }],
    },
  };
}
