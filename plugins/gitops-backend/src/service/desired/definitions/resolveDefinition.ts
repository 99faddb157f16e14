import { ReadRepoFile } from '../buildKustomization';
import { ManifestError, parseYamlDocuments } from '../parseYaml';
import { WorkloadHints } from '../workloadState';
import {
  ResolvedDefinition,
  UnsupportedLayoutError,
  resolveArgoApplication,
} from './argoApplication';
import { resolveFluxKustomization } from './fluxHelmRelease';

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
  /** Another name the object may have (the service's, as HelmReleases often are). */
  alsoNamed?: string;
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
  const names = [options.preferredName, options.alsoNamed].filter(
    (n): n is string => Boolean(n),
  );
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
  throw new UnsupportedLayoutError(
    `${file}: ${object.kind} ${object.metadata?.name} is not followed (ApplicationSet generators and a bare HelmRelease file are not yet); point definitionPath at the Application or Flux Kustomization, or use overlayPath/valuesFile`,
  );
}
