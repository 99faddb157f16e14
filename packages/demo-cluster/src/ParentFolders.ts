import {
  GitProvider,
  GitRepositoryRef,
} from '@gitops-backstage/plugin-gitops-node';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { LocalGit } from './localGit';
import { KINDS, KubeObject } from './ObjectStore';
import { Runtime } from './runtimes';

/** The kinds a parent applies: Argo CD's and Flux's own objects, `<group>/<Kind>`. */
const ENGINE_KINDS = new Set([
  'argoproj.io/Application',
  'kustomize.toolkit.fluxcd.io/Kustomization',
  'helm.toolkit.fluxcd.io/HelmRelease',
  'source.toolkit.fluxcd.io/GitRepository',
  'source.toolkit.fluxcd.io/HelmRepository',
  'source.toolkit.fluxcd.io/OCIRepository',
]);

/** Files that make a folder a Kustomize overlay or a Helm chart: the reader renders those. */
const RENDERED_FOLDER_MARKERS = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
  'Chart.yaml',
];

/** An engine object of a parent's path, as Git has it (namespace filled in), and its file. */
export interface Child {
  plural: string;
  object: KubeObject;
  file: string;
}

/**
 * DEMO ONLY. The engine objects in the path of an Application or Kustomization, when that path
 * is a folder of plain manifests: Argo CD's "directory" source, or a folder Flux generates a
 * kustomization for (every file, subfolders included). Overlays and charts are the plugin
 * reader's to render.
 */
export class ParentFolders {
  /** A path's engine objects (null: not a folder of them), by repository, commit and path. */
  private readonly renders = new Map<string, Promise<Child[] | null>>();
  private readonly local = new LocalGit();

  constructor(private readonly git: GitProvider) {}

  /**
   * The engine objects of a parent's path at a commit, their namespace filled in as the
   * controller applies them; null when the path is not a folder of plain manifests (an overlay,
   * a chart, not from Git). Throws when the path is not there or a file does not parse.
   */
  async render(
    plural: Runtime['plural'],
    engine: KubeObject,
    repository: GitRepositoryRef,
    head: string,
  ): Promise<Child[] | null> {
    const argo = plural === 'applications';
    const folder = folderOf(plural, engine);
    const source = engine.spec?.source ?? {};
    const followed = argo
      ? !source.chart && !engine.spec?.sources
      : [undefined, 'GitRepository'].includes(engine.spec?.sourceRef?.kind);
    if (folder === undefined || !followed) return null;
    // Argo CD reads a directory's own files unless told to recurse; Flux reads subfolders too.
    const recursive = argo ? source.directory?.recurse === true : true;
    const cacheKey = JSON.stringify([repository.url, head, folder, recursive]);
    let pending = this.renders.get(cacheKey);
    if (!pending) {
      if (this.renders.size > 500) this.renders.clear();
      pending = this.readFolder(repository, head, folder, recursive);
      this.renders.set(cacheKey, pending);
      pending.catch(() => this.renders.delete(cacheKey));
    }
    const children = await pending;
    return (
      children?.map(child => {
        const object = structuredClone(child.object);
        const target = argo
          ? object.metadata.namespace ?? engine.spec?.destination?.namespace
          : engine.spec?.targetNamespace ??
            object.metadata.namespace ??
            engine.metadata.namespace;
        object.metadata.namespace = target;
        return { ...child, object };
      }) ?? null
    );
  }

  private async readFolder(
    repository: GitRepositoryRef,
    head: string,
    folder: string,
    recursive: boolean,
  ): Promise<Child[] | null> {
    const read = (file: string) =>
      this.git.readFile({ repository, revision: head, path: file });
    for (const marker of RENDERED_FOLDER_MARKERS) {
      if ((await read(path.posix.join(folder, marker))) !== undefined)
        return null;
    }
    const files = await this.local.listFiles(
      repository.url,
      head,
      folder,
      recursive,
    );
    if (files.length === 0) throw new Error(`path ${folder} not found`);
    const children: Child[] = [];
    for (const file of files.filter(f => /\.(ya?ml|json)$/.test(f))) {
      for (const doc of parseAllDocuments((await read(file)) ?? '')) {
        if (doc.errors.length > 0)
          throw new Error(`${file}: ${doc.errors[0].message}`);
        const object = doc.toJS();
        const group = String(object?.apiVersion ?? '').split('/')[0];
        if (
          ENGINE_KINDS.has(`${group}/${object?.kind}`) &&
          object.metadata?.name
        ) {
          const kind = KINDS.find(
            k => k.group === group && k.kind === object.kind,
          )!;
          children.push({ plural: kind.plural, object, file });
        }
      }
    }
    return children;
  }
}

/** The folder an Application or Kustomization applies, from the repository root. */
export function folderOf(
  plural: Runtime['plural'],
  engine: KubeObject,
): string | undefined {
  const given =
    plural === 'applications' ? engine.spec?.source?.path : engine.spec?.path;
  if (typeof given !== 'string') return undefined;
  const folder = path.posix.normalize(given).replace(/^(\.?\/)+|\/+$/g, '');
  return folder === '.' ? '' : folder;
}
