import { KubeObject } from './ObjectStore';

/** The labels and annotations an engine puts on an object it applies. */
export type Ownership = (object: KubeObject) => {
  labels: Record<string, string>;
  annotations: Record<string, string>;
};

/** Argo CD's label and annotation tracking: `<app>:<group>/<Kind>:<namespace>/<name>`. */
export function argoOwnership(app: string): Ownership {
  return object => {
    const group = object.apiVersion.includes('/')
      ? object.apiVersion.split('/')[0]
      : '';
    return {
      labels: { 'app.kubernetes.io/instance': app },
      annotations: {
        'argocd.argoproj.io/tracking-id': `${app}:${group}/${object.kind}:${object.metadata.namespace}/${object.metadata.name}`,
      },
    };
  };
}

/** kustomize-controller's owner labels on what a Kustomization applies. */
export function kustomizeOwnership(name: string, namespace: string): Ownership {
  return () => ({
    labels: {
      'kustomize.toolkit.fluxcd.io/name': name,
      'kustomize.toolkit.fluxcd.io/namespace': namespace,
    },
    annotations: {},
  });
}

/**
 * What a HelmRelease's objects carry: helm-controller's origin labels, and Helm's own
 * `managed-by` label and release annotations.
 */
export function helmOwnership(
  helmRelease: { name: string; namespace: string },
  release: { name: string; namespace: string },
): Ownership {
  return () => ({
    labels: {
      'app.kubernetes.io/managed-by': 'Helm',
      'helm.toolkit.fluxcd.io/name': helmRelease.name,
      'helm.toolkit.fluxcd.io/namespace': helmRelease.namespace,
    },
    annotations: {
      'meta.helm.sh/release-name': release.name,
      'meta.helm.sh/release-namespace': release.namespace,
    },
  });
}

/** The object with its owner's labels and annotations added to its metadata. */
export function owned(object: KubeObject, ownership?: Ownership): KubeObject {
  if (!ownership) return object;
  const { labels, annotations } = ownership(object);
  const metadata = { ...object.metadata };
  metadata.labels = { ...metadata.labels, ...labels };
  if (Object.keys(annotations).length > 0)
    metadata.annotations = { ...metadata.annotations, ...annotations };
  return { ...object, metadata };
}
