/*
 * Validates Argo Rollouts objects (Rollout, AnalysisRun) with @kubernetes-models/argo-rollouts,
 * in plain Node: the models are ESM whose `exports` offer only `import`, which Jest's CommonJS
 * resolver cannot load (see validateWithModels.mjs of the repository package, which has no
 * AnalysisRun). Reads a JSON array of objects on stdin, writes a JSON array of verdicts: null
 * when the object validates, otherwise why not.
 */
import { readFileSync } from 'node:fs';
import {
  AnalysisRun,
  Rollout,
} from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';

const MODELS = new Map(
  [Rollout, AnalysisRun].map(Model => [
    `${Model.apiVersion} ${Model.kind}`,
    Model,
  ]),
);

function verdict(object) {
  const key = `${object?.apiVersion} ${object?.kind}`;
  const Model = MODELS.get(key);
  if (!Model) return `no Argo Rollouts model for ${key}`;
  try {
    new Model(object).validate();
    return null;
  } catch (error) {
    const details = (error.errors ?? [])
      .map(
        e =>
          `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(
            e.params,
          )}`,
      )
      .join('; ');
    return details
      ? `${error.message}: ${details}`
      : String(error.message ?? error);
  }
}

const objects = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(objects.map(verdict)));
