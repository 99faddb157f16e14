/**
 * Body of `POST /services`: a new GitOps-managed service, its files written to the GitOps
 * repository for every configured environment.
 *
 * @public
 */
export interface CreateServiceRequest {
  /** DNS label: the entity name, the workload name and part of every path. */
  name: string;
  /** Entity ref of the owning group or user. */
  owner: string;
  system?: string;
  description?: string;
  engine: 'argocd' | 'flux';
  layout: 'kustomize' | 'helm';
  /** Image repository, e.g. `ghcr.io/acme/hello`. */
  image: string;
  /** The first version every environment runs; never `latest`. */
  tag: string;
  /** The tag's digest, pinned in the last environment; looked up in the registry when left out. */
  digest?: string;
  /** Container port. Default 8080. */
  port?: number;
  /** The last environment's autoscaler. Default 3 to 10. */
  autoscaling?: { minReplicas: number; maxReplicas: number };
  /**
   * How the last environment rolls a new version out: `none` (default) with its Deployment,
   * `canary` with an Argo Rollouts Rollout of the same pods checked by Prometheus.
   */
  progressiveDelivery?: 'none' | 'canary';
  /** The Prometheus the canary's analysis asks; default `http://prometheus.monitoring.svc.cluster.local:9090`. */
  prometheusAddress?: string;
  /** A name of `gitops.repositories`; default the first. */
  repository?: string;
  /** The service's source repository, for the entity's `backstage.io/source-location`. */
  sourceLocation?: string;
  /** Only plan: the files and the diff, nothing written. */
  dryRun?: boolean;
}

/**
 * Answer of `POST /services`.
 *
 * @public
 */
export interface CreatedService {
  /** The recorded action; `null` for a dry run. */
  id: string | null;
  status: 'DryRun' | 'Committed' | 'PullRequestOpened';
  entityRef: string;
  /** The service folder in the repository. */
  path: string;
  /** The repository's name in `gitops.repositories`. */
  repository: string;
  repositoryUrl: string;
  /** The branch written to: the deployed one, or the pull request's. */
  branch: string;
  commit: string | null;
  pullRequest: string | null;
  /** A web address of the commit or pull request, when the host has one. */
  changeUrl: string | null;
  catalogInfoPath: string;
  /** Where the catalog reads the entity once the change is on the branch; `null` when the host has no file URL (`gitops.repositories[].links.file`). */
  catalogInfoUrl: string | null;
  /** The file CI edits to deploy a new version to the first environment. */
  devFile: string;
  files: string[];
  diff: string;
  environments: Array<{
    name: string;
    namespace: string;
    /** The Argo CD Application or Flux object of the environment. */
    definitionPath: string;
    /** Where the environment's version and scaling are set. */
    file: string;
  }>;
  message: string;
}
