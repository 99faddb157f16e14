import path from 'node:path';
import { ImageRef, formatImageRef, parseImageRef } from './imageRef';
import {
  ManifestError,
  isPlainObject,
  parseYamlDocuments,
  parseYamlObject,
} from './parseYaml';
import { applyPatches } from './kustomizePatches';

/**
 * Reads a file of the repository at the revision being built; `undefined` when absent.
 *
 * @public
 */
export type ReadRepoFile = (file: string) => Promise<string | undefined>;

/**
 * A Kubernetes object as it comes out of a build.
 *
 * @public
 */
export type KubernetesObject = Record<string, any> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, any>;
};

/** What a kustomization renders to. */
export interface KustomizeBuild {
  resources: KubernetesObject[];
  /** Things kustomize would silently accept but that are probably mistakes. */
  warnings: string[];
  /** Every kustomization folder the build read, overlay first. */
  folders: string[];
}

const SCALABLE = new Set([
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
]);

const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/** Reads the kustomization file of a folder, or `undefined` when the folder has none. */
export async function readKustomization(
  folder: string,
  read: ReadRepoFile,
): Promise<{ file: string; text: string } | undefined> {
  for (const name of KUSTOMIZATION_FILES) {
    const file = path.posix.join(folder, name);
    const text = await read(file);
    if (text !== undefined) {
      return { file, text };
    }
  }
  return undefined;
}

/**
 * Renders a Kustomize overlay the way `kustomize build` does for the fields that decide a
 * service's version and scale: resources and bases (recursively), `namespace`, `namePrefix`/
 * `nameSuffix`, strategic-merge and JSON6902 patches (`patches`, `patchesStrategicMerge`,
 * `patchesJson6902`), `images` and `replicas`. Generators and remote bases are skipped with a
 * warning.
 */
export async function buildKustomization(
  folder: string,
  read: ReadRepoFile,
): Promise<KustomizeBuild> {
  const build: KustomizeBuild = { resources: [], warnings: [], folders: [] };
  build.resources = await buildFolder(folder, read, build, []);
  return build;
}

async function buildFolder(
  folder: string,
  read: ReadRepoFile,
  build: KustomizeBuild,
  stack: string[],
): Promise<KubernetesObject[]> {
  if (stack.includes(folder)) {
    throw new ManifestError(
      `${folder}: kustomization cycle via ${stack.join(' → ')}`,
    );
  }
  const found = await readKustomization(folder, read);
  if (!found) {
    throw new ManifestError(`${folder}: no kustomization.yaml`);
  }
  build.folders.push(folder);
  const k = parseYamlObject(found.text, found.file);

  let resources: KubernetesObject[] = [];
  for (const entry of [
    ...list(k.resources),
    ...list(k.bases),
    ...list(k.components),
  ]) {
    if (typeof entry !== 'string') continue;
    if (/^[a-z]+:\/\/|^github\.com\/|^git@/.test(entry)) {
      build.warnings.push(
        `${found.file}: remote resource ${entry} is not read`,
      );
      continue;
    }
    const target = path.posix.normalize(path.posix.join(folder, entry));
    const text = await read(target);
    if (text !== undefined) {
      resources.push(...objectsOf(parseYamlDocuments(text, target), target));
    } else if (await readKustomization(target, read)) {
      resources.push(
        ...(await buildFolder(target, read, build, [...stack, folder])),
      );
    } else {
      throw new ManifestError(
        `${found.file}: resource ${entry} not found (${target})`,
      );
    }
  }
  for (const generator of [
    'configMapGenerator',
    'secretGenerator',
    'helmCharts',
  ]) {
    if (k[generator]) {
      build.warnings.push(`${found.file}: ${generator} is not rendered`);
    }
  }

  resources = await applyPatches(resources, k, folder, found.file, read);
  if (k.namePrefix || k.nameSuffix) {
    resources = resources.map(r =>
      withMetadata(r, {
        name: `${k.namePrefix ?? ''}${r.metadata?.name}${k.nameSuffix ?? ''}`,
      }),
    );
  }
  if (typeof k.namespace === 'string') {
    resources = resources.map(r => withMetadata(r, { namespace: k.namespace }));
  }
  resources = applyImages(
    resources,
    list(k.images),
    found.file,
    build.warnings,
  );
  resources = applyReplicas(
    resources,
    list(k.replicas),
    found.file,
    build.warnings,
  );
  return resources;
}

function applyImages(
  resources: KubernetesObject[],
  images: unknown[],
  file: string,
  warnings: string[],
): KubernetesObject[] {
  let result = resources;
  for (const entry of images) {
    if (!isPlainObject(entry) || typeof entry.name !== 'string') continue;
    let matched = false;
    result = result.map(resource =>
      mapContainers(resource, container => {
        const ref = parseImageRef(String(container.image ?? ''));
        if (ref.name !== entry.name) return container;
        matched = true;
        return {
          ...container,
          image: formatImageRef(retag(ref, entry)),
        };
      }),
    );
    if (!matched) {
      warnings.push(
        `${file}: images entry "${entry.name}" matches no container image`,
      );
    }
  }
  return result;
}

/**
 * Applies one `images` entry the way kustomize does: a new tag replaces tag and digest, a
 * digest replaces both too, and an entry with both pins `name:tag@digest`.
 */
function retag(ref: ImageRef, entry: Record<string, any>): ImageRef {
  const newTag = entry.newTag !== undefined ? String(entry.newTag) : undefined;
  const digest = entry.digest !== undefined ? String(entry.digest) : undefined;
  const replaced = newTag !== undefined || digest !== undefined;
  return {
    name: typeof entry.newName === 'string' ? entry.newName : ref.name,
    tag: replaced ? newTag ?? null : ref.tag,
    digest: replaced ? digest ?? null : ref.digest,
  };
}

function applyReplicas(
  resources: KubernetesObject[],
  replicas: unknown[],
  file: string,
  warnings: string[],
): KubernetesObject[] {
  let result = resources;
  for (const entry of replicas) {
    if (!isPlainObject(entry) || typeof entry.name !== 'string') continue;
    const count = Number(entry.count);
    if (!Number.isInteger(count) || count < 0) {
      throw new ManifestError(
        `${file}: replicas entry "${entry.name}" has no valid count`,
      );
    }
    let matched = false;
    result = result.map(resource => {
      if (
        resource.metadata?.name !== entry.name ||
        !SCALABLE.has(String(resource.kind))
      ) {
        return resource;
      }
      matched = true;
      return { ...resource, spec: { ...resource.spec, replicas: count } };
    });
    if (!matched) {
      warnings.push(
        `${file}: replicas entry "${entry.name}" matches no workload`,
      );
    }
  }
  return result;
}

/** Applies `fn` to every container and init container of a workload. */
function mapContainers(
  resource: KubernetesObject,
  fn: (container: Record<string, any>) => Record<string, any>,
): KubernetesObject {
  const podSpec =
    resource.kind === 'CronJob'
      ? resource.spec?.jobTemplate?.spec?.template?.spec
      : resource.spec?.template?.spec;
  if (!isPlainObject(podSpec)) return resource;
  const next = { ...podSpec };
  for (const field of ['containers', 'initContainers']) {
    if (Array.isArray(next[field])) next[field] = next[field].map(fn);
  }
  const clone = structuredClone(resource);
  if (resource.kind === 'CronJob')
    clone.spec.jobTemplate.spec.template.spec = next;
  else clone.spec.template.spec = next;
  return clone;
}

function withMetadata(
  resource: KubernetesObject,
  metadata: Record<string, unknown>,
): KubernetesObject {
  return { ...resource, metadata: { ...resource.metadata, ...metadata } };
}

function objectsOf(values: unknown[], file: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const value of values) {
    const items =
      isPlainObject(value) &&
      String(value.kind).endsWith('List') &&
      Array.isArray(value.items)
        ? value.items
        : [value];
    for (const item of items) {
      if (!isPlainObject(item) || typeof item.kind !== 'string') {
        throw new ManifestError(
          `${file}: a document is not a Kubernetes object (no kind)`,
        );
      }
      objects.push(item);
    }
  }
  return objects;
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}
