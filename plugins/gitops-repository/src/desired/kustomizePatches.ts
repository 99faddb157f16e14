import { Operation, applyPatch } from 'fast-json-patch';
import path from 'node:path';
import type { KubernetesObject, ReadRepoFile } from './buildKustomization';
import { ManifestError, isPlainObject, parseYamlDocuments } from './parseYaml';
import { applyStrategicMerge } from './strategicMerge';

/**
 * Applies a kustomization's patches in kustomize's order: `patchesStrategicMerge`, `patches`
 * (strategic merge, or JSON6902 when the patch is a list of operations), `patchesJson6902`.
 * A patch whose target matches no resource is an error, as in `kustomize build`; a strategic
 * merge patch of `$patch: delete` removes what it matches.
 */
export async function applyPatches(
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
    // `$patch: delete` removes the resource, e.g. a base's Deployment that an environment
    // replaces with an Argo Rollouts Rollout of the same pods.
    const deletes = isPlainObject(patch) && patch.$patch === 'delete';
    result = result.flatMap(resource => {
      if (!matches(resource, selector)) return [resource];
      matched = true;
      if (deletes) return [];
      if (Array.isArray(patch)) {
        try {
          return [
            applyPatch(
              structuredClone(resource),
              patch as Operation[],
              true,
              false,
            ).newDocument as KubernetesObject,
          ];
        } catch (error) {
          throw new ManifestError(
            `${origin}: JSON6902 patch does not apply: ${
              (error as Error).message.split('\n')[0]
            }`,
          );
        }
      }
      return [applyStrategicMerge(resource, patch) as KubernetesObject];
    });
    if (!matched) {
      throw new ManifestError(
        `${origin}: patch target ${describe(selector)} matches no resource`,
      );
    }
  }
  return result;
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
