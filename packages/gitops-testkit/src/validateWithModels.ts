import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Verdicts of the `kubernetes-models` classes (Kubernetes, Argo CD, Argo Rollouts, Flux) on each object: null
 * when it validates, otherwise why not. The models are ESM whose `exports` offer only `import`,
 * which Jest's CommonJS resolver cannot load, so validateWithModels.mjs runs them in a plain
 * Node child process; it picks each object's class by apiVersion and kind and rejects unknown
 * kinds.
 */
export function validateWithModels(objects: unknown[]): Array<string | null> {
  const out = execFileSync(
    process.execPath,
    // Test helpers run from source, never from a production build.
    // eslint-disable-next-line no-restricted-syntax
    [path.join(__dirname, 'validateWithModels.mjs')],
    {
      input: JSON.stringify(objects),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
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
        `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}: ${
          verdicts[i]
        }`,
    )
    .filter((v): v is string => Boolean(v));
}
