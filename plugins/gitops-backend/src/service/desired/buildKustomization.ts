import { applyPatch, Operation } from 'fast-json-patch';
import path from 'node:path';
import { ImageRef, formatImageRef, parseImageRef } from './imageRef';
import {
  ManifestError,
  isPlainObject,
  parseYamlDocuments,
  parseYamlObject,
} from './parseYaml';
import { applyStrategicMerge } from './strategicMerge';

/** Reads a file of the repository at the revision being built; `undefined` when absent. */
export type ReadRepoFile = (file: string) => Promise<string | undefined>;

/** A Kubernetes object as it comes out of a build. */
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

async function applyPatches(
  resources: KubernetesObject[],
  k: Record<string, any>,
  folder: string,
  file: string,
  read: ReadRepoFile,
): Promise<KubernetesObject[]> {
  const entries: Array<{
    patch: unknown;
    target?: Record<string, any>;
    origin: string;
  }> = [];
  const load = async (entry: Record<string, any> | string, origin: string) => {
    if (typeof entry === 'string') {
      // patchesStrategicMerge entries are file paths or inline YAML.
      const inline = entry.includes('\n') || entry.includes(':');
      const source = inline
        ? entry
        : await mustRead(path.posix.join(folder, entry), file, read);
      return parseYamlDocuments(
        source,
        inline ? origin : path.posix.join(folder, entry),
      );
    }
    if (typeof entry.patch === 'string')
      return parseYamlDocuments(entry.patch, origin);
    if (typeof entry.path === 'string') {
      const patchFile = path.posix.join(folder, entry.path);
      return parseYamlDocuments(
        await mustRead(patchFile, file, read),
        patchFile,
      );
    }
    throw new ManifestError(`${origin}: a patch needs "patch" or "path"`);
  };
  for (const [index, entry] of list(k.patchesStrategicMerge).entries()) {
    for (const patch of await load(
      entry,
      `${file} patchesStrategicMerge[${index}]`,
    )) {
      entries.push({
        patch,
        origin: `${file} patchesStrategicMerge[${index}]`,
      });
    }
  }
  for (const [index, entry] of list(k.patches).entries()) {
    const origin = `${file} patches[${index}]`;
    const docs = await load(entry, origin);
    // A JSON6902 patch is one document holding a list of operations.
    if (docs.length === 1 && Array.isArray(docs[0])) {
      entries.push({ patch: docs[0], target: entry.target, origin });
    } else {
      for (const patch of docs)
        entries.push({ patch, target: entry.target, origin });
    }
  }
  for (const [index, entry] of list(k.patchesJson6902).entries()) {
    const origin = `${file} patchesJson6902[${index}]`;
    const [ops] = await load(entry, origin);
    entries.push({ patch: ops, target: entry.target, origin });
  }

  let result = resources;
  for (const { patch, target, origin } of entries) {
    const selector = target ?? selectorOf(patch, origin);
    let matched = false;
    result = result.map(resource => {
      if (!matches(resource, selector)) return resource;
      matched = true;
      if (Array.isArray(patch)) {
        try {
          return applyPatch(
            structuredClone(resource),
            patch as Operation[],
            true,
            false,
          ).newDocument as KubernetesObject;
        } catch (error) {
          throw new ManifestError(
            `${origin}: JSON6902 patch does not apply: ${
              (error as Error).message.split('\n')[0]
            }`,
          );
        }
      }
      return applyStrategicMerge(resource, patch) as KubernetesObject;
    });
    if (!matched) {
      throw new ManifestError(
        `${origin}: patch target ${describe(selector)} matches no resource`,
      );
    }
  }
  return result;
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

type Selector = {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
};

function selectorOf(patch: unknown, origin: string): Selector {
  if (!isPlainObject(patch) || !patch.kind || !patch.metadata?.name) {
    throw new ManifestError(
      `${origin}: a patch without "target" needs kind and metadata.name`,
    );
  }
  const [group, version] = String(patch.apiVersion ?? '').includes('/')
    ? String(patch.apiVersion).split('/')
    : ['', patch.apiVersion];
  return {
    group: patch.apiVersion ? group : undefined,
    version,
    kind: patch.kind,
    name: patch.metadata.name,
  };
}

function matches(resource: KubernetesObject, selector: Selector): boolean {
  const apiVersion = String(resource.apiVersion ?? '');
  const [group, version] = apiVersion.includes('/')
    ? apiVersion.split('/')
    : ['', apiVersion];
  if (selector.kind && selector.kind !== resource.kind) return false;
  if (selector.group !== undefined && selector.group !== group) return false;
  if (selector.version && selector.version !== version) return false;
  if (selector.namespace && selector.namespace !== resource.metadata?.namespace)
    return false;
  if (
    selector.name &&
    !new RegExp(`^(?:${selector.name})$`).test(String(resource.metadata?.name))
  ) {
    return false;
  }
  if (selector.labelSelector) {
    const labels = resource.metadata?.labels ?? {};
    for (const term of selector.labelSelector.split(',')) {
      const [key, value] = term.split('=').map(part => part.trim());
      if (value === undefined ? !(key in labels) : labels[key] !== value)
        return false;
    }
  }
  return true;
}

function describe(selector: Selector): string {
  return Object.entries(selector)
    .filter(([, value]) => value)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
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

async function mustRead(
  file: string,
  referencedFrom: string,
  read: ReadRepoFile,
) {
  const text = await read(file);
  if (text === undefined) {
    throw new ManifestError(`${referencedFrom}: patch file ${file} not found`);
  }
  return text;
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}
