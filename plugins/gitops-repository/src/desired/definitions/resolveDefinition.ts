import { ReadRepoFile } from '../buildKustomization';
import { ManifestError, parseYamlDocuments } from '../parseYaml';
import { WorkloadHints } from '../workloadState';
import {
  ResolvedDefinition,
  UnsupportedLayoutError,
  resolveArgoApplication,
} from './argoApplication';
import {
  resolveBareHelmRelease,
  resolveFluxKustomization,
} from './fluxHelmRelease';
import { ListRepoFolders, expandApplicationSet } from './applicationSet';
import { stringify } from 'yaml';

/**
 * Resolves an environment from the engine object in its definition file: the document named
 * `<service>-<env>` (or the only engine object of the file).
 */
export async function resolveDefinition(options: {
  text: string;
  file: string;
  read: ReadRepoFile;
  hints: WorkloadHints;
  preferredName: string;
  /** Other names the object may have (the service's, as HelmReleases often are). */
  alsoNamed?: string | string[];
  /** Folder listing, for ApplicationSet git directory generators. */
  listFolders?: ListRepoFolders;
}): Promise<ResolvedDefinition> {
  const { file } = options;
  const objects = parseYamlDocuments(options.text, file).filter(
    (d): d is Record<string, any> => Boolean(d) && typeof d === 'object',
  );
  const engines = objects.filter(
    o =>
      [
        'Application',
        'ApplicationSet',
        'HelmRelease',
        'Kustomization',
      ].includes(String(o.kind)) && String(o.apiVersion ?? '').includes('.'),
  );
  const names = [options.preferredName, options.alsoNamed]
    .flat()
    .filter((n): n is string => Boolean(n));
  const object =
    names.map(n => engines.find(o => o.metadata?.name === n)).find(Boolean) ??
    (engines.length === 1 ? engines[0] : undefined);
  if (!object) {
    throw new ManifestError(
      `${file}: no Argo CD Application or Flux object named ${
        options.preferredName
      }${engines.length > 1 ? ` among ${engines.length}` : ''}`,
    );
  }
  if (object.kind === 'ApplicationSet') {
    const apps = await expandApplicationSet({
      appSet: object,
      file,
      listFolders: options.listFolders,
    });
    const app =
      names.map(n => apps.find(a => a.metadata?.name === n)).find(Boolean) ??
      undefined;
    if (!app) {
      throw new ManifestError(
        `${file}: ApplicationSet ${
          object.metadata?.name
        } generates no Application named ${
          options.preferredName
        } (it generates ${
          apps.map(a => a.metadata?.name).join(', ') || 'none'
        })`,
      );
    }
    // The generated Application is not a file: origins inside it point at the template.
    const generated = `${file}#${app.metadata.name}`;
    const text = stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      ...app,
    });
    const resolved = await resolveArgoApplication({
      app,
      file: generated,
      read: async f => (f === generated ? text : options.read(f)),
      hints: options.hints,
    });
    return {
      ...resolved,
      inputs: [...resolved.inputs.filter(i => i !== generated), file],
      definition: {
        kind: 'ApplicationSet',
        name: String(object.metadata?.name),
        file,
      },
    };
  }
  if (object.kind === 'Application') {
    return resolveArgoApplication({
      app: object,
      file,
      read: options.read,
      hints: options.hints,
    });
  }
  if (
    object.kind === 'Kustomization' &&
    String(object.apiVersion).startsWith('kustomize.toolkit.fluxcd.io')
  ) {
    return resolveFluxKustomization({
      kustomization: object,
      file,
      read: options.read,
      hints: options.hints,
      names,
    });
  }
  if (
    object.kind === 'HelmRelease' &&
    String(object.apiVersion).startsWith('helm.toolkit.fluxcd.io/')
  ) {
    return resolveBareHelmRelease({
      release: object,
      text: options.text,
      file,
      read: options.read,
      hints: options.hints,
    });
  }
  throw new UnsupportedLayoutError(
    `${file}: a bare ${object.kind} (${object.metadata?.name}) is not followed; point definitionPath at the Argo CD Application or ApplicationSet, or the Flux Kustomization that applies it`,
  );
}
