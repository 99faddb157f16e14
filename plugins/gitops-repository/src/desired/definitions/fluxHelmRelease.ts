import { DesiredStateOrigins } from '@gitops-backstage/plugin-gitops-common';
import { parseAllDocuments } from 'yaml';
import {
  KubernetesObject,
  ReadRepoFile,
  buildKustomization,
} from '../buildKustomization';
import { ManifestError } from '../parseYaml';
import { WorkloadHints, extractWorkloadState } from '../workloadState';
import { ResolvedDefinition, UnsupportedLayoutError } from './argoApplication';
import { helmChartSource } from './helmChartSource';
import { findArtifactPaths } from './artifactGenerator';
import { objectFiles } from './releaseFiles';
import { resolveHelmRelease } from './helmReleaseValues';

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
