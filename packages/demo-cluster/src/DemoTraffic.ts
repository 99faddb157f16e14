import { DemoRegistry } from './DemoRegistry';
import { KubeObject, ObjectStore } from './ObjectStore';
import {
  EXPOSITION_CONTENT_TYPE,
  MetricFamily,
  exposition,
} from './promExposition';
import { Served } from './RawGitFiles';

/** Requests a ready pod serves per second. */
export const REQUESTS_PER_POD_PER_SECOND = 20;

/** A Deployment of the demo, the environment it runs for and its pods. */
export interface ServedWorkload {
  /**
   * The service as the catalog names it: its engine object's name without `-<env>`, else the
   * Deployment's `app.kubernetes.io/name`.
   */
  service: string;
  /** The environment of the engine object that deployed it. */
  env: string;
  namespace: string;
  replicas: number;
  pods: number;
  /**
   * Ready pods by the version (image tag) they run; an Argo Rollouts Rollout's with their pod
   * template hash (`rollouts-pod-template-hash`), its canary and stable sides.
   */
  ready: Map<string, { pods: number; errorRatio: number; hash?: string }>;
}

interface Counter {
  labels: {
    service: string;
    env: string;
    namespace: string;
    version: string;
    rollouts_pod_template_hash?: string;
  };
  /** Requests answered with a 2xx and with a 5xx so far, not rounded. */
  ok: number;
  errors: number;
}

/**
 * DEMO ONLY. Simulated traffic of the demo's services, for verification checks to query: every
 * ready pod serves {@link REQUESTS_PER_POD_PER_SECOND} requests a second, the share its image's
 * tag fails (`errorRatio` of the `DemoImage` seeds) with a 5xx. Served by the demo cluster as
 *
 * - `GET /metrics`: the Prometheus text format, counters
 *   `demo_http_requests_total{service,env,namespace,version,code}` (code `200` or `500`) and the
 *   gauge `demo_pods_ready{service,env,namespace,version}`; `service` is the catalog's name of
 *   the service (see {@link ServedWorkload}), `version` the running tag; the pods of an Argo
 *   Rollouts Rollout add `rollouts_pod_template_hash` (their side of a canary, as a scrape
 *   relabelling the pods' labels shows it), which the canary analysis selects;
 * - `GET /demo/services/<service>/<env>/health`: 200 `{"status":"ok"}` when every pod of that
 *   environment's workload is ready, 503 when not, 404 when the demo does not run it
 *   (`?namespace=` picks one when a service runs twice in an environment).
 *
 * The counters follow what the cluster runs, read from the object store as the demo reconciler
 * writes it: they grow by the time since the last request to either route times the ready pods.
 */
export class DemoTraffic {
  private readonly counters = new Map<string, Counter>();
  private last?: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: DemoRegistry,
  ) {}

  /** Answers `/metrics` and `/demo/services/…/health`, or `undefined` for other paths. */
  handle(method: string, url: URL, now = Date.now()): Served | undefined {
    if (method !== 'GET') return undefined;
    if (url.pathname === '/metrics') {
      return {
        status: 200,
        headers: { 'content-type': EXPOSITION_CONTENT_TYPE },
        body: this.metrics(now),
      };
    }
    const health = /^\/demo\/services\/([^/]+)\/([^/]+)\/health$/.exec(
      url.pathname,
    );
    if (health) {
      return this.health(
        decodeURIComponent(health[1]),
        decodeURIComponent(health[2]),
        url.searchParams.get('namespace') ?? undefined,
        now,
      );
    }
    return undefined;
  }

  /** Advances the counters to `now` and renders them in the Prometheus text format. */
  metrics(now = Date.now()): string {
    const workloads = this.observe(now);
    const counters = [...this.counters.values()];
    const families: MetricFamily[] = [
      {
        name: 'demo_http_requests_total',
        help: 'HTTP requests served by the demo services, by version and status code (DEMO ONLY: simulated from the ready pods).',
        type: 'counter',
        samples: counters.flatMap(c => [
          { labels: { ...c.labels, code: '200' }, value: Math.floor(c.ok) },
          {
            labels: { ...c.labels, code: '500' },
            value: Math.floor(c.errors),
          },
        ]),
      },
      {
        name: 'demo_pods_ready',
        help: 'Ready pods of the demo workloads by the version they run (DEMO ONLY).',
        type: 'gauge',
        samples: workloads.flatMap(w =>
          [...w.ready].map(([version, { pods, hash }]) => ({
            labels: {
              service: w.service,
              env: w.env,
              namespace: w.namespace,
              version,
              ...(hash ? { rollouts_pod_template_hash: hash } : {}),
            },
            value: pods,
          })),
        ),
      },
    ];
    return exposition(families);
  }

  /** Adds the requests served since the last call; returns the workloads as they are now. */
  observe(now = Date.now()): ServedWorkload[] {
    const seconds =
      this.last === undefined ? 0 : Math.max(0, (now - this.last) / 1000);
    this.last = Math.max(now, this.last ?? now);
    const workloads = servedWorkloads(this.store, this.registry);
    for (const w of workloads) {
      for (const [version, { pods, errorRatio, hash }] of w.ready) {
        const labels = {
          service: w.service,
          env: w.env,
          namespace: w.namespace,
          version,
          ...(hash ? { rollouts_pod_template_hash: hash } : {}),
        };
        const key = JSON.stringify(labels);
        let counter = this.counters.get(key);
        if (!counter) {
          counter = { labels, ok: 0, errors: 0 };
          this.counters.set(key, counter);
        }
        const requests = pods * REQUESTS_PER_POD_PER_SECOND * seconds;
        counter.ok += requests * (1 - errorRatio);
        counter.errors += requests * errorRatio;
      }
    }
    return workloads;
  }

  private health(
    service: string,
    env: string,
    namespace: string | undefined,
    now: number,
  ): Served {
    const matching = this.observe(now).filter(
      w =>
        w.service === service &&
        w.env === env &&
        (!namespace || w.namespace === namespace),
    );
    const json = { 'content-type': 'application/json' };
    if (matching.length === 0) {
      return {
        status: 404,
        headers: json,
        body: JSON.stringify({
          status: 'unknown',
          message: `the demo runs no ${service} in ${env}`,
        }),
      };
    }
    const ready = matching.reduce(
      (sum, w) => sum + [...w.ready.values()].reduce((s, r) => s + r.pods, 0),
      0,
    );
    const pods = matching.reduce((sum, w) => sum + w.pods, 0);
    const replicas = matching.reduce((sum, w) => sum + w.replicas, 0);
    if (ready === pods && ready >= replicas) {
      return {
        status: 200,
        headers: json,
        body: JSON.stringify({ status: 'ok' }),
      };
    }
    return {
      status: 503,
      headers: json,
      body: JSON.stringify({ status: 'unavailable', ready, pods, replicas }),
    };
  }
}

/**
 * Every Deployment (and Argo Rollouts Rollout) of the store with its environment and its pods'
 * readiness and versions.
 */
export function servedWorkloads(
  store: ObjectStore,
  registry: DemoRegistry,
): ServedWorkload[] {
  const workloads = [
    ...store.list('deployments'),
    ...(store.serves('rollouts') ? store.list('rollouts') : []),
  ];
  return workloads.map(deployment => {
    const namespace = deployment.metadata.namespace!;
    const app =
      deployment.metadata.labels?.['app.kubernetes.io/name'] ??
      deployment.metadata.name;
    const pods = store
      .list('pods', namespace)
      .filter(p => p.metadata.labels?.['app.kubernetes.io/name'] === app);
    const ready = new Map<
      string,
      { pods: number; errorRatio: number; hash?: string }
    >();
    for (const pod of pods) {
      const isReady = (pod.status?.conditions ?? []).some(
        (c: any) => c.type === 'Ready' && c.status === 'True',
      );
      if (!isReady) continue;
      const image = String(pod.spec?.containers?.[0]?.image ?? '');
      const version = registry.tagOf(image) ?? versionOf(image);
      const hash = pod.metadata.labels?.['rollouts-pod-template-hash'];
      const entry = ready.get(version) ?? {
        pods: 0,
        errorRatio: registry.errorRatioOf(image),
        ...(hash ? { hash } : {}),
      };
      entry.pods++;
      ready.set(version, entry);
    }
    const env = environmentOf(store, deployment) ?? namespace.split('-').pop()!;
    return {
      service: serviceOf(store, deployment, env) ?? app,
      env,
      namespace,
      replicas: Number(deployment.spec?.replicas ?? 1),
      pods: pods.length,
      ready,
    };
  });
}

/** The tag of an image reference, else its digest. */
function versionOf(image: string): string {
  const [name, digest] = image.split('@');
  return /:([^/:]+)$/.exec(name)?.[1] ?? digest ?? 'latest';
}

/**
 * The environment of the engine object that applied an object, from its owner labels: the Argo
 * CD Application (`app.kubernetes.io/instance`), the Flux Kustomization, or the HelmRelease and
 * then the Kustomization that applied it. Its `gitops.backstage.io/environment` label, or the
 * last part of its name, as the demo reconciler reads it.
 */
function environmentOf(
  store: ObjectStore,
  object: KubeObject,
): string | undefined {
  const engine = engineOf(store, object, 2);
  if (!engine) return undefined;
  return (
    engine.metadata.labels?.['gitops.backstage.io/environment'] ??
    engine.metadata.name.split('-').pop()
  );
}

/**
 * The service as the catalog names it: the engine object's name without its `-<env>` (the
 * seeds name them `<service>-<env>`, as `argocd/{service}-{env}.yaml` does), e.g.
 * `flux-podinfo` for the chart's `podinfo` Deployment that `flux-podinfo-dev` deploys.
 */
function serviceOf(
  store: ObjectStore,
  object: KubeObject,
  env: string,
): string | undefined {
  const name = engineOf(store, object, 2)?.metadata.name;
  return name?.endsWith(`-${env}`) ? name.slice(0, -env.length - 1) : undefined;
}

function engineOf(
  store: ObjectStore,
  object: KubeObject,
  depth: number,
): KubeObject | undefined {
  const labels = object.metadata.labels ?? {};
  const app = labels['app.kubernetes.io/instance'];
  if (app) {
    return store.list('applications').find(a => a.metadata.name === app);
  }
  const release = labels['helm.toolkit.fluxcd.io/name'];
  if (release && depth > 0) {
    const helmRelease = store.get(
      'helmreleases',
      labels['helm.toolkit.fluxcd.io/namespace'] ?? '',
      release,
    );
    return helmRelease && engineOf(store, helmRelease, depth - 1);
  }
  const kustomization = labels['kustomize.toolkit.fluxcd.io/name'];
  if (kustomization) {
    return store.get(
      'kustomizations',
      labels['kustomize.toolkit.fluxcd.io/namespace'] ?? '',
      kustomization,
    );
  }
  return undefined;
}
