/**
 * Shared types, annotation names and permissions of the GitOps plugin set.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './types';
export * from './overview';
export * from './actions';
export * from './permissions';
export * from './signals';
export * from './services';
export * from './metrics';
export * from './policy';
export * from './imageAutomation';
export * from './portalAutomation';
export * from './changes';
export * from './evidence';
export * from './progressive';
