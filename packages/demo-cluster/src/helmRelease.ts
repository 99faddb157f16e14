import { createHash } from 'node:crypto';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { DemoCharts } from './DemoCharts';
import { mergePatch } from './KubeApiServer';
import { KubeObject } from './ObjectStore';

/** A Helm release as helm-controller records it in `status.history` (its Snapshot). */
export interface HelmSnapshot {
  name: string;
  namespace: string;
  /** The Helm release number (`helm history`'s REVISION). */
  version: number;
  status: 'deployed' | 'failed' | 'superseded';
  chartName: string;
  chartVersion: string;
  appVersion?: string;
  configDigest: string;
  digest: string;
  firstDeployed: string;
  lastDeployed: string;
  /** Not written to the status: the action that made it, for the Released condition. */
  action: 'install' | 'upgrade';
}

/** The HelmRelease a Flux Kustomization applies and its chart, as Git has them at a revision. */
export interface HelmReleaseSource {
  revision: string;
  /** The HelmRelease as applied: metadata and spec, no status. */
  object: KubeObject;
  chartName: string;
  /** Chart.yaml's version; `+<first 12 of the sha>` with `reconcileStrategy: Revision`. */
  chartVersion: string;
  appVersion: string | null;
  /** Digest of the values, as helm-controller computes `configDigest`. */
  configDigest: string;
}

/** What helm-controller did for one HelmRelease: its Helm releases and the running attempt. */
export interface HelmReleaseRun {
  chartName: string;
  chartVersion: string;
  appVersion: string | null;
  configDigest: string;
  attemptedGeneration: number;
  /** An install or upgrade waiting for its workload (Helm's `--wait`). */
  pending: { action: 'install' | 'upgrade'; startedAt: string } | null;
  lastAction: 'install' | 'upgrade';
  /** Newest first. */
  history: HelmSnapshot[];
}

/**
 * The HelmRelease named `name` in the Kustomize folders (base first, then the overlays'
 * patches, merged as Kustomize merges a custom resource), in the namespace the Kustomization
 * targets, with its chart's Chart.yaml.
 */
export async function readHelmRelease(o: {
  read: (file: string) => Promise<string | undefined>;
  /** The folders the Kustomization builds, overlay first (the reader's `inputs`). */
  folders: string[];
  name: string;
  namespace: string;
  revision: string;
  /** Charts of Helm repositories (not in Git). */
  charts?: DemoCharts;
}): Promise<HelmReleaseSource | undefined> {
  let merged: any;
  const repositories = new Map<string, string>();
  for (const folder of [...o.folders].reverse()) {
    const text =
      (await o.read(`${folder}/kustomization.yaml`)) ??
      (await o.read(`${folder}/kustomization.yml`));
    if (text === undefined) continue;
    const k = parse(text) ?? {};
    const files = [
      ...(k.resources ?? []),
      ...(k.patchesStrategicMerge ?? []),
      ...(k.patches ?? []).map((p: any) => p?.path),
    ].filter(f => typeof f === 'string' && /\.ya?ml$/.test(f));
    for (const file of files) {
      const body = await o.read(path.posix.join(folder, file));
      for (const doc of body ? parseAllDocuments(body) : []) {
        const object = doc.toJS();
        if (object?.kind === 'HelmRelease' && object.metadata?.name === o.name)
          merged = merged ? mergePatch(merged, object) : object;
        if (object?.kind === 'HelmRepository' && object.spec?.url)
          repositories.set(object.metadata?.name, String(object.spec.url));
      }
    }
  }
  if (!merged) return undefined;
  const object: KubeObject = {
    apiVersion: merged.apiVersion,
    kind: 'HelmRelease',
    metadata: {
      ...merged.metadata,
      name: o.name,
      namespace: o.namespace,
    },
    spec: merged.spec ?? {},
  };
  const chartSpec = object.spec.chart?.spec ?? {};
  if (chartSpec.sourceRef?.kind === 'HelmRepository' && o.charts) {
    // source-controller resolves the version or range against the repository's index.
    const url = repositories.get(chartSpec.sourceRef.name);
    const chart = url ? o.charts.find(url, String(chartSpec.chart)) : undefined;
    const version = chart && o.charts.resolve(chart, chartSpec.version ?? null);
    if (!chart || !version) return undefined;
    return {
      revision: o.revision,
      object,
      chartName: chart.name,
      chartVersion: version,
      appVersion: version,
      configDigest: digest(object.spec.values ?? {}),
    };
  }
  const fromGit = chartSpec.sourceRef?.kind === 'GitRepository';
  const chartDir = String(chartSpec.chart ?? '').replace(/^\.\//, '');
  const chart = fromGit
    ? parse((await o.read(path.posix.join(chartDir, 'Chart.yaml'))) ?? '{}')
    : null;
  const version = String(chart?.version ?? chartSpec.version ?? '0.0.0');
  return {
    revision: o.revision,
    object,
    chartName: String(chart?.name ?? path.posix.basename(chartDir)),
    chartVersion:
      fromGit && chartSpec.reconcileStrategy === 'Revision'
        ? `${version}+${o.revision.slice(0, 12)}`
        : version,
    appVersion: chart?.appVersion ? String(chart.appVersion) : null,
    configDigest: digest(object.spec.values ?? {}),
  };
}

/**
 * helm-controller's next step for a release: a new install or upgrade when the chart version
 * or the values changed (a new generation alone does not release anything).
 */
export function attemptRelease(
  run: HelmReleaseRun | undefined,
  source: HelmReleaseSource,
  generation: number,
  startedAt: string,
): HelmReleaseRun {
  if (
    run &&
    run.chartVersion === source.chartVersion &&
    run.configDigest === source.configDigest
  )
    return { ...run, attemptedGeneration: generation };
  const action = run?.history.length ? 'upgrade' : 'install';
  return {
    chartName: source.chartName,
    chartVersion: source.chartVersion,
    appVersion: source.appVersion,
    configDigest: source.configDigest,
    attemptedGeneration: generation,
    pending: { action, startedAt },
    lastAction: action,
    history: run?.history ?? [],
  };
}

/**
 * Ends the running attempt once its workload is ready (the release is deployed, the one before
 * superseded) or has failed to become ready (the release failed).
 */
export function settleRelease(
  run: HelmReleaseRun,
  release: { name: string; namespace: string },
  health: 'Healthy' | 'Progressing' | 'Degraded',
): HelmReleaseRun {
  if (!run.pending || health === 'Progressing') return run;
  const { action, startedAt } = run.pending;
  const deployed = health === 'Healthy';
  const previous = run.history.map(s =>
    deployed && s.status === 'deployed'
      ? snapshot({ ...s, status: 'superseded' })
      : s,
  );
  const latest = snapshot({
    ...release,
    version: (run.history[0]?.version ?? 0) + 1,
    status: deployed ? 'deployed' : 'failed',
    chartName: run.chartName,
    chartVersion: run.chartVersion,
    ...(run.appVersion ? { appVersion: run.appVersion } : {}),
    configDigest: run.configDigest,
    firstDeployed:
      run.history[run.history.length - 1]?.firstDeployed ?? startedAt,
    lastDeployed: startedAt,
    action,
  });
  return {
    ...run,
    pending: null,
    history: truncate([latest, ...previous]),
  };
}

/** `<namespace>/<name>.v<version>`, as helm-controller names a release in messages. */
export function fullReleaseName(s: HelmSnapshot): string {
  return `${s.namespace}/${s.name}.v${s.version}`;
}

/** The Helm release a HelmRelease manages: `[targetNamespace-]name` in its target namespace. */
export function releaseOf(object: KubeObject): {
  namespace: string;
  name: string;
} {
  const target = object.spec?.targetNamespace;
  return {
    namespace: target ?? object.metadata.namespace!,
    name:
      object.spec?.releaseName ??
      (target ? `${target}-${object.metadata.name}` : object.metadata.name),
  };
}

/** helm-controller keeps the releases down to the previous deployed or superseded one. */
function truncate(history: HelmSnapshot[]): HelmSnapshot[] {
  const previous = history
    .slice(1)
    .findIndex(s => s.status === 'deployed' || s.status === 'superseded');
  return previous >= 0 ? history.slice(0, previous + 2) : history.slice(0, 5);
}

function snapshot(s: Omit<HelmSnapshot, 'digest'> & { digest?: string }) {
  const { digest: _, action, ...release } = s;
  return { ...release, digest: digest(release), action } as HelmSnapshot;
}

/** `sha256:<hex>` of a value's canonical JSON (keys sorted). */
function digest(value: unknown): string {
  const canonical = (v: any): any => {
    if (Array.isArray(v)) return v.map(canonical);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map(k => [k, canonical(v[k])]),
    );
  };
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex')}`;
}
