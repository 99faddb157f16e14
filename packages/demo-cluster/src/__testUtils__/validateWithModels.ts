/**
 * Verdicts of the `kubernetes-models` classes (Kubernetes, Argo CD, Flux) on the demo's
 * objects, from the shared test helper.
 */
export { invalidObjects, validateWithModels } from 'gitops-testkit';
