import {
  GitProvider,
  GitRepositoryRef,
} from '@gitops-backstage/plugin-gitops-node';
import { RepositoryLayout } from './environments';
import { WorkloadHints } from './desired/workloadState';

/**
 * Where a catalog entity's GitOps state lives.
 *
 * @public
 */
export interface ServiceTarget {
  entityRef: string;
  /** Entity name; fills `{service}` in path and namespace templates. */
  service: string;
  /** The service's folder in the repository (`gitops.backstage.io/path`). */
  path: string;
  repository: GitRepositoryRef;
  provider: GitProvider;
  hints: WorkloadHints;
  /** How to find the service's objects in a cluster (annotations of the ecosystem). */
  selectors: {
    labelSelector?: string;
    argoAppName?: string;
    argoAppSelector?: string;
    argoAppNamespace?: string;
  };
  /** `gitops.backstage.io/tag-policy`, when set. */
  tagPolicy?: string;
  /** The repository's own path templates (`gitops.repositories[].layout`). */
  layout?: RepositoryLayout;
}
