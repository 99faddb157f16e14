/**
 * One environment of a new service, its repository paths already filled for the service.
 *
 * @public
 */
export interface NewServiceEnvironment {
  /** `dev`, `staging`, `prod` or any name; the list's order is the promotion order. */
  name: string;
  /** Namespace the service runs in, e.g. `hello-dev`. */
  namespace: string;
  /** The environment's Kustomize overlay folder, e.g. `apps/hello/overlays/dev` (kustomize layout). */
  overlayPath: string;
  /** The environment's Helm values file, e.g. `apps/hello/values-dev.yaml` (helm layout). */
  valuesFile: string;
  /** Where the engine object goes, e.g. `argocd/hello-dev.yaml` or `clusters/dev/hello.yaml`. */
  definitionPath: string;
  /** Argo CD syncs on its own (`syncPolicy.automated`); false leaves the sync to a person. */
  autoSync: boolean;
}

/**
 * What the files of a new GitOps-managed service are rendered from.
 *
 * @public
 */
export interface NewServiceSpec {
  /** The service's name: a DNS label, also the workload's, the chart's and the entity's. */
  name: string;
  /** The service's folder in the repository, e.g. `apps/hello`. */
  path: string;
  engine: 'argocd' | 'flux';
  layout: 'kustomize' | 'helm';
  /** Image repository without tag or digest, e.g. `ghcr.io/acme/hello`. */
  image: string;
  /** The first version every environment runs. */
  tag: string;
  /** `sha256:<64 hex>` of `tag`; the last environment runs the image by it. */
  digest: string | null;
  /** The container's port. */
  port: number;
  /** The last environment's HorizontalPodAutoscaler bounds. */
  autoscaling: { minReplicas: number; maxReplicas: number };
  environments: NewServiceEnvironment[];
  /**
   * How the last environment rolls a new version out: `none` (default), the Deployment's
   * rolling update; `canary`, an Argo Rollouts Rollout of the same pods that moves traffic
   * over in steps and stops when Prometheus says the new version fails requests.
   */
  progressiveDelivery?: 'none' | 'canary';
  /**
   * The Prometheus the canary's analysis asks (`canary` only); default
   * `http://prometheus.monitoring.svc.cluster.local:9090`.
   */
  prometheusAddress?: string;
  /** The GitOps repository, as Argo CD's `source.repoURL` / `targetRevision`. */
  repository: { url: string; branch: string };
  /** Where Argo CD's Applications live; defaults `argocd` and `default`. */
  argocd?: { namespace?: string; project?: string };
  /**
   * The GitRepository Flux reads this repository through (default `flux-system` in
   * `flux-system`) and the namespace of the Flux objects (default `flux-system`).
   */
  flux?: { sourceName?: string; sourceNamespace?: string; namespace?: string };
  /** The catalog entity's fields. */
  entity: {
    owner: string;
    system?: string;
    description?: string;
    /** Added to the entity's annotations (e.g. `gitops.backstage.io/repo`). */
    annotations?: Record<string, string>;
  };
}

/**
 * One file of a new service.
 *
 * @public
 */
export interface RenderedFile {
  /** Repository path. */
  path: string;
  content: string;
}

/**
 * The files of a new service and what its catalog entity says.
 *
 * @public
 */
export interface RenderedService {
  files: RenderedFile[];
  /** Where the catalog entity is among `files`. */
  catalogInfoPath: string;
  /** The catalog entity's annotations. */
  annotations: Record<string, string>;
}
