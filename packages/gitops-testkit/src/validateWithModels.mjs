/*
 * Validates Kubernetes objects with their kubernetes-models classes (Kubernetes, Argo CD, Argo
 * Rollouts, Flux), in plain Node.
 *
 * Reads a JSON array of objects on stdin and writes a JSON array of verdicts: null when the
 * object validates, otherwise the reason. validateWithModels.ts runs this as a child process
 * because the models packages are ESM whose `exports` offer only the `import` condition, which
 * Jest's CommonJS module resolution cannot load.
 */
import { readFileSync } from 'node:fs';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  Event,
  Namespace,
  PersistentVolumeClaim,
  Pod,
  Service,
} from 'kubernetes-models/v1';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import {
  AnalysisRun,
  AnalysisTemplate,
  ClusterAnalysisTemplate,
  Rollout,
} from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { HelmRelease } from '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import {
  GitRepository,
  OCIRepository,
} from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import {
  ImagePolicy,
  ImageRepository,
  ImageUpdateAutomation,
} from '@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1';

// Every (apiVersion, kind) the fixtures and new services may contain; anything else is an error.
const MODELS = new Map(
  [
    Deployment,
    Pod,
    Event,
    PersistentVolumeClaim,
    Service,
    Namespace,
    PodDisruptionBudget,
    HorizontalPodAutoscaler,
    Application,
    Rollout,
    AnalysisRun,
    AnalysisTemplate,
    ClusterAnalysisTemplate,
    Kustomization,
    HelmRelease,
    GitRepository,
    OCIRepository,
    ImageRepository,
    ImagePolicy,
    ImageUpdateAutomation,
  ].map(Model => [`${Model.apiVersion} ${Model.kind}`, Model]),
);

function verdict(object) {
  const key = `${object?.apiVersion} ${object?.kind}`;
  const Model = MODELS.get(key);
  if (!Model) {
    return `no kubernetes-models class for ${key}`;
  }
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
