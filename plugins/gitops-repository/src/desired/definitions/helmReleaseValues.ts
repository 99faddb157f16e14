import { DesiredStateOrigins } from '@gitops-backstage/plugin-gitops-common';
import path from 'node:path';
import { KubernetesObject, ReadRepoFile } from '../buildKustomization';
import { helmWorkloadState, mergeHelmValues } from '../helmValues';
import { ManifestError, isPlainObject, parseYamlObject } from '../parseYaml';
import { WorkloadHints } from '../workloadState';
import { ResolvedDefinition, UnsupportedLayoutError } from './argoApplication';
import { HelmChartSource } from './helmChartSource';
import { json6902Origin } from './releaseFiles';
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
 * What a Flux HelmRelease installs, from the files that declare it: the chart's values (a
 * chart in Git, or its `valuesFiles`), `spec.values` with the overlay's patches, the chart and
 * where its version is set, and the file and line of every version and scaling field. Files
 * outside the environment's own are marked shared.
 */
export async function resolveHelmRelease(o: {
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
