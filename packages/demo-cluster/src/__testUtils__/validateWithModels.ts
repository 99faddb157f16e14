import { execFileSync } from 'node:child_process';
import path from 'node:path';

const backend = path.resolve(__dirname, '../../../../plugins/gitops-backend');

/**
 * Verdicts of the `kubernetes-models` classes (Kubernetes, Argo CD, Flux) on each object: null
 * when it validates, otherwise why not. Runs the backend plugin's validator in plain Node —
 * the models are ESM-only and this package does not depend on them; they resolve from there.
 */
export function validateWithModels(objects: unknown[]): Array<string | null> {
  const out = execFileSync(
    process.execPath,
    [
      path.join(
        backend,
        'src/service/live/__fixtures__/validateWithModels.mjs',
      ),
    ],
    { cwd: backend, input: JSON.stringify(objects), encoding: 'utf8' },
  );
  return JSON.parse(out);
}

/** `<Kind> <namespace>/<name>: <verdict>` of each object that does not validate. */
export function invalidObjects(objects: any[]): string[] {
  const verdicts = validateWithModels(objects);
  return objects
    .map(
      (o, i) =>
        verdicts[i] &&
        `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}: ${verdicts[i]}`,
    )
    .filter((v): v is string => Boolean(v));
}
