/**
 * Test helpers over the example GitOps repositories of this monorepo: their files in memory,
 * real Git repositories made from them, and environments with the config defaults. Private: for
 * the tests and the demo of this repository only (the paths point into its `examples/`).
 */
export {
  createExampleGitRepo,
  exampleRepoFolder,
  fluxFleetRepoFolder,
  gitIn,
  loadExampleFiles,
  memoryGitProvider,
  repoRoot,
} from './exampleRepo';
export { invalidObjects, validateWithModels } from './validateWithModels';
