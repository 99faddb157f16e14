import { InputError } from '@backstage/errors';
import path from 'node:path';
import { renderCatalogInfo, entityAnnotations } from './catalogInfo';
import { renderEngineObjects } from './engineObjects';
import { renderHelmLayout } from './helmLayout';
import { renderKustomizeLayout } from './kustomizeLayout';
import { planEnvironments } from './sizing';
import { NewServiceSpec, RenderedFile, RenderedService } from './types';
import { validateSpec } from './validateSpec';

/**
 * Every file of a new GitOps-managed service, for one reviewed commit: the service's manifests
 * (a Kustomize base and overlays, or a Helm chart and values files), each environment's Argo
 * CD Application or Flux object, and its catalog entity, laid out like the example repository
 * so that the desired-state reader and the promotion planner read them as they read it.
 *
 * Pure: no IO. Refuses a spec it cannot write with an InputError naming the field.
 *
 * @public
 */
export function renderNewService(spec: NewServiceSpec): RenderedService {
  validateSpec(spec);
  const plans = planEnvironments(spec);
  const catalogInfo = renderCatalogInfo(spec);
  const files = [
    ...(spec.layout === 'kustomize'
      ? renderKustomizeLayout(spec, plans)
      : renderHelmLayout(spec, plans)),
    ...renderEngineObjects(spec, plans),
    catalogInfo,
  ];
  refuseCollisions(spec, files);
  return {
    files,
    catalogInfoPath: catalogInfo.path,
    annotations: entityAnnotations(spec),
  };
}

/**
 * Environment paths that land on one of the service's other files (a definition file at the
 * base's deployment.yaml, a values file under an overlay's name) would overwrite it.
 */
function refuseCollisions(spec: NewServiceSpec, files: RenderedFile[]) {
  const fieldOf = (file: string) => {
    for (const [i, env] of spec.environments.entries()) {
      const at = (field: string) => `environments[${i}].${field}`;
      if (file === env.definitionPath) return at('definitionPath');
      if (spec.layout === 'helm' && file === env.valuesFile) {
        return at('valuesFile');
      }
      if (
        spec.layout === 'kustomize' &&
        path.posix.dirname(file) === env.overlayPath
      ) {
        return at('overlayPath');
      }
    }
    return 'path';
  };
  const paths = new Set<string>();
  for (const file of files) {
    if (paths.has(file.path)) {
      throw new InputError(
        `${fieldOf(file.path)}: ${
          file.path
        } would also be another file of the new service`,
      );
    }
    paths.add(file.path);
  }
  for (const file of paths) {
    for (
      let dir = path.posix.dirname(file);
      dir !== '.';
      dir = path.posix.dirname(dir)
    ) {
      if (paths.has(dir)) {
        throw new InputError(
          `${fieldOf(dir)}: ${dir} would be a file and the folder of ${file}`,
        );
      }
    }
  }
}
