import { DesiredProgressive } from '@gitops-backstage/plugin-gitops-common';
import path from 'node:path';
import { ReadRepoFile } from './buildKustomization';
import { isPlainObject } from './parseYaml';
import { rolloutStep } from './progressiveState';

/**
 * The template files a chart's workload is looked for in: `helm create`'s name and the one
 * Argo Rollouts charts use. Git providers read files by path and do not list folders of files,
 * so a Rollout in a template of another name is not seen (the state then says Deployment, as
 * it did before Rollouts were read).
 */
export const WORKLOAD_TEMPLATES = [
  'templates/deployment.yaml',
  'templates/rollout.yaml',
];

/**
 * What a chart's templates say about its workload with the environment's values, and the
 * template files that say it (inputs of the state).
 */
export type HelmChartRollout = { templates: string[] } & (
  | { workloadKind: 'Rollout'; progressive: DesiredProgressive }
  | { workloadKind: null; warning: string | null }
);

/**
 * Whether a Helm chart in the repository renders an Argo Rollouts `Rollout` with the
 * environment's values, read from its workload templates without rendering them: Helm states
 * come from values, and rendering would need Helm. Text outside template actions is kept where
 * the enclosing `if`s hold for the values; conditions on `.Values` fields (`not`, `and`, `or`,
 * `eq`, `ne` of them) are evaluated, others are unknown, and a `kind: Rollout` only under an
 * unknown condition is said as a warning instead of guessed. The canary steps are read where
 * the template takes them from values (`toYaml .Values.….steps`).
 */
export async function readHelmChartRollout(options: {
  chartFolder: string;
  values: Record<string, any>;
  /** The workload's name (the chart's fullname), for the Rollout's. */
  workload: string | null;
  read: ReadRepoFile;
}): Promise<HelmChartRollout> {
  const { chartFolder, values, read } = options;
  let warning: string | null = null;
  const templates: string[] = [];
  for (const file of WORKLOAD_TEMPLATES) {
    const at = path.posix.join(chartFolder, file);
    const text = await read(at);
    if (text === undefined) continue;
    templates.push(at);
    const { kept, unknown } = keptText(text, values);
    if (/^kind:[ \t]*Rollout[ \t]*$/m.test(kept)) {
      return {
        templates,
        workloadKind: 'Rollout',
        progressive: {
          controller: 'argo-rollouts',
          kind: 'Rollout',
          name: options.workload ?? path.posix.basename(chartFolder),
          strategy: /^[ \t]*blueGreen:/m.test(kept) ? 'blueGreen' : 'canary',
          steps: stepsFromValues(text, values),
          workloadRef: null,
          // The AnalysisTemplates are rendered from templates too; their metrics are not read.
          metrics: [],
        },
      };
    }
    if (/\bRollout\b/.test(unknown) && /^kind:/m.test(text)) {
      warning = `${at}: whether it renders an Argo Rollouts Rollout depends on a condition not read here (only .Values fields are); read as a Deployment`;
    }
  }
  return { templates, workloadKind: null, warning };
}

/** Steps the template renders with `toYaml .Values.<path>.steps`, from the values. */
function stepsFromValues(template: string, values: Record<string, any>) {
  const used = /toYaml\s+\.Values((?:\.[A-Za-z_][\w-]*)*)\.steps\b/.exec(
    template,
  );
  if (!used) return [];
  const at = used[1].split('.').filter(Boolean);
  const steps = valueAt(values, [...at, 'steps']);
  return Array.isArray(steps)
    ? steps.filter(isPlainObject).map(rolloutStep)
    : [];
}

/** One `if`, `with`, `range` or `define` the scanner is inside. */
interface Frame {
  /** Whether the current branch renders: known true or false, or unknown. */
  current: boolean | undefined;
  /** Whether an earlier branch of this `if` rendered (so `else` does not). */
  taken: boolean | undefined;
}

/**
 * The text a template renders with these values as far as its `if`s can be decided (`kept`,
 * with `…` for each action's output), and the text under conditions that cannot (`unknown`).
 * `{{-` and `-}}` trim the text beside them, as Go templates do.
 */
export function keptText(
  template: string,
  values: Record<string, any>,
  /** What an action that is not a control structure writes; `…` unless a test renders it. */
  output: (action: string) => string = () => '…',
): { kept: string; unknown: string } {
  const frames: Frame[] = [];
  let kept = '';
  let unknown = '';
  const state = () => {
    if (frames.some(f => f.current === false)) return 'dropped';
    return frames.some(f => f.current === undefined) ? 'unknown' : 'kept';
  };
  const emit = (text: string) => {
    const where = state();
    if (where === 'kept') kept += text;
    else if (where === 'unknown') unknown += text;
  };
  const actions = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = actions.exec(template); m; m = actions.exec(template)) {
    let text = template.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1] === '-') text = text.replace(/\s+$/, '');
    emit(text);
    last = m.index + m[0].length;
    trimNext = m[3] === '-';
    const action = m[2];
    const [word] = action.split(/\s+/, 1);
    if (action.startsWith('/*')) continue;
    if (word === 'if') {
      const current = evaluate(action.slice(2), values);
      frames.push({ current, taken: current });
    } else if (word === 'else' && frames.length > 0) {
      const frame = frames[frames.length - 1];
      const rest = action.slice(4).trim();
      let current: boolean | undefined;
      if (frame.taken === true) current = false;
      else if (frame.taken === undefined) current = undefined;
      else if (rest.startsWith('if '))
        current = evaluate(rest.slice(3), values);
      else current = rest === '' ? true : undefined;
      frame.current = current;
      if (frame.taken === false) frame.taken = current;
    } else if (word === 'end') {
      frames.pop();
    } else if (word === 'define') {
      // A named template renders where it is included, not here.
      frames.push({ current: false, taken: false });
    } else if (['with', 'range', 'block'].includes(word)) {
      frames.push({ current: undefined, taken: undefined });
    } else if (state() !== 'dropped') {
      emit(output(action));
    }
  }
  let rest = template.slice(last);
  if (trimNext) rest = rest.replace(/^\s+/, '');
  emit(rest);
  return { kept, unknown };
}

/** A condition of `.Values` fields, or `undefined` when it is anything else. */
function evaluate(
  expression: string,
  values: Record<string, any>,
): boolean | undefined {
  const words = expression
    .trim()
    .replace(/^\((.*)\)$/s, '$1')
    .split(/\s+/);
  if (words.some(w => /[()|$]/.test(w))) return undefined;
  const operand = (word: string): unknown => {
    if (word.startsWith('.Values.')) return valueAt(values, fieldsOf(word));
    if (/^"[^"]*"$/.test(word)) return word.slice(1, -1);
    if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
    if (word === 'true' || word === 'false') return word === 'true';
    return undefined;
  };
  const known = (word: string) =>
    word.startsWith('.Values.') ||
    /^("[^"]*"|-?\d+(\.\d+)?|true|false)$/.test(word);
  const [head, ...args] = words;
  if (!args.every(known)) return undefined;
  if (args.length === 0) return known(head) ? truthy(operand(head)) : undefined;
  const truths = args.map(a => truthy(operand(a)));
  switch (head) {
    case 'not':
      return args.length === 1 ? !truths[0] : undefined;
    case 'and':
      return truths.every(Boolean);
    case 'or':
      return truths.some(Boolean);
    case 'eq':
      return args.length === 2
        ? operand(args[0]) === operand(args[1])
        : undefined;
    case 'ne':
      return args.length === 2
        ? operand(args[0]) !== operand(args[1])
        : undefined;
    default:
      return undefined;
  }
}

function fieldsOf(reference: string): string[] {
  return reference.slice('.Values.'.length).split('.').filter(Boolean);
}

function valueAt(values: unknown, fields: string[]): unknown {
  return fields.reduce<unknown>(
    (v, field) => (isPlainObject(v) ? v[field] : undefined),
    values,
  );
}

/** Go templates' truth: false, 0, nil and empty strings, lists and maps are false. */
function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}
