import path from 'node:path';
import { ManifestError, isPlainObject } from '../parseYaml';
import { UnsupportedLayoutError } from './argoApplication';

/** Lists the folders directly inside a folder of the repository (at the revision being read). */
export type ListRepoFolders = (folder: string) => Promise<string[]>;

type Params = Record<string, unknown>;

/**
 * Expands an ApplicationSet into the Applications its generators yield: `list`, `git` with
 * `directories` (globs with `*`, `exclude`), and `matrix` of those. Other generators (clusters,
 * pull requests, SCM providers, plugins) depend on things outside the repository and are named
 * as unsupported.
 */
export async function expandApplicationSet(options: {
  appSet: Record<string, any>;
  file: string;
  listFolders?: ListRepoFolders;
}): Promise<Array<Record<string, any>>> {
  const { appSet, file } = options;
  const where = `ApplicationSet ${appSet.metadata?.name} (${file})`;
  const goTemplate = appSet.spec?.goTemplate === true;
  const params: Params[] = [];
  for (const generator of appSet.spec?.generators ?? []) {
    params.push(...(await generate(generator, options, where)));
  }
  return params.map(p => render(appSet.spec?.template ?? {}, p, goTemplate));
}

async function generate(
  generator: Record<string, any>,
  options: { listFolders?: ListRepoFolders },
  where: string,
): Promise<Params[]> {
  if (generator.list) {
    return (generator.list.elements ?? []).map((e: Params) => ({ ...e }));
  }
  if (generator.git) {
    if (!generator.git.directories) {
      throw new UnsupportedLayoutError(
        `${where}: a git files generator is not followed (only directories)`,
      );
    }
    if (!options.listFolders) {
      throw new UnsupportedLayoutError(
        `${where}: this Git provider cannot list folders for a git directories generator`,
      );
    }
    const included: string[] = [];
    const excluded = new Set<string>();
    for (const entry of generator.git.directories) {
      const found = await glob(String(entry.path), options.listFolders);
      for (const dir of found) {
        if (entry.exclude) excluded.add(dir);
        else included.push(dir);
      }
    }
    return included
      .filter(dir => !excluded.has(dir))
      .map(dir => pathParams(dir));
  }
  if (generator.matrix) {
    const [a, b] = generator.matrix.generators ?? [];
    if (!a || !b)
      throw new ManifestError(`${where}: a matrix needs two generators`);
    const left = await generate(a, options, where);
    const right = await generate(b, options, where);
    return left.flatMap(l => right.map(r => ({ ...l, ...r })));
  }
  const kind = Object.keys(generator).find(k => k !== 'selector') ?? 'unknown';
  throw new UnsupportedLayoutError(
    `${where}: the ${kind} generator depends on things outside the repository and is not followed`,
  );
}

/** Folders matching a path with `*` segments. */
async function glob(
  pattern: string,
  listFolders: ListRepoFolders,
): Promise<string[]> {
  let current = [''];
  for (const segment of pattern.replace(/^\/+|\/+$/g, '').split('/')) {
    const next: string[] = [];
    for (const folder of current) {
      if (segment.includes('*')) {
        const re = new RegExp(
          `^${segment.split('*').map(escape).join('[^/]*')}$`,
        );
        for (const child of await listFolders(folder)) {
          if (re.test(path.posix.basename(child))) next.push(child);
        }
      } else {
        next.push(folder ? `${folder}/${segment}` : segment);
      }
    }
    current = next;
  }
  return current;
}

function escape(text: string) {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** The parameters of a git directory: `path`, `path.basename`, `path[0]`, … */
function pathParams(dir: string): Params {
  const segments = dir.split('/');
  const params: Params = {
    path: dir,
    'path.path': dir,
    'path.basename': path.posix.basename(dir),
    'path.basenameNormalized': path.posix
      .basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-'),
  };
  segments.forEach((s, i) => {
    params[`path[${i}]`] = s;
  });
  // Go templates read `.path.path`, `.path.basename` and `.path.segments`.
  params.pathObject = {
    path: dir,
    basename: path.posix.basename(dir),
    segments,
  };
  return params;
}

/** Fills `{{key}}` (fasttemplate) or `{{ .key }}` (Go template, simple lookups only). */
function render(template: unknown, params: Params, goTemplate: boolean): any {
  if (typeof template === 'string') {
    return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (all, expr: string) => {
      const key = goTemplate ? expr.replace(/^\./, '') : expr;
      const value = lookup(params, key, goTemplate);
      return value === undefined ? all : String(value);
    });
  }
  if (Array.isArray(template))
    return template.map(t => render(t, params, goTemplate));
  if (isPlainObject(template)) {
    return Object.fromEntries(
      Object.entries(template).map(([k, v]) => [
        k,
        render(v, params, goTemplate),
      ]),
    );
  }
  return template;
}

function lookup(params: Params, key: string, goTemplate: boolean): unknown {
  if (key in params) return params[key];
  if (goTemplate && key.startsWith('path.')) {
    const rest = key.slice('path.'.length);
    const object = params.pathObject as Record<string, unknown> | undefined;
    if (object && rest in object) return object[rest];
  }
  return key
    .split('.')
    .reduce<any>((v, k) => (isPlainObject(v) ? v[k] : undefined), params);
}
