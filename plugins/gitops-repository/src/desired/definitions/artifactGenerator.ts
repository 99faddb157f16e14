import path from 'node:path';
import { ReadRepoFile } from '../buildKustomization';
import { parseYamlDocuments, parseYamlObject } from '../parseYaml';
import { UnsupportedLayoutError } from './argoApplication';

/** Where an ExternalArtifact's files come from in the repository. */
export interface ArtifactPaths {
  /** The generator, for messages: `ArtifactGenerator flux-system (clusters/staging/artifacts.yaml)`. */
  generator: string;
  /** The repository path of an artifact path (file or folder); undefined when not copied. */
  toRepo(artifactPath: string): string | undefined;
}

interface CopyRule {
  from: string;
  to: string;
  exclude: string[];
}

/** File names where a cluster folder usually keeps its ArtifactGenerators. */
const GENERATOR_FILES = [
  'artifacts.yaml',
  'artifact-generators.yaml',
  'artifactgenerators.yaml',
  'generators.yaml',
  'sources.yaml',
];

/**
 * Finds the ArtifactGenerator (Flux 2.7, `source.extensions.fluxcd.io`) that produces the
 * ExternalArtifact `name`, in the file that references it, the files its folder's
 * kustomization.yaml lists, or the usual file names of that folder, and maps the artifact's
 * paths back to the repository through its `copy` rules
 * (`@monorepo/apps/staging/** → @artifact/staging/`). What cannot be followed (a rule from a
 * source that is not a Git repository, a `Merge` or `Extract` strategy) throws
 * {@link UnsupportedLayoutError} naming it.
 */
export async function findArtifactPaths(options: {
  name: string;
  /** The file of the Kustomization that takes the artifact as its source. */
  file: string;
  read: ReadRepoFile;
}): Promise<ArtifactPaths> {
  const { name, file, read } = options;
  const folder = path.posix.dirname(file);
  const candidates = [file];
  const kustomization = await read(
    path.posix.join(folder, 'kustomization.yaml'),
  );
  if (kustomization !== undefined) {
    const k = parseYamlObject(kustomization, `${folder}/kustomization.yaml`);
    for (const entry of k.resources ?? []) {
      if (typeof entry === 'string' && /\.ya?ml$/.test(entry))
        candidates.push(path.posix.normalize(path.posix.join(folder, entry)));
    }
  }
  candidates.push(...GENERATOR_FILES.map(f => path.posix.join(folder, f)));
  for (const candidate of [...new Set(candidates)]) {
    const text = await read(candidate);
    if (text === undefined) continue;
    for (const doc of parseYamlDocuments(text, candidate) as Array<Record<
      string,
      any
    > | null>) {
      if (
        doc?.kind !== 'ArtifactGenerator' ||
        !String(doc.apiVersion ?? '').startsWith('source.extensions.fluxcd.io/')
      )
        continue;
      const artifact = (doc.spec?.artifacts ?? []).find(
        (a: any) => a?.name === name,
      );
      if (artifact) {
        return artifactPaths(
          doc,
          artifact,
          `ArtifactGenerator ${doc.metadata?.name} (${candidate})`,
        );
      }
    }
  }
  throw new UnsupportedLayoutError(
    `ExternalArtifact ${name}: no ArtifactGenerator producing it in ${[
      ...new Set(candidates),
    ].join(', ')}`,
  );
}

function artifactPaths(
  generator: Record<string, any>,
  artifact: Record<string, any>,
  where: string,
): ArtifactPaths {
  const gitAliases = new Set(
    (generator.spec?.sources ?? [])
      .filter((s: any) => s?.kind === 'GitRepository')
      .map((s: any) => String(s.alias)),
  );
  const rules: CopyRule[] = [];
  for (const copy of artifact.copy ?? []) {
    const from = String(copy?.from ?? '');
    const to = String(copy?.to ?? '');
    const alias = from.match(/^@([^/]+)\//)?.[1];
    if (!alias || !gitAliases.has(alias)) {
      throw new UnsupportedLayoutError(
        `${where}: artifact ${artifact.name} copies ${from} from a source that is not a GitRepository; only Git sources are followed`,
      );
    }
    if (copy.strategy && copy.strategy !== 'Overwrite') {
      throw new UnsupportedLayoutError(
        `${where}: artifact ${artifact.name} copies ${from} with strategy ${copy.strategy}, which is not followed`,
      );
    }
    if (!to.startsWith('@artifact/')) {
      throw new UnsupportedLayoutError(
        `${where}: artifact ${artifact.name} copies to ${to}, not into @artifact/`,
      );
    }
    rules.push({
      from: from.slice(alias.length + 2),
      to: to.slice('@artifact/'.length),
      exclude: (copy.exclude ?? []).map(String),
    });
  }
  return {
    generator: where,
    toRepo(artifactPath) {
      const wanted = path.posix.normalize(artifactPath).replace(/^\.\/?/, '');
      // Later rules overwrite what earlier ones copied to the same place.
      for (const rule of [...rules].reverse()) {
        const repoPath = throughRule(rule, wanted);
        if (repoPath !== undefined) return repoPath;
      }
      return undefined;
    },
  };
}

/** The repository path a rule copies to `wanted`, if it does. */
function throughRule(rule: CopyRule, wanted: string): string | undefined {
  const excluded = (repoPath: string) =>
    rule.exclude.some(pattern => globMatches(repoPath, pattern));
  const into = rule.to === '' || rule.to.endsWith('/');
  const dest = rule.to.replace(/\/+$/, '');
  const relative = (() => {
    if (dest === '') return wanted;
    if (wanted === dest) return '';
    return wanted.startsWith(`${dest}/`)
      ? wanted.slice(dest.length + 1)
      : undefined;
  })();
  if (rule.from.endsWith('/**')) {
    // A folder's tree, structure kept, under the destination folder.
    if (!into || relative === undefined) return undefined;
    const base = rule.from.slice(0, -3);
    const repoPath = relative ? `${base}/${relative}` : base;
    return excluded(repoPath) ? undefined : repoPath;
  }
  const dir = path.posix.dirname(rule.from);
  const pattern = path.posix.basename(rule.from);
  if (/[*?[]/.test(pattern)) {
    // Matching files of one folder, flat, into the destination folder.
    if (!into || !relative || relative.includes('/')) return undefined;
    if (!globMatches(relative, pattern)) return undefined;
    const repoPath = dir === '.' ? relative : `${dir}/${relative}`;
    return excluded(repoPath) ? undefined : repoPath;
  }
  // One file: into a folder under its own name, or to a file name of its own.
  if (into) return relative === pattern ? rule.from : undefined;
  return wanted === dest ? rule.from : undefined;
}

/**
 * A path against a glob of the copy rules: `**` any folders, `*` and `?` within one name.
 * (Character classes and braces are not used in ArtifactGenerator examples and are taken
 * literally.)
 */
export function globMatches(candidate: string, glob: string): boolean {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` also matches no folder at all.
      pattern += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') pattern += '[^/]*';
    else if (c === '?') pattern += '[^/]';
    else pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`).test(candidate);
}
