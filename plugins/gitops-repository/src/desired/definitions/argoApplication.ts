import {
  DesiredChart,
  DesiredStateOrigins,
  ValueOrigin,
} from '@gitops-backstage/plugin-gitops-common';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  buildKustomization,
  readKustomization,
  ReadRepoFile,
} from '../buildKustomization';
import { helmWorkloadState } from '../helmValues';
import { parseImageRef } from '../imageRef';
import { ManifestError, isPlainObject, parseYamlObject } from '../parseYaml';
import {
  WorkloadHints,
  WorkloadState,
  extractWorkloadState,
} from '../workloadState';
import {
  TracedValues,
  YamlPath,
  emptyTraced,
  formatYamlPath,
  mergeTraced,
  setTraced,
  subtree,
  traceYaml,
} from './valueOrigins';

/** A layout the resolver cannot follow; the message names the construct. */
export class UnsupportedLayoutError extends ManifestError {
  readonly name = 'UnsupportedLayoutError' as any;
}

/** What an Argo CD Application says an environment runs, and where each field comes from. */
export interface ResolvedDefinition {
  layout: 'kustomize' | 'helm';
  workload: WorkloadState;
  origins: DesiredStateOrigins;
  /** Overlay folder or chart folder the engine renders. */
  sourcePath: string;
  /** Files and folders whose changes can change the state. */
  inputs: string[];
  definition: { kind: string; name: string; file: string };
  chart: DesiredChart | null;
  /** `chartDefaults` when the image is not set in Git (see DesiredState.imageSource). */
  imageSource?: 'git' | 'chartDefaults';
  /** Things that look wrong, or are only partly known, but did not prevent reading. */
  warnings?: string[];
  /** What was rendered, for comparisons: the merged values or the built objects. */
  rendered:
    | { layout: 'kustomize'; objects: Array<Record<string, any>> }
    | { layout: 'helm'; values: Record<string, any> };
}

const HELM_FIELDS: Array<[keyof DesiredStateOrigins, YamlPath]> = [
  ['image', ['image', 'repository']],
  ['tag', ['image', 'tag']],
  ['digest', ['image', 'digest']],
  ['replicas', ['replicaCount']],
  ['minReplicas', ['autoscaling', 'minReplicas']],
  ['maxReplicas', ['autoscaling', 'maxReplicas']],
];

/**
 * Follows an Argo CD Application the way the repo-server renders it: the Helm chart's
 * `values.yaml`, then `valueFiles` in order (`$values/…` from a `ref: values` source), inline
 * `values` / `valuesObject`, then `parameters`, then the `.argocd-source-<app>.yaml` written by
 * Argo CD Image Updater; or the Kustomize overlay with the Application's `kustomize.images` and
 * the updater's images applied last. Plugins, Jsonnet and sources in other repositories are
 * named as unsupported instead of guessed.
 */
export async function resolveArgoApplication(options: {
  app: Record<string, any>;
  file: string;
  read: ReadRepoFile;
  hints: WorkloadHints;
}): Promise<ResolvedDefinition> {
  const { app, file, read, hints } = options;
  const name = String(app.metadata?.name ?? 'application');
  const where = `Application ${name} (${file})`;
  const sources: Array<Record<string, any>> = Array.isArray(app.spec?.sources)
    ? app.spec.sources
    : [app.spec?.source ?? {}];
  const sourceIndex = sources.findIndex(s => s.path || s.chart);
  if (sourceIndex < 0) {
    throw new ManifestError(`${where}: no source with a path or chart`);
  }
  const source = sources[sourceIndex];
  const sourceAt: YamlPath = Array.isArray(app.spec?.sources)
    ? ['spec', 'sources', sourceIndex]
    : ['spec', 'source'];
  for (const other of sources) {
    if (other.repoURL && source.repoURL && other.repoURL !== source.repoURL) {
      throw new UnsupportedLayoutError(
        `${where}: a source in another repository (${other.repoURL}) is not in this GitOps repository`,
      );
    }
  }
  if (source.plugin) {
    throw new UnsupportedLayoutError(
      `${where}: config management plugin ${
        source.plugin.name ?? ''
      } renders outside Git; its output cannot be read`.replace('  ', ' '),
    );
  }
  if (source.directory?.jsonnet || source.directory) {
    throw new UnsupportedLayoutError(
      `${where}: a directory${
        source.directory?.jsonnet ? ' with Jsonnet' : ''
      } source is not followed (only Helm and Kustomize)`,
    );
  }
  const definition = { kind: 'Application', name, file };
  const sourcePath = String(source.path ?? '')
    .replace(/^\.\//, '')
    .replace(/\/+$/, '');
  const updaterFile = sourcePath
    ? path.posix.join(sourcePath, `.argocd-source-${name}.yaml`)
    : undefined;
  const updaterText = updaterFile ? await read(updaterFile) : undefined;

  const kustomization =
    sourcePath && (await readKustomization(sourcePath, read));
  if (kustomization && !source.helm) {
    return resolveKustomize({
      app,
      file,
      read,
      hints,
      sourcePath,
      sourceAt,
      updaterFile,
      updaterText,
      definition,
    });
  }
  if (source.chart && !source.path) {
    throw new UnsupportedLayoutError(
      `${where}: chart ${source.chart} ${
        source.targetRevision ?? ''
      } comes from a Helm repository; its default values are not in Git`.replace(
        '  ',
        ' ',
      ),
    );
  }

  // Helm: chart defaults, value files in order, inline values, parameters, image updater.
  let traced: TracedValues = emptyTraced();
  const inputs = [path.posix.join(sourcePath, 'Chart.yaml')];
  const chartValues = path.posix.join(sourcePath, 'values.yaml');
  const valueFiles: string[] = source.helm?.valueFiles ?? [];
  const files = [
    ...(valueFiles.includes('values.yaml') ? [] : [chartValues]),
    ...valueFiles.map(f => resolveValueFile(f, sourcePath, sources, where)),
  ];
  for (const valuesFile of files) {
    const text = await read(valuesFile);
    if (text === undefined) {
      if (source.helm?.ignoreMissingValueFiles || valuesFile === chartValues)
        continue;
      throw new ManifestError(`${where}: value file ${valuesFile} not found`);
    }
    inputs.push(valuesFile);
    const values = traceYaml(text, valuesFile) ?? emptyTraced();
    // The chart's own values.yaml holds every environment's defaults.
    if (valuesFile === chartValues) {
      for (const [k, origin] of values.origins)
        values.origins.set(k, { ...origin, shared: true });
    }
    traced = mergeTraced(traced, values);
  }
  const appText = (await read(file))!;
  const docIndex = documentIndex(appText, file, name);
  // One trace of the Application serves inline values, valuesObject and parameters.
  const appTrace = traceYaml(appText, file, [], docIndex);
  const helmAt = [...sourceAt, 'helm'];
  if (typeof source.helm?.values === 'string') {
    // Inline values are a YAML string: its lines are inside the block scalar.
    const inline = parseYamlObject(
      source.helm.values,
      `${file} (${formatYamlPath([...helmAt, 'values'])})`,
    );
    const base = appTrace?.origins.get(
      JSON.stringify([...helmAt, 'values'].map(String)),
    );
    const origins = new Map<string, ValueOrigin>();
    const inner = traceYaml(source.helm.values, file);
    for (const [k, o] of inner?.origins ?? []) {
      origins.set(k, {
        file,
        line: (base?.line ?? 0) + o.line,
        yamlPath: `${formatYamlPath([...helmAt, 'values'])} → ${o.yamlPath}`,
        path: [...helmAt, 'values', ...o.path],
        inline: true,
      });
    }
    traced = mergeTraced(traced, { values: inline, origins });
  }
  if (isPlainObject(source.helm?.valuesObject)) {
    if (appTrace) {
      traced = mergeTraced(
        traced,
        subtree(appTrace, [...helmAt, 'valuesObject']),
      );
    }
  }
  const parameters: Array<Record<string, any>> = source.helm?.parameters ?? [];
  parameters.forEach((parameter, i) => {
    const at: YamlPath = [...helmAt, 'parameters', i, 'value'];
    const origin = appTrace?.origins.get(JSON.stringify(at.map(String)));
    traced = setTraced(
      traced,
      String(parameter.name).split('.'),
      parameter.value,
      origin ?? fallbackOrigin(file, at),
    );
  });
  if (updaterText !== undefined && updaterFile) {
    const updater = traceYaml(updaterText, updaterFile);
    const updaterParameters: Array<Record<string, any>> =
      updater?.values?.helm?.parameters ?? [];
    updaterParameters.forEach((parameter, i) => {
      const at: YamlPath = ['helm', 'parameters', i, 'value'];
      const origin = updater?.origins.get(JSON.stringify(at.map(String)));
      traced = setTraced(
        traced,
        String(parameter.name).split('.'),
        parameter.value,
        origin ?? fallbackOrigin(updaterFile, at),
      );
    });
    inputs.push(updaterFile);
  }
  inputs.push(file);

  const chartText = await read(path.posix.join(sourcePath, 'Chart.yaml'));
  const chart = chartText
    ? parseYamlObject(chartText, `${sourcePath}/Chart.yaml`)
    : {};
  const workload = {
    ...helmWorkloadState(traced.values, {
      name: chart.name ? String(chart.name) : null,
      appVersion: chart.appVersion ? String(chart.appVersion) : null,
    }),
    namespace: app.spec?.destination?.namespace ?? null,
  };
  const origins: DesiredStateOrigins = {};
  for (const [field, valuesPath] of HELM_FIELDS) {
    const origin = traced.origins.get(JSON.stringify(valuesPath.map(String)));
    if (origin) origins[field] = origin;
  }
  return {
    layout: 'helm',
    workload,
    origins,
    sourcePath,
    inputs,
    definition,
    chart: chart.name
      ? {
          name: String(chart.name),
          version: chart.version ? String(chart.version) : null,
          range: false,
        }
      : null,
    rendered: { layout: 'helm', values: traced.values },
  };
}

async function resolveKustomize(o: {
  app: Record<string, any>;
  file: string;
  read: ReadRepoFile;
  hints: WorkloadHints;
  sourcePath: string;
  sourceAt: YamlPath;
  updaterFile?: string;
  updaterText?: string;
  definition: ResolvedDefinition['definition'];
}): Promise<ResolvedDefinition> {
  const build = await buildKustomization(o.sourcePath, o.read);
  const remote = build.warnings.find(w => w.includes('remote resource'));
  if (remote) {
    throw new UnsupportedLayoutError(
      `Application ${o.definition.name} (${o.file}): ${remote}`,
    );
  }
  const workload = extractWorkloadState(build.resources, o.hints, o.sourcePath);
  const origins = await overlayOrigins(o.sourcePath, o.read, workload);
  const appText = (await o.read(o.file))!;
  const docIndex = documentIndex(appText, o.file, o.definition.name);
  const appTrace = traceYaml(appText, o.file, [], docIndex);
  const overrides: Array<{ image: string; origin: ValueOrigin }> = [];
  const images: string[] = o.app.spec?.source?.kustomize?.images ?? [];
  images.forEach((image, i) => {
    const at: YamlPath = [...o.sourceAt, 'kustomize', 'images', i];
    overrides.push({
      image: String(image),
      origin:
        appTrace?.origins.get(JSON.stringify(at.map(String))) ??
        fallbackOrigin(o.file, at),
    });
  });
  if (o.updaterText !== undefined && o.updaterFile) {
    const updater = traceYaml(o.updaterText, o.updaterFile);
    const updaterImages: string[] = updater?.values?.kustomize?.images ?? [];
    updaterImages.forEach((image, i) => {
      const at: YamlPath = ['kustomize', 'images', i];
      overrides.push({
        image: String(image),
        origin:
          updater?.origins.get(JSON.stringify(at.map(String))) ??
          fallbackOrigin(o.updaterFile!, at),
      });
    });
  }
  for (const override of overrides) {
    const { from, to } = parseKustomizeImage(override.image);
    if (
      workload.image &&
      (from === workload.image || to.name === workload.image)
    ) {
      workload.image = to.name;
      if (to.tag !== null) {
        workload.tag = to.tag;
        origins.tag = override.origin;
      }
      if (to.digest !== null) {
        workload.digest = to.digest;
        origins.digest = override.origin;
      } else if (to.tag !== null) {
        workload.digest = null;
      }
    }
  }
  return {
    layout: 'kustomize',
    workload: {
      ...workload,
      namespace:
        workload.namespace ?? o.app.spec?.destination?.namespace ?? null,
    },
    origins,
    sourcePath: o.sourcePath,
    inputs: [
      ...build.folders,
      o.file,
      ...(o.updaterFile ? [o.updaterFile] : []),
    ],
    definition: o.definition,
    chart: null,
    rendered: { layout: 'kustomize', objects: build.resources },
  };
}

/** Where the overlay's own kustomization sets the image and replicas of the workload. */
async function overlayOrigins(
  overlay: string,
  read: ReadRepoFile,
  workload: WorkloadState,
): Promise<DesiredStateOrigins> {
  const origins: DesiredStateOrigins = {};
  const found = await readKustomization(overlay, read);
  if (!found) return origins;
  const traced = traceYaml(found.text, found.file);
  const at = (p: YamlPath) =>
    traced?.origins.get(JSON.stringify(p.map(String)));
  const images: Array<Record<string, any>> = traced?.values?.images ?? [];
  images.forEach((entry, i) => {
    if (entry?.name !== workload.image && entry?.newName !== workload.image)
      return;
    const tag = at(['images', i, 'newTag']);
    const digest = at(['images', i, 'digest']);
    if (tag) origins.tag = tag;
    if (digest) origins.digest = digest;
  });
  const replicas: Array<Record<string, any>> = traced?.values?.replicas ?? [];
  replicas.forEach((entry, i) => {
    const count = at(['replicas', i, 'count']);
    if (entry?.name === workload.workload && count) origins.replicas = count;
  });
  return origins;
}

/** `[old=]new[:tag][@digest]`, the image override syntax of Argo CD and `kustomize edit`. */
export function parseKustomizeImage(spec: string): {
  from: string;
  to: { name: string; tag: string | null; digest: string | null };
} {
  const [left, right] = spec.includes('=')
    ? spec.split('=', 2)
    : [undefined, spec];
  const ref = parseImageRef(right);
  const from = left ?? ref.name;
  return { from, to: { name: ref.name, tag: ref.tag, digest: ref.digest } };
}

function resolveValueFile(
  file: string,
  sourcePath: string,
  sources: Array<Record<string, any>>,
  where: string,
): string {
  const ref = /^\$([\w-]+)\/(.*)$/.exec(file);
  if (!ref) return path.posix.normalize(path.posix.join(sourcePath, file));
  if (!sources.some(s => s.ref === ref[1])) {
    throw new ManifestError(
      `${where}: value file ${file} names no source with ref ${ref[1]}`,
    );
  }
  return path.posix.normalize(ref[2]);
}

function fallbackOrigin(file: string, at: YamlPath): ValueOrigin {
  return { file, line: 0, yamlPath: formatYamlPath(at), path: at };
}

/** Which document of a multi-document file is the named object. */
function documentIndex(text: string, file: string, name: string): number {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  const index = list.findIndex(d => (d.toJS() as any)?.metadata?.name === name);
  if (index < 0 && list.length === 0) throw new ManifestError(`${file}: empty`);
  return Math.max(0, index);
}
