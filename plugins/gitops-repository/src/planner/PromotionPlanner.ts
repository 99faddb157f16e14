import { createTwoFilesPatch } from 'diff';
import { isMap, isSeq } from 'yaml';
import { ReadRepoFile, readKustomization } from '../desired/buildKustomization';
import { ManifestError, isPlainObject } from '../desired/parseYaml';
import { overlayDocuments } from './overlayDocuments';
import { YamlTextEditor, formatScalar } from './yamlTextEdits';
import { MissingOriginError, planAtOrigins } from './planAtOrigins';
import { DesiredStateOrigins } from '@gitops-backstage/plugin-gitops-common';

/**
 * What to change in one environment.
 *
 * @public
 */
export type PlanChange =
  | {
      kind: 'version';
      tag: string | null;
      digest: string | null;
      /** Also pin this chart version (a HelmRelease resolved from its definition). */
      chartVersion?: string;
    }
  | { kind: 'replicas'; replicas: number }
  | { kind: 'autoscaling'; minReplicas?: number; maxReplicas?: number };

/**
 * Where the environment's desired state lives (from the desired-state reader).
 *
 * @public
 */
export interface PlanTarget {
  layout: 'kustomize' | 'helm';
  /** Overlay folder (Kustomize) or the environment's values file (Helm). */
  path: string;
  /** Image repository whose version changes. */
  image: string;
  /** Workload whose replicas or autoscaler change. */
  workload: string | null;
  /** `Rollout` for an Argo Rollouts workload (kustomize's `replicas` does not scale one). */
  workloadKind?: 'Rollout' | null;
  /**
   * Where each field is written, for environments resolved from their engine definition: the
   * change is made exactly there.
   */
  origins?: DesiredStateOrigins;
}

/**
 * The files a change edits and its unified diff; `noop` when nothing would change.
 *
 * @public
 */
export interface Plan {
  files: Array<{ path: string; before: string; after: string }>;
  diff: string;
  noop: boolean;
}

/**
 * Plans a change as edits of the environment's own files: the overlay's kustomization
 * (`images`, `replicas`), the overlay's manifest or patch of a Rollout (its replicas), an
 * autoscaler manifest in the overlay, or the Helm values file
 * (`image.tag`/`image.digest`, `replicaCount`, `autoscaling.*`). Pure: reads through `read`,
 * writes nothing; comments and formatting of untouched lines stay as they are.
 *
 * @public
 */
export async function planChange(
  target: PlanTarget,
  change: PlanChange,
  read: ReadRepoFile,
): Promise<Plan> {
  let edits;
  if (target.origins) {
    edits = await planAtOrigins(
      target.origins,
      target.image,
      change,
      read,
    ).catch(error => {
      // A Kustomize overlay without the field gets it the usual way (an images or replicas
      // entry in the overlay); a Helm layout has no such obvious place.
      if (
        error instanceof MissingOriginError &&
        target.layout === 'kustomize'
      ) {
        return planKustomize(target, change, read);
      }
      throw error;
    });
  } else if (target.layout === 'helm') {
    edits = await planHelm(target, change, read);
  } else {
    edits = await planKustomize(target, change, read);
  }
  const files = edits.filter(f => f.before !== f.after);
  return {
    files,
    noop: files.length === 0,
    diff: files
      .map(f =>
        createTwoFilesPatch(
          `a/${f.path}`,
          `b/${f.path}`,
          f.before,
          f.after,
          '',
          '',
          { context: 3 },
        ),
      )
      .map(patch =>
        patch
          // jsdiff starts with an `Index:`/`====` banner and tabs after file names.
          .replace(/^(Index: .*\n)?=+\n/, '')
          .replace(/^(---|\+\+\+) (\S+)\t.*$/gm, '$1 $2'),
      )
      .join(''),
  };
}

async function planHelm(
  target: PlanTarget,
  change: PlanChange,
  read: ReadRepoFile,
) {
  const before = await mustRead(target.path, read);
  const editor = new YamlTextEditor(before, target.path);
  /** Sets `parent.key`, adding `parent:` at the end when the file does not have it yet. */
  const set = (parent: string, key: string, value: string | number) => {
    if (editor.get([parent]) === undefined) {
      editor.appendTopLevel([`${parent}:`, `  ${key}: ${formatScalar(value)}`]);
    } else {
      editor.setInMap([parent], key, value);
    }
  };
  switch (change.kind) {
    case 'version':
      if (change.tag !== null) set('image', 'tag', change.tag);
      if (change.digest !== null) set('image', 'digest', change.digest);
      else if (editor.get(['image', 'digest']) !== undefined)
        editor.removeEntry(['image', 'digest']);
      break;
    case 'replicas':
      editor.setInMap([], 'replicaCount', change.replicas);
      break;
    case 'autoscaling':
      if (change.minReplicas !== undefined)
        set('autoscaling', 'minReplicas', change.minReplicas);
      if (change.maxReplicas !== undefined)
        set('autoscaling', 'maxReplicas', change.maxReplicas);
      break;
    default:
  }
  return [{ path: target.path, before, after: editor.toString() }];
}

async function planKustomize(
  target: PlanTarget,
  change: PlanChange,
  read: ReadRepoFile,
) {
  const found = await readKustomization(target.path, read);
  if (!found) throw new ManifestError(`${target.path}: no kustomization.yaml`);
  const editor = new YamlTextEditor(found.text, found.file);
  const kustomization = (editor.document.toJS() ?? {}) as Record<string, any>;
  const documents = () => overlayDocuments(target.path, kustomization, read);
  if (change.kind === 'version') {
    const images = editor.document.getIn(['images'], true);
    const index = isSeq(images)
      ? images.items.findIndex(
          (item: any) => isMap(item) && item.get('name') === target.image,
        )
      : -1;
    const lines = [
      `- name: ${target.image}`,
      ...(change.tag !== null ? [`  newTag: ${formatScalar(change.tag)}`] : []),
      ...(change.digest !== null ? [`  digest: ${change.digest}`] : []),
    ];
    if (index >= 0) {
      const entry = (images as any).items[index];
      for (const [key, value] of [
        ['newTag', change.tag],
        ['digest', change.digest],
      ] as const) {
        if (value !== null) editor.setInMap(['images', index], key, value);
      }
      // A version is a tag or a digest pin: drop the field the new version does not use.
      for (const [key, value] of [
        ['newTag', change.tag],
        ['digest', change.digest],
      ] as const) {
        if (value === null && entry.has(key))
          editor.removeEntry(['images', index, key]);
      }
    } else if (isSeq(images)) {
      editor.appendToSeq(['images'], lines);
    } else {
      editor.appendTopLevel(['images:', ...lines.map(l => `  ${l}`)]);
    }
    return [{ path: found.file, before: found.text, after: editor.toString() }];
  }
  if (change.kind === 'replicas') {
    if (!target.workload)
      throw new ManifestError(`${target.path}: no workload to scale`);
    if (target.workloadKind === 'Rollout') {
      // kustomize's replicas transformer knows Deployments and StatefulSets only: an entry
      // for a Rollout would be committed and change nothing. The overlay's own manifest or
      // patch of the Rollout is where its count is.
      const own = (await documents()).find(
        d =>
          d.object.kind === 'Rollout' &&
          d.object.metadata?.name === target.workload &&
          isPlainObject(d.object.spec),
      );
      if (!own) {
        throw new ManifestError(
          `${target.path}: ${target.workload} is an Argo Rollouts Rollout, which kustomize's \`replicas\` field does not scale; set spec.replicas in a patch of it in the overlay, or give it an autoscaler`,
        );
      }
      const rolloutEditor = new YamlTextEditor(own.text, own.file);
      rolloutEditor.setInMap(['spec'], 'replicas', change.replicas);
      return [
        { path: own.file, before: own.text, after: rolloutEditor.toString() },
      ];
    }
    const replicas = editor.document.getIn(['replicas'], true);
    const index = isSeq(replicas)
      ? replicas.items.findIndex(
          (item: any) => isMap(item) && item.get('name') === target.workload,
        )
      : -1;
    if (index >= 0)
      editor.setInMap(['replicas', index], 'count', change.replicas);
    else if (isSeq(replicas))
      editor.appendToSeq(
        ['replicas'],
        [`- name: ${target.workload}`, `  count: ${change.replicas}`],
      );
    else
      editor.appendTopLevel([
        'replicas:',
        `  - name: ${target.workload}`,
        `    count: ${change.replicas}`,
      ]);
    return [{ path: found.file, before: found.text, after: editor.toString() }];
  }
  // Autoscaling: edit the HPA manifest that lives in the overlay itself (its target may be a
  // Deployment or the Rollout that replaces one).
  const hpa = (await documents()).find(
    d =>
      d.object.kind === 'HorizontalPodAutoscaler' &&
      d.object.spec?.scaleTargetRef?.name === target.workload,
  );
  if (!hpa) {
    throw new ManifestError(
      `${target.path}: no HorizontalPodAutoscaler for ${target.workload} in the overlay; autoscaling of a base HPA needs an overlay patch`,
    );
  }
  const hpaEditor = new YamlTextEditor(hpa.text, hpa.file);
  if (change.minReplicas !== undefined)
    hpaEditor.setInMap(['spec'], 'minReplicas', change.minReplicas);
  if (change.maxReplicas !== undefined)
    hpaEditor.setInMap(['spec'], 'maxReplicas', change.maxReplicas);
  return [{ path: hpa.file, before: hpa.text, after: hpaEditor.toString() }];
}

async function mustRead(file: string, read: ReadRepoFile) {
  const text = await read(file);
  if (text === undefined) throw new ManifestError(`${file} not found`);
  return text;
}
