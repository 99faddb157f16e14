import { ValueOrigin } from '@gitops-backstage/plugin-gitops-common';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  KubernetesObject,
  ReadRepoFile,
  readKustomization,
} from '../buildKustomization';
import { parseYamlObject } from '../parseYaml';
import { YamlPath, traceYaml } from './valueOrigins';

/**
 * The files that declare or patch one object (a HelmRelease, its OCIRepository), base first:
 * its documents in the built folders, then patch files of the overlay chain that target it.
 */
export async function objectFiles(
  folders: string[],
  read: ReadRepoFile,
  kind: string,
  name: string,
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
        if (object?.kind === kind && object.metadata?.name === name) {
          found.push({ file: candidate, doc: i });
        }
      });
    }
  }
  return found;
}

/**
 * Where a JSON 6902 patch file of the build sets a field of one object (`op: replace` or
 * `add` on the field or a map above it), the overlay's last; undefined when none does.
 */
export async function json6902Origin(
  folders: string[],
  read: ReadRepoFile,
  target: { kind: string; name: string; path: YamlPath },
): Promise<ValueOrigin | undefined> {
  let found: ValueOrigin | undefined;
  for (const folder of [...folders].reverse()) {
    const kustomization = await readKustomization(folder, read);
    if (!kustomization) continue;
    const k = parseYamlObject(kustomization.text, kustomization.file);
    for (const patch of k.patches ?? []) {
      const selector = patch?.target;
      if (typeof patch?.path !== 'string' || !selector) continue;
      if (selector.kind && selector.kind !== target.kind) continue;
      if (selector.name && selector.name !== target.name) continue;
      const file = path.posix.normalize(path.posix.join(folder, patch.path));
      const text = await read(file);
      const ops = text === undefined ? undefined : parseAllDocuments(text)[0];
      const list = ops?.toJS();
      if (!Array.isArray(list)) continue;
      for (const [i, op] of list.entries()) {
        if (!['replace', 'add'].includes(op?.op)) continue;
        const opPath = String(op.path ?? '')
          .split('/')
          .slice(1)
          .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
        if (opPath.length > target.path.length) continue;
        const prefix = target.path.slice(0, opPath.length).map(String);
        if (prefix.some((p, j) => p !== opPath[j])) continue;
        const rest = target.path.slice(opPath.length);
        const origin = traceYaml(text!, file, [i, 'value'])?.origins.get(
          JSON.stringify(rest.map(String)),
        );
        if (origin) found = origin;
      }
    }
  }
  return found;
}
