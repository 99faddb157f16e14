/**
 * What the GitOps backend, its scaffolder module and the demo cluster share about the GitOps
 * repository: reading an environment's desired state, planning a change as file edits, and
 * the Git command-line provider. It imports neither the backend plugin nor the demo.
 *
 * @packageDocumentation
 */
export { DesiredStateReader } from './desired/DesiredStateReader';
export type {
  DesiredStateResult,
  ReadDesiredStateOptions,
} from './desired/DesiredStateReader';
export type {
  KubernetesObject,
  ReadRepoFile,
} from './desired/buildKustomization';
export { ManifestError, isPlainObject } from './desired/parseYaml';
export { formatImageRef, parseImageRef } from './desired/imageRef';
export type { ImageRef } from './desired/imageRef';
export type { WorkloadHints } from './desired/workloadState';
export { planChange } from './planner/PromotionPlanner';
export type { Plan, PlanChange, PlanTarget } from './planner/PromotionPlanner';
export { CliGitProvider, pushUrl } from './git/CliGitProvider';
export type { CliGitProviderOptions } from './git/CliGitProvider';
export {
  FetchOutages,
  describeStaleness,
  repositoryName,
  repositoryUnavailable,
} from './git/FetchOutages';
export {
  defaultEnvironmentConfig,
  environmentInRepository,
  fillTemplate,
} from './environments';
export type { EnvironmentConfig, RepositoryLayout } from './environments';
export type { ServiceTarget } from './ServiceTarget';
export { BoundedPool, StringPool } from './boundedPool';
export { HASH_SEED, hashString, mixHash } from './contentHash';
export { internStrings, internedCopy } from './internStrings';
export { shareParts } from './sharedParts';
export { renderNewService } from './newService/renderNewService';
export type {
  NewServiceEnvironment,
  NewServiceSpec,
  RenderedFile,
  RenderedService,
} from './newService/types';
