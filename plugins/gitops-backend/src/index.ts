/**
 * The GitOps backend plugin for Backstage.
 *
 * @packageDocumentation
 */
export { gitopsPlugin as default } from './plugin';
