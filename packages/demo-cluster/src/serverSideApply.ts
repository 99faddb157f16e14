import { KubeObject } from './ObjectStore';

/**
 * An object as server-side apply leaves it: what the manifest has wins, fields the same
 * manager applied before (`last`) and the manifest no longer has go, and what other managers
 * set stays — a `flux suspend`, an Argo CD sync `operation`, labels set by others, the status.
 * Field by field at the top of `spec`, `metadata.labels` and `metadata.annotations`: enough
 * for the engine objects the demo's parents apply. A changed spec is a new generation.
 */
export function serverSideApply(
  current: KubeObject | undefined,
  manifest: KubeObject,
  last: KubeObject | undefined,
): KubeObject {
  const merged = (
    live: Record<string, any> | undefined,
    was: Record<string, any> | undefined,
    git: Record<string, any> | undefined,
  ) => {
    const out = { ...live };
    for (const field of Object.keys(was ?? {})) delete out[field];
    return { ...out, ...git };
  };
  const spec = merged(current?.spec, last?.spec, manifest.spec);
  const metadata: Record<string, any> = {
    ...current?.metadata,
    ...manifest.metadata,
    labels: merged(
      current?.metadata.labels,
      last?.metadata.labels,
      manifest.metadata.labels,
    ),
    annotations: merged(
      current?.metadata.annotations,
      last?.metadata.annotations,
      manifest.metadata.annotations,
    ),
  };
  for (const field of ['labels', 'annotations'])
    if (Object.keys(metadata[field]).length === 0) delete metadata[field];
  if (!current) metadata.generation = 1;
  else if (JSON.stringify(current.spec) !== JSON.stringify(spec))
    metadata.generation = (current.metadata.generation ?? 1) + 1;
  return {
    ...current,
    apiVersion: manifest.apiVersion,
    kind: manifest.kind,
    metadata: metadata as KubeObject['metadata'],
    spec,
  };
}
