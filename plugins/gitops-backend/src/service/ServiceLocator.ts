import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ANNOTATION_GITOPS_IMAGE,
  ANNOTATION_GITOPS_IMAGE_VALUES_PATH,
  ANNOTATION_GITOPS_PATH,
  ANNOTATION_GITOPS_REPO,
  ANNOTATION_GITOPS_TAG_POLICY,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  ANNOTATION_ARGOCD_APP_NAME,
  ANNOTATION_ARGOCD_APP_NAMESPACE,
  ANNOTATION_ARGOCD_APP_SELECTOR,
} from '@gitops-backstage/plugin-gitops-common';
import { GitProvider } from '@gitops-backstage/plugin-gitops-node';
import path from 'node:path';
import { GitopsConfig } from './config';
import { ServiceTarget } from '@gitops-backstage/plugin-gitops-repository';

export type { ServiceTarget };

/** Options of {@link ServiceLocator}. */
export interface ServiceLocatorOptions {
  config: GitopsConfig;
  /** Git providers by type. */
  providers: Map<string, GitProvider>;
}

/**
 * Maps a catalog entity's annotations to its GitOps repository, folder and workload hints.
 *
 * Repositories come only from config: an entity can name one, never add one, so catalog
 * data cannot make the backend clone arbitrary URLs with its credentials.
 */
export class ServiceLocator {
  constructor(private readonly options: ServiceLocatorOptions) {}

  /** Every configured repository with its provider (those whose provider is installed). */
  repositories(): Array<Pick<ServiceTarget, 'repository' | 'provider'>> {
    return this.options.config.repositories.flatMap(repository => {
      const provider = this.options.providers.get(repository.provider);
      return provider
        ? [
            {
              repository: { url: repository.url, branch: repository.branch },
              provider,
            },
          ]
        : [];
    });
  }

  locate(entity: Entity): ServiceTarget {
    const entityRef = stringifyEntityRef(entity);
    const annotations = entity.metadata.annotations ?? {};
    const servicePath = annotations[ANNOTATION_GITOPS_PATH];
    if (!servicePath) {
      throw new NotFoundError(
        `Entity ${entityRef} is not GitOps-managed: it has no ${ANNOTATION_GITOPS_PATH} annotation`,
      );
    }
    const normalized = path.posix
      .normalize(servicePath.trim())
      .replace(/\/+$/, '');
    if (
      path.posix.isAbsolute(normalized) ||
      normalized === '..' ||
      normalized.startsWith('../')
    ) {
      throw new InputError(
        `Entity ${entityRef}: ${ANNOTATION_GITOPS_PATH} must be a folder inside the repository, not "${servicePath}"`,
      );
    }

    const repository = this.repositoryFor(
      entityRef,
      annotations[ANNOTATION_GITOPS_REPO],
    );
    const provider = this.options.providers.get(repository.provider);
    if (!provider) {
      throw new InputError(
        `GitOps repository ${repository.name} uses provider "${
          repository.provider
        }", which is not installed (known: ${[
          ...this.options.providers.keys(),
        ].join(', ')})`,
      );
    }
    return {
      entityRef,
      service: entity.metadata.name,
      path: normalized,
      repository: { url: repository.url, branch: repository.branch },
      provider,
      hints: {
        workloadName: annotations[ANNOTATION_KUBERNETES_ID],
        image: annotations[ANNOTATION_GITOPS_IMAGE],
        valuesPath: annotations[ANNOTATION_GITOPS_IMAGE_VALUES_PATH],
      },
      selectors: {
        labelSelector: annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR],
        argoAppName: annotations[ANNOTATION_ARGOCD_APP_NAME],
        argoAppSelector: annotations[ANNOTATION_ARGOCD_APP_SELECTOR],
        argoAppNamespace: annotations[ANNOTATION_ARGOCD_APP_NAMESPACE],
      },
      tagPolicy: annotations[ANNOTATION_GITOPS_TAG_POLICY],
      layout: repository.layout,
    };
  }

  private repositoryFor(entityRef: string, wanted: string | undefined) {
    const { repositories } = this.options.config;
    if (repositories.length === 0) {
      throw new NotFoundError(
        'No GitOps repository is configured (gitops.repositories)',
      );
    }
    if (!wanted) {
      return repositories[0];
    }
    const found = repositories.find(
      repo =>
        repo.name === wanted ||
        repo.url.replace(/\.git$/, '') === wanted.replace(/\.git$/, ''),
    );
    if (!found) {
      throw new NotFoundError(
        `Entity ${entityRef} names GitOps repository "${wanted}" (${ANNOTATION_GITOPS_REPO}), which is not in gitops.repositories`,
      );
    }
    return found;
  }
}
