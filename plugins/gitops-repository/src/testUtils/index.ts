/**
 * Test helpers over the example GitOps repositories of this monorepo: their files in memory,
 * real Git repositories made from them, and environments with the config defaults.
 */
export {
  createExampleGitRepo,
  defaultEnvironment,
  exampleRepoFolder,
  fluxFleetRepoFolder,
  gitIn,
  loadExampleFiles,
  memoryGitProvider,
  repoRoot,
} from './exampleRepo';
export { invalidObjects, validateWithModels } from './validateWithModels';
