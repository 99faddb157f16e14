import {
  DesiredStateOrigins,
  ValueOrigin,
} from '@gitops-backstage/plugin-gitops-common';
import { ReadRepoFile } from '../desired/buildKustomization';
import { parseKustomizeImage } from '../desired/definitions/argoApplication';
import { ManifestError } from '../desired/parseYaml';
import { YamlTextEditor } from './yamlTextEdits';

/** No file sets a field the change needs. */
export class MissingOriginError extends ManifestError {}

/** A change as the planner takes it (see PromotionPlanner). */
type Change =
  | {
      kind: 'version';
      tag: string | null;
      digest: string | null;
      chartVersion?: string;
    }
  | { kind: 'replicas'; replicas: number }
  | { kind: 'autoscaling'; minReplicas?: number; maxReplicas?: number };

/**
 * Plans a change of an environment resolved from its engine definition by editing each value
 * where it is written — a value file, `valuesObject`, a Helm parameter, an image override on
 * the Application, the image updater's file — and nowhere else: adding an override somewhere
 * else would compete with the one that decides today.
 */
export async function planAtOrigins(
  origins: DesiredStateOrigins,
  image: string | null,
  change: Change,
  read: ReadRepoFile,
): Promise<Array<{ path: string; before: string; after: string }>> {
  const editors = new Map<string, { before: string; editor: YamlTextEditor }>();
  const editorFor = async (origin: ValueOrigin) => {
    if (origin.inline) {
      throw new ManifestError(
        `${origin.file}: ${origin.yamlPath} is inside an inline Helm values string; edit it there or move it to valuesObject`,
      );
    }
    if (origin.file.includes('#')) {
      throw new ManifestError(
        `${origin.yamlPath} is set by the template of ${
          origin.file.split('#')[0]
        } for every generated Application; edit the template or its generator`,
      );
    }
    if (origin.shared) {
      throw new ManifestError(
        `${origin.file}: ${origin.yamlPath} is shared with other environments (a base or chart default); set it in this environment's own overlay or values first`,
      );
    }
    if (origin.document) {
      throw new ManifestError(
        `${origin.file}: ${origin.yamlPath} is in document ${
          origin.document + 1
        } of a multi-document file, which is not edited automatically`,
      );
    }
    let entry = editors.get(origin.file);
    if (!entry) {
      const before = await read(origin.file);
      if (before === undefined)
        throw new ManifestError(`${origin.file} not found`);
      entry = { before, editor: new YamlTextEditor(before, origin.file) };
      editors.set(origin.file, entry);
    }
    return entry.editor;
  };
  const missing = (field: string) =>
    new MissingOriginError(
      `no file in Git sets the ${field} of this environment; set it once by hand, then promotions can change it`,
    );

  if (change.kind === 'version') {
    const tagOrigin = origins.tag;
    const digestOrigin = origins.digest;
    const imageOverride = [tagOrigin, digestOrigin].find(
      o => o && isImageOverride(o),
    );
    if (change.tag === null && change.digest === null) {
      // A chart's version alone (the image is the chart's default): the image is not touched.
    } else if (imageOverride) {
      // `[old=]name[:tag][@digest]` strings: rewrite the whole reference in place.
      const editor = await editorFor(imageOverride);
      const current = String(
        (editor.get(imageOverride.path) as any)?.value ?? '',
      );
      const { from, to } = parseKustomizeImage(current);
      const prefix = current.includes('=') ? `${from}=` : '';
      const name = to.name || image || from;
      editor.replaceScalar(
        imageOverride.path,
        `${prefix}${name}${change.tag ? `:${change.tag}` : ''}${
          change.digest ? `@${change.digest}` : ''
        }`,
      );
    } else {
      if (change.tag !== null) {
        if (!tagOrigin) throw missing('image tag');
        (await editorFor(tagOrigin)).replaceScalar(tagOrigin.path, change.tag);
      }
      if (change.digest !== null) {
        if (!digestOrigin) throw missing('image digest');
        (await editorFor(digestOrigin)).replaceScalar(
          digestOrigin.path,
          change.digest,
        );
      } else if (digestOrigin) {
        (await editorFor(digestOrigin)).removeEntry(digestOrigin.path);
      }
    }
    if (change.chartVersion !== undefined) {
      if (!origins.chartVersion) throw missing('chart version');
      (await editorFor(origins.chartVersion)).replaceScalar(
        origins.chartVersion.path,
        change.chartVersion,
      );
    }
  } else if (change.kind === 'replicas') {
    if (!origins.replicas) throw missing('replica count');
    (await editorFor(origins.replicas)).replaceScalar(
      origins.replicas.path,
      change.replicas,
    );
  } else {
    for (const [field, value] of [
      ['minReplicas', change.minReplicas],
      ['maxReplicas', change.maxReplicas],
    ] as const) {
      if (value === undefined) continue;
      const origin = origins[field];
      if (!origin) throw missing(field);
      (await editorFor(origin)).replaceScalar(origin.path, value);
    }
  }
  return [...editors.entries()].map(([file, { before, editor }]) => ({
    path: file,
    before,
    after: editor.toString(),
  }));
}

function isImageOverride(origin: ValueOrigin): boolean {
  const p = origin.path;
  return (
    p.length >= 2 &&
    p[p.length - 2] === 'images' &&
    typeof p[p.length - 1] === 'number'
  );
}
