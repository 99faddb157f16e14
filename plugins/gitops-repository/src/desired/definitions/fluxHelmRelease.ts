import { DesiredStateOrigins } from '@gitops-backstage/plugin-gitops-common';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  KubernetesObject,
  ReadRepoFile,
  buildKustomization,
} from '../buildKustomization';
import { helmWorkloadState, mergeHelmValues } from '../helmValues';
import { ManifestError, isPlainObject, parseYamlObject } from '../parseYaml';
import { WorkloadHints, extractWorkloadState } from '../workloadState';
import { ResolvedDefinition, UnsupportedLayoutError } from './argoApplication';
import { HelmChartSource, helmChartSource } from './helmChartSource';
import { findArtifactPaths } from './artifactGenerator';
import { json6902Origin, objectFiles } from './releaseFiles';
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
  const sourceRef = kustomization.spec?.sourceRef;
  if (sourceRef?.kind === 'ExternalArtifact') {
    return resolveThroughArtifact(options, String(sourceRef.name));
  }
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
  const definition = { kind: 'Kustomization', name, file };
  const namespace = kustomization.spec?.targetNamespace ?? null;
  const release = pickHelmRelease(build.resources, options.names);
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
  const resolved = await resolveBuiltHelmRelease({
    release,
    build,
    read,
    hints,
    overlay,
    namespace,
  });
  return {
    ...resolved,
    inputs: [...resolved.inputs, file],
    definition: { ...resolved.definition, file },
  };
}

/**
 * A Kustomization whose source is an ExternalArtifact of an ArtifactGenerator (Flux 2.7): the
 * same resolution inside the artifact, its files read from where the generator copies them
 * from, and every path of the answer given in the repository.
 */
async function resolveThroughArtifact(
  options: Parameters<typeof resolveFluxKustomization>[0],
  artifact: string,
): Promise<ResolvedDefinition> {
  const { kustomization, file } = options;
  const paths = await findArtifactPaths({
    name: artifact,
    file,
    read: options.read,
  });
  const inArtifact =
    String(kustomization.spec?.path ?? '')
      .replace(/^\.\/?/, '')
      .replace(/\/+$/, '') || '.';
  if (paths.toRepo(inArtifact) === undefined) {
    throw new UnsupportedLayoutError(
      `Kustomization ${kustomization.metadata?.name} (${file}): path ${kustomization.spec?.path} is not in ExternalArtifact ${artifact} of ${paths.generator}`,
    );
  }
  const resolved = await resolveFluxKustomization({
    ...options,
    kustomization: {
      ...kustomization,
      spec: { ...kustomization.spec, path: inArtifact, sourceRef: undefined },
    },
    read: async f => {
      const repoPath = paths.toRepo(f);
      return repoPath === undefined ? undefined : options.read(repoPath);
    },
  });
  const toRepo = (p: string) => (p === file ? p : paths.toRepo(p) ?? p);
  const origins: DesiredStateOrigins = {};
  for (const [field, origin] of Object.entries(resolved.origins)) {
    origins[field as keyof DesiredStateOrigins] = {
      ...origin!,
      file: toRepo(origin!.file),
    };
  }
  return {
    ...resolved,
    origins,
    sourcePath: toRepo(resolved.sourcePath),
    inputs: [...new Set(resolved.inputs.map(toRepo))],
    definition: resolved.definition && {
      ...resolved.definition,
      file: toRepo(resolved.definition.file),
    },
  };
}

/**
 * The HelmRelease a build renders for the service: the one with the service's name, or the
 * only one. Null when there is none, or when a workload of the service is rendered beside
 * HelmReleases of other things.
 */
export function pickHelmRelease(
  resources: KubernetesObject[],
  names: string[],
): KubernetesObject | undefined {
  const releases = resources.filter(
    r =>
      r.kind === 'HelmRelease' &&
      String(r.apiVersion ?? '').startsWith('helm.toolkit.fluxcd.io/'),
  );
  const named = names
    .map(n => releases.find(r => r.metadata?.name === n))
    .find(Boolean);
  if (named) return named;
  const rendersWorkload = resources.some(r =>
    ['Deployment', 'StatefulSet', 'DaemonSet'].includes(String(r.kind)),
  );
  return releases.length === 1 && !rendersWorkload ? releases[0] : undefined;
}

/**
 * Resolves a HelmRelease rendered by a Kustomize build (an overlay patching a base release,
 * as in Flux's reference layout): its values with the overlay's patches, its chart and where
 * each field is written. The definition names the file that declares the release.
 */
export async function resolveBuiltHelmRelease(o: {
  release: KubernetesObject;
  build: { folders: string[]; resources: KubernetesObject[] };
  read: ReadRepoFile;
  hints: WorkloadHints;
  overlay: string;
  /** The applying Kustomization's `targetNamespace`, which overrides the release's own. */
  namespace?: string | null;
}): Promise<ResolvedDefinition> {
  const { release, build, read, hints, overlay } = o;
  const files = await objectFiles(
    build.folders,
    read,
    'HelmRelease',
    String(release.metadata?.name),
  );
  const source = helmChartSource(release, build.resources);
  const { kind, name } = source.versionSetBy;
  const resolved = await resolveHelmRelease({
    release,
    files,
    source,
    versionFiles:
      kind === 'HelmRelease'
        ? files
        : await objectFiles(build.folders, read, kind, name),
    folders: build.folders,
    read,
    hints,
    overlay,
  });
  return {
    ...resolved,
    workload: {
      ...resolved.workload,
      namespace:
        release.spec?.targetNamespace ??
        o.namespace ??
        release.metadata?.namespace ??
        null,
    },
    sourcePath: overlay,
    inputs: [...build.folders, ...resolved.inputs],
    definition: {
      kind: 'HelmRelease',
      name: String(release.metadata?.name),
      file: files[0]?.file ?? overlay,
    },
  };
}

/**
 * Resolves a HelmRelease that is itself the environment's definition (a file Flux applies from
 * `clusters/<env>/`), as new services are written: its chart from the repository (the chart's
 * values, then `valuesFiles`, then `spec.values`) or from a Helm / OCI repository declared in
 * the same file, with every field's file and line.
 */
export async function resolveBareHelmRelease(o: {
  release: KubernetesObject;
  /** The definition file's text: its other objects may be the chart's source. */
  text: string;
  file: string;
  read: ReadRepoFile;
  hints: WorkloadHints;
}): Promise<ResolvedDefinition> {
  const { release, file } = o;
  // Document indexes as traceYaml counts them, empty documents included.
  const objects = parseAllDocuments(o.text).map(
    d => d.toJS() as KubernetesObject | null,
  );
  const source = helmChartSource(
    release,
    objects.filter((x): x is KubernetesObject => Boolean(x)),
  );
  const files = [
    {
      file,
      doc: objects.findIndex(
        x =>
          x?.kind === 'HelmRelease' &&
          x?.metadata?.name === release.metadata?.name,
      ),
    },
  ];
  const versionDoc = objects.findIndex(
    x =>
      x?.kind === source.versionSetBy.kind &&
      x?.metadata?.name === source.versionSetBy.name,
  );
  const resolved = await resolveHelmRelease({
    release,
    files,
    source,
    versionFiles: versionDoc >= 0 ? [{ file, doc: versionDoc }] : [],
    folders: [],
    read: o.read,
    hints: o.hints,
    overlay: '',
    // The definition and the values files it names belong to this environment; the chart's
    // own values.yaml is marked shared where it is read.
    ownFile: () => true,
  });
  return {
    ...resolved,
    workload: {
      ...resolved.workload,
      namespace:
        release.spec?.targetNamespace ?? release.metadata?.namespace ?? null,
    },
    sourcePath: file,
    inputs: [file, ...resolved.inputs],
    definition: {
      kind: 'HelmRelease',
      name: String(release.metadata?.name),
      file,
    },
  };
}

async function resolveHelmRelease(o: {
  release: KubernetesObject;
  files: Array<{ file: string; doc: number }>;
  source: HelmChartSource;
  /** The files that set the chart version: the release's, or its OCIRepository's. */
  versionFiles: Array<{ file: string; doc: number }>;
  /** The build's folders, overlay first. */
  folders: string[];
  read: ReadRepoFile;
  hints: WorkloadHints;
  overlay: string;
  /** Whether a file is this environment's own; default: inside `overlay`. */
  ownFile?: (file: string) => boolean;
}): Promise<Omit<ResolvedDefinition, 'definition'>> {
  const { release, read, source } = o;
  const name = String(release.metadata?.name);
  const warnings: string[] = [];
  const chartName = source.chart.name;
  const inputs: string[] = [];
  // Files outside the environment's overlay are bases other environments build on too.
  const own =
    o.ownFile ??
    ((file: string) => Boolean(o.overlay) && file.startsWith(`${o.overlay}/`));

  let traced: TracedValues = emptyTraced();
  let chartInGit = false;
  if (source.chart.source?.kind === 'GitRepository') {
    const chartDir = chartName.replace(/^\.\//, '').replace(/\/+$/, '');
    const chartValues = path.posix.join(chartDir, 'values.yaml');
    const chartText = await read(chartValues);
    chartInGit = chartText !== undefined;
    if (chartInGit)
      inputs.push(chartValues, path.posix.join(chartDir, 'Chart.yaml'));
    // `valuesFiles` (paths in the source) replace the chart's values.yaml, merged in order.
    // The chart's own file is shared by every environment; the others belong to whoever
    // lists them: the environment when its own file (overlay, definition) does.
    let listedByOwnFile = false;
    for (const { file, doc } of o.files) {
      const at = traceYaml(
        (await read(file))!,
        file,
        ['spec', 'chart', 'spec'],
        doc,
      );
      if (Array.isArray(at?.values.valuesFiles))
        listedByOwnFile = Boolean(own(file));
    }
    const valuesFiles: string[] = (
      release.spec?.chart?.spec?.valuesFiles ?? []
    ).map((f: unknown) => path.posix.normalize(String(f).replace(/^\.\//, '')));
    for (const file of valuesFiles.length > 0 ? valuesFiles : [chartValues]) {
      const text = file === chartValues ? chartText : await read(file);
      if (text === undefined) {
        if (file === chartValues) continue;
        throw new ManifestError(
          `HelmRelease ${name}: values file ${file} (spec.chart.spec.valuesFiles) not found`,
        );
      }
      const at = traceYaml(text, file) ?? emptyTraced();
      traced = mergeTraced(
        traced,
        file === chartValues || !listedByOwnFile ? markShared(at) : at,
      );
      if (!inputs.includes(file)) inputs.push(file);
    }
  }
  let chartVersionOrigin;
  const versionPath = source.versionSetBy.path;
  for (const { file, doc } of o.versionFiles) {
    const text = (await read(file))!;
    const versionAt = traceYaml(
      text,
      file,
      versionPath.slice(0, -1),
      doc,
    )?.origins.get(JSON.stringify(versionPath.slice(-1)));
    if (versionAt)
      chartVersionOrigin = own(file)
        ? versionAt
        : { ...versionAt, shared: true };
  }
  const patched = await json6902Origin(o.folders, read, {
    ...source.versionSetBy,
  });
  if (patched)
    chartVersionOrigin = own(patched.file)
      ? patched
      : { ...patched, shared: true };
  for (const { file, doc } of o.files) {
    const text = (await read(file))!;
    const at = traceYaml(text, file, ['spec', 'values'], doc);
    if (at) traced = mergeTraced(traced, own(file) ? at : markShared(at));
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
  const chartFile = chartInGit
    ? await read(inputs[1]).then(text =>
        text === undefined ? {} : parseYamlObject(text, inputs[1]),
      )
    : {};
  const helmWorkload = helmWorkloadState(
    { ...values, image: isPlainObject(image) ? image : {} },
    {
      name: helmFullname(
        release,
        String(chartFile.name ?? chartName.split('/').pop() ?? name),
        values,
      ),
      appVersion: chartFile.appVersion ? String(chartFile.appVersion) : null,
    },
  );
  // A chart from a Helm or OCI repository: what the values do not set is the chart's default,
  // which Git does not hold. Said so instead of guessed.
  const imageInGit = chartInGit || isPlainObject(image);
  const workload = {
    ...helmWorkload,
    replicas:
      chartInGit || values.replicaCount !== undefined
        ? helmWorkload.replicas
        : null,
    warnings: imageInGit
      ? helmWorkload.warnings
      : helmWorkload.warnings.filter(w => !w.includes('image.repository')),
  };
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
    chart: source.chart,
    imageSource: imageInGit ? 'git' : 'chartDefaults',
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

/**
 * The name the chart gives its workload, by `helm create`'s `fullname` template: the
 * release name, or `<release>-<chart>` unless the release name contains the chart's name;
 * `fullnameOverride` and `nameOverride` as the template reads them. Flux names the release
 * `<targetNamespace>-<name>` when a target namespace is set and no `releaseName` is.
 */
export function helmFullname(
  release: KubernetesObject,
  chartName: string,
  values: Record<string, any>,
): string {
  if (values.fullnameOverride) return String(values.fullnameOverride);
  const name = String(release.metadata?.name);
  const releaseName = String(
    release.spec?.releaseName ??
      (release.spec?.targetNamespace
        ? `${release.spec.targetNamespace}-${name}`
        : name),
  );
  const base = String(values.nameOverride ?? chartName);
  return releaseName.includes(base) ? releaseName : `${releaseName}-${base}`;
}

function markShared(traced: TracedValues): TracedValues {
  const origins = new Map(
    [...traced.origins].map(([k, o]) => [k, { ...o, shared: true }]),
  );
  return { values: traced.values, origins };
}
