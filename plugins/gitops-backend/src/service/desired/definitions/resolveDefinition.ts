import { ReadRepoFile } from '../buildKustomization';
import { ManifestError, parseYamlDocuments } from '../parseYaml';
import { WorkloadHints } from '../workloadState';
import {
  ResolvedDefinition,
  UnsupportedLayoutError,
  resolveArgoApplication,
} from './argoApplication';

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
  const object =
    engines.find(o => o.metadata?.name === options.preferredName) ??
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
  throw new UnsupportedLayoutError(
    `${file}: ${object.kind} ${object.metadata?.name} is not followed yet; set overlayPath/valuesFile for this environment`,
  );
}
