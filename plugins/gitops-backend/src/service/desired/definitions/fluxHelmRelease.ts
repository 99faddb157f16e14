import { DesiredStateOrigins } from '@gitops-backstage/plugin-gitops-common';
import path from 'node:path';
import valid from 'semver/functions/valid';
import {
  KubernetesObject,
  ReadRepoFile,
  buildKustomization,
  readKustomization,
} from '../buildKustomization';
import { parseAllDocuments } from 'yaml';
import { helmWorkloadState, mergeHelmValues } from '../helmValues';
import { ManifestError, isPlainObject, parseYamlObject } from '../parseYaml';
import { WorkloadHints, extractWorkloadState } from '../workloadState';
import { ResolvedDefinition, UnsupportedLayoutError } from './argoApplication';
import {
  TracedValues,
  YamlPath,
  emptyTraced,
  mergeTraced,
  traceYaml,
} from './valueOrigins';

const FIELDS: Array<[keyof DesiredStateOrigins, YamlPath]> = [
  ['image', ['repository']],
  ['tag', ['tag']],
  ['digest', ['digest']],
];

/**
 * Follows a Flux Kustomization to its path: a HelmRelease rendered there is resolved with its
 * chart (values of a chart in the Git repository, `spec.values` after the overlay's patches,
 * `valuesFrom` named as not in Git); anything else is a plain Kustomize overlay.
 */
export async function resolveFluxKustomization(options: {
  kustomization: Record<string, any>;
  file: string;
  read: ReadRepoFile;
  hints: WorkloadHints;
  names: string[];
}): Promise<ResolvedDefinition> {
  const { kustomization, file, read, hints } = options;
  const name = String(kustomization.metadata?.name);
  const overlay = String(kustomization.spec?.path ?? '')
    .replace(/^\.\//, '')
    .replace(/\/+$/, '');
  if (!overlay) {
    throw new ManifestError(`Kustomization ${name} (${file}): no spec.path`);
  }
  const build = await buildKustomization(overlay, read);
  const remote = build.warnings.find(w => w.includes('remote resource'));
  if (remote)
    throw new UnsupportedLayoutError(
      `Kustomization ${name} (${file}): ${remote}`,
    );
  const releases = build.resources.filter(r => r.kind === 'HelmRelease');
  const release =
    releases.find(r => options.names.includes(r.metadata?.name)) ??
    (releases.length === 1 ? releases[0] : undefined);
  const definition = { kind: 'Kustomization', name, file };
  const namespace = kustomization.spec?.targetNamespace ?? null;
  if (!release) {
    const workload = extractWorkloadState(build.resources, hints, overlay);
    return {
      layout: 'kustomize',
      workload: { ...workload, namespace: workload.namespace ?? namespace },
      origins: {},
      sourcePath: overlay,
      inputs: [...build.folders, file],
      definition,
      chart: null,
      rendered: { layout: 'kustomize', objects: build.resources },
    };
  }
  const resolved = await resolveHelmRelease({
    release,
    files: await releaseFiles(build.folders, read, release),
    read,
    hints,
    overlay,
  });
  return {
    ...resolved,
    workload: {
      ...resolved.workload,
      namespace: release.spec?.targetNamespace ?? namespace,
    },
    sourcePath: overlay,
    inputs: [...build.folders, file, ...resolved.inputs],
    definition: {
      kind: 'HelmRelease',
      name: String(release.metadata?.name),
      file,
    },
  };
}

/**
 * The files that write this HelmRelease's `spec.values`, base first: the documents of the
 * release in the built folders, then patch files of the overlay chain that target it.
 */
async function releaseFiles(
  folders: string[],
  read: ReadRepoFile,
  release: KubernetesObject,
): Promise<Array<{ file: string; doc: number }>> {
  const found: Array<{ file: string; doc: number }> = [];
  // Bases come after overlays in the build's folder list: walk them base first.
  for (const folder of [...folders].reverse()) {
    const kustomization = await readKustomization(folder, read);
    if (!kustomization) continue;
    const k = parseYamlObject(kustomization.text, kustomization.file);
    const entries = [
      ...(k.resources ?? []),
      ...(k.patchesStrategicMerge ?? []),
      ...(k.patches ?? []).map((p: any) => p?.path).filter(Boolean),
    ];
    for (const entry of entries) {
      if (typeof entry !== 'string' || !/\.ya?ml$/.test(entry)) continue;
      const candidate = path.posix.normalize(path.posix.join(folder, entry));
      const body = await read(candidate);
      if (body === undefined) continue;
      // Document indexes as traceYaml counts them (empty documents included).
      parseAllDocuments(body).forEach((doc, i) => {
        const object = doc.toJS() as KubernetesObject | null;
        if (
          object?.kind === 'HelmRelease' &&
          object.metadata?.name === release.metadata?.name
        ) {
          found.push({ file: candidate, doc: i });
        }
      });
    }
  }
  return found;
}

async function resolveHelmRelease(o: {
  release: KubernetesObject;
  files: Array<{ file: string; doc: number }>;
  read: ReadRepoFile;
  hints: WorkloadHints;
  overlay: string;
}): Promise<Omit<ResolvedDefinition, 'definition'>> {
  const { release, read } = o;
  const name = String(release.metadata?.name);
  const warnings: string[] = [];
  const chartSpec = release.spec?.chart?.spec ?? {};
  const sourceKind = String(
    chartSpec.sourceRef?.kind ?? release.spec?.chartRef?.kind ?? '',
  );
  const chartName = String(
    chartSpec.chart ?? release.spec?.chartRef?.name ?? name,
  );
  const version = chartSpec.version ? String(chartSpec.version) : null;
  const inputs: string[] = [];

  let traced: TracedValues = emptyTraced();
  if (sourceKind === 'GitRepository') {
    const chartDir = chartName.replace(/^\.\//, '').replace(/\/+$/, '');
    const valuesFile = path.posix.join(chartDir, 'values.yaml');
    const text = await read(valuesFile);
    if (text !== undefined) {
      traced = markShared(traceYaml(text, valuesFile) ?? emptyTraced());
      inputs.push(valuesFile, path.posix.join(chartDir, 'Chart.yaml'));
    }
  }
  let chartVersionOrigin;
  for (const { file, doc } of o.files) {
    const text = (await read(file))!;
    const own = o.overlay && file.startsWith(`${o.overlay}/`);
    const versionAt = traceYaml(
      text,
      file,
      ['spec', 'chart', 'spec'],
      doc,
    )?.origins.get(JSON.stringify(['version']));
    if (versionAt)
      chartVersionOrigin = own ? versionAt : { ...versionAt, shared: true };
    const at = traceYaml(text, file, ['spec', 'values'], doc);
    // Files outside the environment's overlay are bases other environments build on too.
    if (at) traced = mergeTraced(traced, own ? at : markShared(at));
  }
  // The built object is authoritative (inline patches included); origins are where known.
  const values = isPlainObject(release.spec?.values)
    ? mergeHelmValues(traced.values, release.spec.values)
    : traced.values;
  for (const from of release.spec?.valuesFrom ?? []) {
    warnings.push(
      `HelmRelease ${name} also takes values from ${from.kind} ${from.name}${
        from.valuesKey ? ` (${from.valuesKey})` : ''
      }, which is in the cluster, not in Git`,
    );
  }
  const imagePath = findImagePath(values, o.hints);
  const image = imagePath.reduce((v: any, k) => v?.[k], values);
  const workload = helmWorkloadState(
    { ...values, image: isPlainObject(image) ? image : {} },
    { name: chartName.split('/').pop() ?? name, appVersion: null },
  );
  if (!workload.tag && release.spec?.valuesFrom?.length) {
    throw new UnsupportedLayoutError(
      `HelmRelease ${name}: the image tag is not in Git; it may come from ${release.spec.valuesFrom
        .map((f: any) => `${f.kind} ${f.name}`)
        .join(', ')} in the cluster`,
    );
  }
  const origins: DesiredStateOrigins = {};
  for (const [field, rel] of FIELDS) {
    const origin = traced.origins.get(
      JSON.stringify([...imagePath, ...rel].map(String)),
    );
    if (origin) origins[field] = origin;
  }
  for (const [field, p] of [
    ['replicas', ['replicaCount']],
    ['minReplicas', ['autoscaling', 'minReplicas']],
    ['maxReplicas', ['autoscaling', 'maxReplicas']],
  ] as const) {
    const origin = traced.origins.get(JSON.stringify(p));
    if (origin) origins[field] = origin;
  }
  if (chartVersionOrigin) origins.chartVersion = chartVersionOrigin;
  return {
    layout: 'helm',
    workload: { ...workload, namespace: null },
    origins,
    sourcePath: '',
    inputs,
    chart: {
      name: chartName,
      version,
      // `6.7.x` or `>=6.0.0 <7` is a range Flux resolves; an exact version is pinned.
      range: version !== null && valid(version) === null,
    },
    warnings,
    rendered: { layout: 'helm', values },
  };
}

/**
 * Where the image block is: `image`, or `<component>.image` holding the service's image
 * repository, or the path the entity names.
 */
function findImagePath(
  values: Record<string, any>,
  hints: WorkloadHints,
): string[] {
  if (hints.valuesPath) return hints.valuesPath.split('.');
  if (isPlainObject(values.image)) return ['image'];
  const components = Object.entries(values).filter(
    ([, v]) => isPlainObject(v) && isPlainObject(v.image),
  );
  const matching = components.find(
    ([, v]) =>
      hints.image && String(v.image.repository ?? '').endsWith(hints.image),
  );
  const chosen = matching ?? components[0];
  return chosen ? [chosen[0], 'image'] : ['image'];
}

function markShared(traced: TracedValues): TracedValues {
  const origins = new Map(
    [...traced.origins].map(([k, o]) => [k, { ...o, shared: true }]),
  );
  return { values: traced.values, origins };
}
