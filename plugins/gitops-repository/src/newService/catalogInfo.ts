import { InputError } from '@backstage/errors';
import path from 'node:path';
import { NewServiceSpec, RenderedFile } from './types';
import { yamlFile } from './yamlFile';

/**
 * The annotations that let the portal find a new service, as `examples/entities.yaml` sets
 * them: its workloads (`backstage.io/kubernetes-id`), its folder and image in the GitOps
 * repository, and for Argo CD its Applications by label. The caller's own annotations are
 * added; one that would change these is refused rather than silently dropped.
 */
export function entityAnnotations(
  spec: NewServiceSpec,
): Record<string, string> {
  const own: Record<string, string> = {
    'backstage.io/kubernetes-id': spec.name,
    'gitops.backstage.io/path': spec.path,
    'gitops.backstage.io/image': spec.image,
    ...(spec.engine === 'argocd'
      ? { 'argocd/app-selector': `app.kubernetes.io/name=${spec.name}` }
      : {}),
  };
  for (const [key, value] of Object.entries(spec.entity.annotations ?? {})) {
    if (key in own && own[key] !== value) {
      throw new InputError(
        `entity.annotations.${key}: the new service's files need "${own[key]}", not "${value}"`,
      );
    }
  }
  return { ...own, ...spec.entity.annotations };
}

/** `{path}/catalog-info.yaml`: the service's Component. */
export function renderCatalogInfo(spec: NewServiceSpec): RenderedFile {
  const engine = spec.engine === 'argocd' ? 'Argo CD' : 'Flux';
  return {
    path: path.posix.join(spec.path, 'catalog-info.yaml'),
    content: yamlFile({
      comment: `Catalog entity of ${spec.name}: a service deployed from ${spec.path} by ${engine} (${spec.layout}).`,
      value: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: spec.name,
          description:
            spec.entity.description ??
            `${spec.name}, deployed by ${engine} from ${spec.path}.`,
          annotations: entityAnnotations(spec),
        },
        spec: {
          type: 'service',
          lifecycle: 'experimental',
          owner: spec.entity.owner,
          ...(spec.entity.system ? { system: spec.entity.system } : {}),
        },
      },
    }),
  };
}
