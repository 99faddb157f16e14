import { InputError } from '@backstage/errors';
import { CreateServiceRequest } from '@gitops-backstage/plugin-gitops-common';
import {
  NewServiceSpec,
  environmentInRepository,
  fillTemplate,
} from '@gitops-backstage/plugin-gitops-repository';
import { GitopsConfig, RepositoryConfig } from '../config';

/** Inputs of {@link newServiceSpec}. */
export interface NewServiceSpecInput {
  request: CreateServiceRequest;
  repository: RepositoryConfig;
  /** The service's folder (`gitops.serviceCreation.pathTemplate` filled in). */
  servicePath: string;
  config: GitopsConfig;
  /** The image's digest (given, or from a configured registry); null when none is known. */
  digest: string | null;
}

/**
 * What the new service's files are rendered from: its environments as the repository lays
 * them out, the engine's settings and the catalog entity. Refused (400) without a digest: the
 * last environment is pinned by digest.
 */
export function newServiceSpec({
  request,
  repository,
  servicePath,
  config,
  digest,
}: NewServiceSpecInput): NewServiceSpec {
  const creation = config.serviceCreation;
  const definitionTemplate = creation[request.engine].definitionPath;
  const environments = config.environments.map(configured => {
    const env = environmentInRepository(configured, repository.layout);
    const values = {
      service: request.name,
      env: env.name,
      path: servicePath,
    };
    return {
      name: env.name,
      namespace: fillTemplate(env.namespace, values),
      overlayPath: fillTemplate(env.overlayPath, values),
      valuesFile: fillTemplate(env.valuesFile, values),
      definitionPath: fillTemplate(definitionTemplate, values),
      autoSync: env.autoSync,
    };
  });
  if (!digest) {
    throw new InputError(
      `${request.image}:${
        request.tag
      } has no digest in a configured registry, and ${
        environments[environments.length - 1].name
      } is pinned by digest: push the image first, list its registry in gitops.registries, or give the digest; nothing was written`,
    );
  }
  return {
    name: request.name,
    path: servicePath,
    engine: request.engine,
    layout: request.layout,
    image: request.image,
    tag: request.tag,
    digest,
    port: request.port ?? 8080,
    autoscaling: request.autoscaling ?? { minReplicas: 3, maxReplicas: 10 },
    environments,
    progressiveDelivery: request.progressiveDelivery ?? 'none',
    ...(request.prometheusAddress
      ? { prometheusAddress: request.prometheusAddress }
      : {}),
    repository: {
      url: creation.argocd.repoURL ?? repository.url,
      branch: repository.branch,
    },
    argocd: {
      namespace: creation.argocd.namespace,
      project: creation.argocd.project,
    },
    flux: {
      namespace: creation.flux.namespace,
      sourceName: creation.flux.sourceName,
      sourceNamespace: creation.flux.sourceNamespace,
    },
    entity: {
      owner: request.owner,
      system: request.system,
      description: request.description,
      annotations: {
        ...(repository !== config.repositories[0]
          ? { 'gitops.backstage.io/repo': repository.name }
          : {}),
        ...(request.sourceLocation
          ? {
              'backstage.io/source-location': `url:${request.sourceLocation}`,
            }
          : {}),
      },
    },
  };
}
