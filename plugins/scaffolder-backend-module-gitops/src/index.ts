/***/
/**
 * The gitops backend module for the scaffolder plugin.
 *
 * @packageDocumentation
 */

export { scaffolderModuleGitops as default } from './module';
